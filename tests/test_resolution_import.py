"""Every CSV rule of SPEC section 6, end to end through the import service and the database."""
import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import User
from core.clock import utcnow
from extensions import db
from recognition.models import AgentCategoryWeek, ImportBatch, ImportRowError, ResolutionRecord
from recognition.services import UnreadableFile, imports, summarize_batch
from tests.factories import make_user
from tests.factories_recognition import HEADER, csv_file, csv_text, make_category, row, run_import


@pytest.fixture(scope="module")
def agents_and_categories(module_transaction):
    with module_transaction.app_context():
        make_user("sara")
        make_user("ali")
        make_category("billing", "Billing & refunds")
        make_category("internet", "Internet")


@pytest.fixture
def world(ctx, agents_and_categories):
    """Agents sara and ali, categories billing and internet (built once for the module, each
    test's changes rolled back); an application context."""
    return ctx


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def record(ticket_id):
    return db.session.scalar(select(ResolutionRecord).where(ResolutionRecord.ticket_id == ticket_id))


def errors_of(summary):
    return [(error["row"], error["column"], error["value"]) for error in summary.errors]


def test_valid_rows_are_stored_with_every_value(world):
    summary = run_import(csv_file([row("T1", closed_at="2025-03-04T10:09:00", channel="Chat", reopened="yes",
                                       nps="9", csat="4")]))
    stored = record("T1")
    assert (summary.rows_total, summary.rows_imported, summary.rows_rejected) == (1, 1, 0)
    assert stored.agent.username == "sara" and stored.category.slug == "billing"
    assert stored.opened_at == datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
    assert stored.closed_at == datetime(2025, 3, 4, 10, 9, tzinfo=UTC)
    assert (stored.handle_seconds, stored.first_contact_resolution, stored.reopened) == (300, True, True)
    assert (stored.channel, stored.nps, stored.csat) == ("chat", 9, 4)
    assert stored.week.isoformat() == "2025-03-03"  # the Monday of that ISO week
    assert stored.batch_id == summary.batch_id


def test_summary_has_the_spec_shape(world):
    summary = run_import(csv_file([row("T1"), row("T2", agent="ghost")])).as_json()
    assert {"batch_id", "rows_total", "rows_imported", "rows_updated", "rows_duplicate", "rows_rejected",
            "errors"} <= set(summary)
    assert summary["errors"] == [{"row": 3, "column": "agent", "value": "ghost",
                                  "message": summary["errors"][0]["message"]}]
    assert "Unknown agent" in summary["errors"][0]["message"]


def test_utf8_bom_is_not_part_of_the_first_column(world):
    summary = run_import(csv_file([row("T1")], encoding="utf-8-sig"))
    assert summary.rows_imported == 1 and summary.encoding == "utf-8-sig"


def test_utf16_with_bom_is_imported(world):
    summary = run_import(csv_file([row("T1"), row("T2")], encoding="utf-16"))
    assert summary.rows_imported == 2 and summary.encoding.startswith("utf-16")


def test_cp1256_chosen_explicitly_is_imported(world):
    make_category("billing-ar", "الفواتير")
    summary = run_import(csv_file([row("T1", category="الفواتير")], encoding="cp1256"), encoding="cp1256")
    assert summary.rows_imported == 1
    assert record("T1").category.slug == "billing-ar"


def test_cp1256_file_read_as_utf8_fails_with_the_byte_offset_and_imports_nothing(world):
    make_category("billing-ar", "الفواتير")
    data = csv_file([row("T1"), row("T2", category="الفواتير")], encoding="cp1256")
    offset = data.getvalue().index("الفواتير".encode("cp1256"))
    with pytest.raises(UnreadableFile) as raised:
        run_import(data)
    db.session.commit()
    assert "offset %d" % offset in raised.value.message
    assert count(ResolutionRecord) == 0
    batch = db.session.get(ImportBatch, raised.value.batch_id)
    assert batch.status == "failed" and "offset %d" % offset in batch.message


