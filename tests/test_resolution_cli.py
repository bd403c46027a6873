"""`flask import-resolutions` and `flask recompute-metrics`: output and the exit codes of SPEC section 5."""
import pytest
from sqlalchemy import func, select

from accounts import services as accounts
from extensions import db
from recognition.models import AgentCategoryWeek, ImportBatch, ResolutionRecord
from tests.factories import make_user
from tests.factories_recognition import csv_text, make_category, row


@pytest.fixture
def setup(app, tmp_path):
    with app.app_context():
        make_user("sara")
        make_category("billing")

    def write(name, rows, encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(csv_text(rows).encode(encoding))
        return str(path)

    return write


def stored(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_all_rows_accepted_exits_0_with_a_summary_on_stdout(app, runner, setup):
    result = runner.invoke(args=["import-resolutions", setup("ok.csv", [row("T1"), row("T2")])])
    assert result.exit_code == 0, result.output
    assert "2 imported" in result.stdout and "0 rejected" in result.stdout
    assert stored(app, ResolutionRecord) == 2 and stored(app, AgentCategoryWeek) == 1


def test_some_rows_rejected_exits_2_and_imports_the_valid_ones(app, runner, setup):
    result = runner.invoke(args=["import-resolutions", setup("mixed.csv", [row("T1"), row("T2", nps="11")])])
    assert result.exit_code == 2
    assert "1 rejected" in result.stdout and "Row 3, nps" in result.stderr
    assert stored(app, ResolutionRecord) == 1


def test_unreadable_file_exits_1_and_imports_nothing(app, runner, setup):
    make_path = setup("arabic.csv", [row("T1", agent="sara", category="الفواتير")], encoding="cp1256")
    result = runner.invoke(args=["import-resolutions", make_path])
    assert result.exit_code == 1
    assert "not UTF-8" in result.stderr and "offset" in result.stderr
    assert stored(app, ResolutionRecord) == 0
    with app.app_context():
        assert db.session.scalar(select(ImportBatch.status)) == "failed"


def test_explicit_encoding_reads_a_windows_1256_file(app, runner, setup):
    with app.app_context():
        make_category("billing-ar", "الفواتير")
    path = setup("arabic.csv", [row("T1", category="الفواتير")], encoding="cp1256")
    result = runner.invoke(args=["import-resolutions", path, "--encoding", "cp1256"])
    assert result.exit_code == 0, result.output
    assert stored(app, ResolutionRecord) == 1


def test_missing_file_exits_1(runner, tmp_path):
    result = runner.invoke(args=["import-resolutions", str(tmp_path / "nowhere.csv")])
    assert result.exit_code == 1 and "cannot open" in result.stderr


def test_dry_run_stores_no_contacts(app, runner, setup):
    result = runner.invoke(args=["import-resolutions", setup("ok.csv", [row("T1")]), "--dry-run"])
    assert result.exit_code == 0 and "Dry run" in result.stdout and "1 imported" in result.stdout
    assert stored(app, ResolutionRecord) == 0 and stored(app, ImportBatch) == 1


def test_create_agents_option_creates_inactive_accounts(app, runner, setup):
    result = runner.invoke(args=["import-resolutions", setup("new.csv", [row("T1", agent="rookie")]),
                                 "--create-agents"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert accounts.get_user("rookie").active is False


def test_recompute_metrics_rebuilds_the_weekly_table(app, runner, setup):
    runner.invoke(args=["import-resolutions", setup("ok.csv", [row("T1"), row("T2", opened_at="2025-05-05")])])
    with app.app_context():
        db.session.execute(AgentCategoryWeek.__table__.delete())
        db.session.commit()
    result = runner.invoke(args=["recompute-metrics"])
    assert result.exit_code == 0 and "Recomputed 2" in result.stdout
    assert stored(app, AgentCategoryWeek) == 2