def test_bytes_that_do_not_decode_late_in_a_large_file_undo_the_chunks_already_written(world, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 50)
    rows = [row(f"T{number:05d}", opened_at="2025-03-04T10:00:00") for number in range(1500)]
    data = csv_text(rows).encode("utf-8") + b"T99999,sara,\xff\xfe,2025-03-04,300,1,,phone,0,,\r\n"
    with pytest.raises(UnreadableFile) as raised:
        run_import(io.BytesIO(data))
    db.session.commit()
    assert "offset %d" % data.index(b"\xff\xfe") in raised.value.message
    assert count(ResolutionRecord) == 0 and count(AgentCategoryWeek) == 0 and count(ImportRowError) == 0
    assert db.session.get(ImportBatch, raised.value.batch_id).status == "failed"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_delimiters_are_sniffed(world, delimiter):
    summary = run_import(csv_file([row("T1"), row("T2")], delimiter=delimiter))
    assert summary.rows_imported == 2 and summary.delimiter == delimiter


def test_header_aliases_and_spelling_variants_are_recognised(world):
    header = ("Ticket ID", "Agent_ID", "CATEGORY", "created", "AHT", "FCR", "closed-at", "Channel",
              "repeat contact", "NPS score", "satisfaction")
    summary = run_import(csv_file([row("T1", nps="10", csat="5")], header=header))
    assert summary.rows_imported == 1
    assert (record("T1").nps, record("T1").csat) == (10, 5)


def test_persian_and_arabic_indic_digits_are_read_as_numbers(world):
    summary = run_import(csv_file([
        row("T1", opened_at="۲۰۲۵-۰۳-۰۴", handle_seconds="۳۰۵", nps="۹", csat="۴"),
        row("T2", handle_seconds="٤:٠٥", nps="٧"),
    ]))
    assert summary.rows_imported == 2
    assert (record("T1").handle_seconds, record("T1").nps, record("T1").csat) == (305, 9, 4)
    assert record("T1").opened_at == datetime(2025, 3, 4, tzinfo=UTC)
    assert (record("T2").handle_seconds, record("T2").nps) == (245, 7)


@pytest.mark.parametrize(("text", "seconds"), [("04:05", 245), ("1:02:03", 3723), ("0:59", 59)])
def test_clock_notation_handle_times_are_converted_to_seconds(world, text, seconds):
    run_import(csv_file([row("T1", handle_seconds=text)]))
    assert record("T1").handle_seconds == seconds


def test_missing_required_column_refuses_the_file(world):
    header = tuple(name for name in HEADER if name != "handle_seconds")
    rows = [tuple(value for name, value in zip(HEADER, row("T1")) if name != "handle_seconds")]
    with pytest.raises(UnreadableFile) as raised:
        run_import(csv_file(rows, header=header))
    assert "handle_seconds" in raised.value.message
    db.session.rollback()
    assert count(ResolutionRecord) == 0


def test_extra_columns_are_ignored_with_a_warning(world):
    summary = run_import(csv_file([row("T1") + ("VIP",)], header=HEADER + ("customer_tier",)))
    assert summary.rows_imported == 1
    assert any("customer_tier" in warning for warning in summary.warnings)


def test_two_columns_for_the_same_field_refuse_the_file(world):
    with pytest.raises(UnreadableFile) as raised:
        run_import(csv_file([row("T1") + ("400",)], header=HEADER + ("AHT",)))
    assert "AHT" in raised.value.message and "handle_seconds" in raised.value.message


@pytest.mark.parametrize("cells", [("T2", "sara", "billing"), row("T2") + ("extra",)])
def test_ragged_rows_are_rejected_and_the_others_imported(world, cells):
    summary = run_import(csv_file([row("T1"), cells, row("T3")]))
    assert (summary.rows_imported, summary.rows_rejected) == (2, 1)
    assert summary.errors[0]["row"] == 3 and summary.errors[0]["column"] is None
    assert record("T2") is None


def test_empty_file_is_refused(world):
    with pytest.raises(UnreadableFile) as raised:
        run_import(io.BytesIO(b""))
    assert "empty" in raised.value.message


def test_header_only_file_imports_nothing_and_says_so(world):
    summary = run_import(io.BytesIO(csv_text([]).encode()))
    assert (summary.rows_total, summary.rows_imported, summary.rows_rejected) == (0, 0, 0)
    assert any("no data rows" in warning for warning in summary.warnings)


def test_duplicate_ticket_within_the_file_rejects_the_later_row(world):
    summary = run_import(csv_file([row("T1"), row("T1", handle_seconds="999")]))
    assert (summary.rows_imported, summary.rows_rejected) == (1, 1)
    assert errors_of(summary) == [(3, "ticket_id", "T1")]
    assert record("T1").handle_seconds == 300


def test_unknown_agent_is_rejected_with_its_row_and_column(world):
    summary = run_import(csv_file([row("T1"), row("T2", agent="ghost")]))
    assert errors_of(summary) == [(3, "agent", "ghost")]
    assert record("T2") is None and record("T1") is not None


def test_create_agents_adds_an_inactive_agent_and_imports_the_rows(world):
    summary = run_import(csv_file([row("T1", agent="Newbie"), row("T2", agent="newbie")]), create_agents=True)
    newbie = db.session.scalar(select(User).where(User.username == "newbie"))
    assert (summary.rows_imported, summary.agents_created) == (2, 1)
    assert newbie.role == "agent" and newbie.active is False and newbie.password_hash is None
    assert record("T1").agent_id == newbie.id


def test_create_agents_rejects_a_username_that_cannot_be_an_account(world):
    summary = run_import(csv_file([row("T1", agent="نام فارسی")]), create_agents=True)
    assert summary.rows_rejected == 1 and "Cannot create this agent" in summary.errors[0]["message"]


def test_agent_and_category_match_in_any_case_and_by_name(world):
    summary = run_import(csv_file([row("T1", agent="SARA", category="BILLING & Refunds"),
                                   row("T2", category="Internet")]))
    assert summary.rows_imported == 2
    assert record("T1").category.slug == "billing" and record("T2").category.slug == "internet"


def test_unknown_category_is_rejected(world):
    summary = run_import(csv_file([row("T1", category="roaming")]))
    assert errors_of(summary) == [(2, "category", "roaming")]


@pytest.mark.parametrize(("field", "cells"), [
    ("nps", {"nps": "11"}),
    ("handle_seconds", {"handle_seconds": "-30"}),
    ("handle_seconds", {"handle_seconds": "NaN"}),
    ("handle_seconds", {"handle_seconds": "inf"}),
    ("nps", {"nps": "nan"}),
    ("csat", {"csat": "Infinity"}),
    ("csat", {"csat": "0"}),
    ("first_contact_resolution", {"fcr": "maybe"}),
    ("opened_at", {"opened_at": "04/03/2025"}),
    ("agent", {"agent": ""}),
])
def test_out_of_range_or_unreadable_values_reject_the_row(world, field, cells):
    summary = run_import(csv_file([row("T1"), row("T2", **cells)]))
    assert (summary.rows_imported, summary.rows_rejected) == (1, 1)
    assert summary.errors[0]["row"] == 3 and summary.errors[0]["column"] == field
    assert record("T2") is None


def test_future_dates_are_rejected(clock, world):
    tomorrow_and_more = (utcnow() + timedelta(days=3)).isoformat()
    summary = run_import(csv_file([row("T1"), row("T2", opened_at=tomorrow_and_more)]))
    assert errors_of(summary) == [(3, "opened_at", tomorrow_and_more)]


def test_every_rejected_row_is_stored_with_its_reasons(world):
    summary = run_import(csv_file([row("T1", nps="11", csat="9"), row("T2", agent="ghost")]))
    stored = db.session.execute(select(ImportRowError.row_number, ImportRowError.column)
                                .where(ImportRowError.batch_id == summary.batch_id)
                                .order_by(ImportRowError.row_number, ImportRowError.id)).all()
    assert stored == [(2, "nps"), (2, "csat"), (3, "agent")]
    assert summary.rows_rejected == 2


def test_reimporting_the_same_file_changes_nothing(world):
    data = csv_text([row("T1", nps="9"), row("T2", agent="ali"), row("T3", category="internet")]).encode()
    first = run_import(io.BytesIO(data))
    weekly_before = db.session.execute(select(AgentCategoryWeek.__table__)).all()
    second = run_import(io.BytesIO(data))
    assert (first.rows_imported, second.rows_imported, second.rows_updated, second.rows_duplicate) == (3, 0, 0, 3)
    assert count(ResolutionRecord) == 3
    assert record("T1").batch_id == first.batch_id
    assert db.session.execute(select(AgentCategoryWeek.__table__)).all() == weekly_before
    assert any("already imported" in warning for warning in second.warnings)


def test_changed_row_updates_the_stored_contact(world):
    run_import(csv_file([row("T1"), row("T2")]))
    summary = run_import(csv_file([row("T1"), row("T2", agent="ali", category="internet", fcr="0", nps="3")]))
    assert (summary.rows_imported, summary.rows_updated, summary.rows_duplicate) == (0, 1, 1)
    changed = record("T2")
    assert (changed.agent.username, changed.category.slug, changed.first_contact_resolution, changed.nps) == (
        "ali", "internet", False, 3)
    assert changed.batch_id == summary.batch_id and count(ResolutionRecord) == 2


def test_update_moves_the_contact_in_the_weekly_metrics(world):
    run_import(csv_file([row("T1"), row("T2")]))
    run_import(csv_file([row("T2", agent="ali", category="internet")]))
    weekly = db.session.execute(select(AgentCategoryWeek.agent_id, AgentCategoryWeek.category_id,
                                       AgentCategoryWeek.contacts)
                                .order_by(AgentCategoryWeek.category_id)).all()
    sara, ali = (db.session.scalar(select(User.id).where(User.username == name)) for name in ("sara", "ali"))
    billing, internet = (record("T1").category_id, record("T2").category_id)
    assert weekly == [(sara, billing, 1), (ali, internet, 1)]


def test_interrupted_import_leaves_nothing_of_the_batch(world, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    calls = []

    def crash_after_first_chunk(bytes_read, rows_read):
        calls.append(rows_read)
        if len(calls) == 2:
            raise KeyboardInterrupt  # what Ctrl-C or a killed worker looks like mid-import

    rows = [row(f"T{number}", agent="newcomer" if number == 0 else "sara") for number in range(9)]
    with pytest.raises(KeyboardInterrupt):
        imports.import_resolutions(csv_file(rows), filename="big.csv", user=None, create_agents=True,
                                   progress=crash_after_first_chunk)
    db.session.rollback()
    assert calls[0] > 0  # rows had been written when it stopped
    assert count(ResolutionRecord) == 0 and count(ImportBatch) == 0 and count(AgentCategoryWeek) == 0
    assert db.session.scalar(select(User).where(User.username == "newcomer")) is None


def test_dry_run_counts_but_stores_only_the_batch_and_its_errors(world):
    run_import(csv_file([row("T1")]))
    summary = run_import(csv_file([row("T1", nps="8"), row("T2"), row("T3", agent="newbie"),
                                   row("T4", category="nowhere")]), dry_run=True, create_agents=True)
    assert (summary.rows_imported, summary.rows_updated, summary.rows_rejected, summary.agents_created) == (
        2, 1, 1, 1)
    assert count(ResolutionRecord) == 1 and record("T1").nps is None
    assert db.session.scalar(select(User).where(User.username == "newbie")) is None
    batch = db.session.get(ImportBatch, summary.batch_id)
    assert batch.dry_run and batch.status == "finished" and summary.errors[0]["column"] == "category"


def test_large_file_is_written_in_chunks_with_progress_reported(world, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 10)
    seen = []
    rows = [row(f"T{number:03d}") for number in range(35)]
    summary = run_import(csv_file(rows), progress=lambda bytes_read, rows_read: seen.append(rows_read))
    assert summary.rows_imported == 35 and count(ResolutionRecord) == 35
    assert seen == sorted(seen) and seen[-1] == 35 and len(seen) >= 4


def test_batch_records_file_name_digest_and_uploader(world):
    lead = make_user("lead1", role="lead")
    data = csv_text([row("T1")]).encode()
    summary = run_import(io.BytesIO(data), user=lead, filename="march.csv")
    batch = db.session.get(ImportBatch, summary.batch_id)
    assert (batch.filename, batch.uploaded_by_id, batch.sha256) == (
        "march.csv", lead.id, hashlib.sha256(data).hexdigest())
    assert batch.finished_at is not None and batch.encoding == "utf-8" and batch.delimiter == ","


def test_summary_lists_the_first_errors_and_says_when_there_are_more(world):
    summary = run_import(csv_file([row(f"T{number}", agent="ghost") for number in range(3)]))
    short = summarize_batch(db.session.get(ImportBatch, summary.batch_id), error_limit=2)
    assert [error["row"] for error in short.errors] == [2, 3] and short.as_json()["errors_truncated"]
    assert len(summary.errors) == 3 and not summary.as_json()["errors_truncated"]
