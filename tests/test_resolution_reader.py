"""Tests for the streaming resolution-data CSV reader (SPEC section 6)."""
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import FileStorage

from recognition.reader import (
    FIELDS,
    ParsedRow,
    ResolutionFileError,
    RowError,
    read_resolutions,
)
from recognition.reader.source import CHUNK_SIZE, HEAD_SIZE
from recognition.reader.tickets import TicketRegister

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
REQUIRED_HEADER = "ticket_id,agent,category,opened_at,handle_seconds,first_contact_resolution"
GOOD_ROW = {
    "ticket_id": "T-1",
    "agent": "sara",
    "category": "billing",
    "opened_at": "2026-03-01T09:30:00",
    "handle_seconds": "245",
    "first_contact_resolution": "yes",
    "closed_at": "2026-03-01T09:34:05",
    "channel": "phone",
    "reopened": "no",
    "nps": "9",
    "csat": "5",
    "articles": "",
}


class CountingReader(io.RawIOBase):
    """A binary file that records how many bytes were read from it."""

    def __init__(self, data):
        super().__init__()
        self._data = io.BytesIO(data)
        self.bytes_given = 0

    def readable(self):
        return True

    def read(self, size=-1):
        chunk = self._data.read(size)
        self.bytes_given += len(chunk)
        return chunk


def open_csv(text, codec="utf-8", **options):
    """Read CSV text, written in `codec`, with the fixed test clock."""
    return read_resolutions(io.BytesIO(text.encode(codec)), now=NOW, **options)


def read_all(text, **options):
    """All items yielded by rows() for CSV text."""
    return list(open_csv(text, **options).rows())


def csv_text(rows, fields=FIELDS, delimiter=","):
    """CSV text with a header of `fields` and one line per dict in `rows`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([row[field] for field in fields])
    return out.getvalue()


def one_row(**overrides):
    """The items read from a file holding GOOD_ROW with `overrides` applied."""
    return read_all(csv_text([{**GOOD_ROW, **overrides}]))


def parsed_values(**overrides):
    """The values of GOOD_ROW with `overrides`, asserting the row is accepted."""
    items = one_row(**overrides)
    assert [type(item) for item in items] == [ParsedRow], items
    return items[0].values


def row_errors(**overrides):
    """The RowErrors of GOOD_ROW with `overrides`, asserting the row is rejected."""
    items = one_row(**overrides)
    assert items and all(isinstance(item, RowError) for item in items), items
    return items


def file_error(text, codec="utf-8", **options):
    """The message of the ResolutionFileError raised while reading the whole file."""
    with pytest.raises(ResolutionFileError) as caught:
        list(open_csv(text, codec, **options).rows())
    return str(caught.value)


# --- encodings ---------------------------------------------------------------------------


def test_utf8_without_bom_is_read_as_utf8():
    resolution_file = open_csv(csv_text([GOOD_ROW]))
    assert resolution_file.encoding == "utf-8"
    assert [item.values["ticket_id"] for item in resolution_file.rows()] == ["T-1"]


def test_utf8_bom_is_not_part_of_the_first_header():
    resolution_file = open_csv("\ufeff" + csv_text([GOOD_ROW]))
    assert resolution_file.encoding == "utf-8-sig"
    assert resolution_file.columns["ticket_id"] == "ticket_id"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(codec):
    text = "\ufeff" + csv_text([{**GOOD_ROW, "agent": "مریم", "category": "صورت‌حساب"}])
    resolution_file = open_csv(text, codec)
    assert resolution_file.encoding == codec
    values = next(resolution_file.rows()).values
    assert (values["agent"], values["category"]) == ("مریم", "صورت‌حساب")


def test_cp1256_file_without_encoding_is_refused_with_byte_offset():
    data = csv_text([{**GOOD_ROW, "category": "الفواتير"}]).encode("cp1256")
    offset = next(index for index, byte in enumerate(data) if byte >= 0x80)
    with pytest.raises(ResolutionFileError) as caught:
        read_resolutions(io.BytesIO(data), now=NOW)
    assert caught.value.byte_offset == offset
    assert f"offset {offset}" in str(caught.value)
    assert "--encoding cp1256" in str(caught.value)


def test_cp1256_file_with_explicit_encoding_is_decoded():
    text = csv_text([{**GOOD_ROW, "category": "الفواتير", "agent": "سارة"}])
    resolution_file = open_csv(text, "cp1256", encoding="cp1256")
    values = next(resolution_file.rows()).values
    assert resolution_file.encoding == "cp1256"
    assert (values["agent"], values["category"]) == ("سارة", "الفواتير")


def test_invalid_utf8_after_the_detected_head_fails_the_file_with_its_offset():
    rows = [{**GOOD_ROW, "ticket_id": f"T{number}"} for number in range(20_000)]
    prefix = csv_text(rows).encode("utf-8")
    assert len(prefix) > HEAD_SIZE + 2 * CHUNK_SIZE
    bad_line = "T-late,sara,الفواتير,2026-03-01,245,yes,,,,,\n".encode("cp1256")
    data = prefix + bad_line
    resolution_file = read_resolutions(io.BytesIO(data), now=NOW)
    with pytest.raises(ResolutionFileError) as caught:
        list(resolution_file.rows())
    expected = len(prefix) + next(index for index, byte in enumerate(bad_line) if byte >= 0x80)
    assert caught.value.byte_offset == expected
    assert f"offset {expected}" in str(caught.value)


def test_multibyte_character_cut_by_the_detection_window_is_not_an_error():
    head = csv_text([])
    number = 0
    while len(head.encode()) < HEAD_SIZE - 150:
        head += csv_text([{**GOOD_ROW, "ticket_id": f"T{number}"}]).split("\n", 1)[1]
        number += 1
    category = "پ" * 20  # two UTF-8 bytes per letter
    # Pad the agent name so that the 11th letter starts on the last byte of the window.
    padding = HEAD_SIZE - 1 - 20 - len((head + "T-last,,").encode())
    last = f"T-last,{'a' * padding},{category},2026-03-01,245,yes,,,,,,\n"
    data = (head + last + csv_text([GOOD_ROW]).split("\n", 1)[1]).encode()
    assert data[HEAD_SIZE - 1:HEAD_SIZE + 1].decode() == "پ"
    items = list(read_resolutions(io.BytesIO(data), now=NOW).rows())
    assert all(isinstance(item, ParsedRow) for item in items)
    assert items[-2].values["category"] == category


def test_utf16_without_bom_is_refused_as_nul_bytes():
    message = file_error(csv_text([GOOD_ROW]), "utf-16-le")
    assert "UTF-16" in message


def test_unsupported_encoding_is_refused():
    message = file_error(csv_text([GOOD_ROW]), encoding="latin-1")
    assert "latin-1" in message


def test_explicit_encoding_yields_to_a_utf8_bom_with_a_warning():
    resolution_file = open_csv("\ufeff" + csv_text([GOOD_ROW]), encoding="cp1256")
    assert resolution_file.encoding == "utf-8-sig"
    assert resolution_file.columns["ticket_id"] == "ticket_id"
    assert len(resolution_file.warnings) == 1


# --- streaming -----------------------------------------------------------------------------


def test_opening_a_large_file_reads_only_its_beginning():
    rows = [{**GOOD_ROW, "ticket_id": f"T{number}"} for number in range(40_000)]
    data = csv_text(rows).encode("utf-8")
    fileobj = CountingReader(data)
    read_resolutions(fileobj, now=NOW)
    assert len(data) > 4 * (HEAD_SIZE + CHUNK_SIZE)
    assert fileobj.bytes_given <= HEAD_SIZE + CHUNK_SIZE


def test_bytes_read_grows_while_rows_are_streamed():
    rows = [{**GOOD_ROW, "ticket_id": f"T{number}"} for number in range(20_000)]
    data = csv_text(rows).encode("utf-8")
    resolution_file = read_resolutions(io.BytesIO(data), now=NOW)
    first_progress = resolution_file.bytes_read
    assert sum(1 for _ in resolution_file.rows()) == 20_000
    assert first_progress < resolution_file.bytes_read == len(data)
    assert resolution_file.rows_read == 20_000


def test_werkzeug_upload_stream_is_accepted():
    upload = FileStorage(stream=io.BytesIO(csv_text([GOOD_ROW]).encode("utf-8")),
                         filename="resolutions.csv")
    resolution_file = read_resolutions(upload.stream, now=NOW)
    assert [item.row_number for item in resolution_file.rows()] == [2]


def test_rows_can_only_be_iterated_once():
    resolution_file = open_csv(csv_text([GOOD_ROW]))
    list(resolution_file.rows())
    with pytest.raises(RuntimeError):
        resolution_file.rows()


def test_text_mode_file_is_a_programming_error():
    with pytest.raises(TypeError):
        read_resolutions(io.StringIO(csv_text([GOOD_ROW])), now=NOW)


# --- delimiters and headers ----------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed(delimiter):
    resolution_file = open_csv(csv_text([GOOD_ROW], delimiter=delimiter))
    assert resolution_file.delimiter == delimiter
    assert next(resolution_file.rows()).values["handle_seconds"] == 245


def test_commas_inside_quoted_values_do_not_fool_the_semicolon_sniffing():
    rows = [{**GOOD_ROW, "ticket_id": f"T{n}", "category": "billing, invoices, refunds"}
            for n in range(5)]
    resolution_file = open_csv(csv_text(rows, delimiter=";").replace(
        "billing, invoices, refunds", '"billing, invoices, refunds"'))
    assert resolution_file.delimiter == ";"
    assert {item.values["category"] for item in resolution_file.rows()} == {
        "billing, invoices, refunds"}


@pytest.mark.parametrize("header, field", [
    ("Ticket ID", "ticket_id"), ("TICKET-ID", "ticket_id"), ("case_id", "ticket_id"),
    ("contact id", "ticket_id"), ("Agent_ID", "agent"), ("username", "agent"),
    ("Queue", "category"), ("Category Slug", "category"), ("created_at", "opened_at"),
    ("Start Time", "opened_at"), ("AHT", "handle_seconds"), ("Handling Time", "handle_seconds"),
    ("FCR", "first_contact_resolution"), ("First Call Resolution", "first_contact_resolution"),
    ("resolved_at", "closed_at"), ("Medium", "channel"), ("Repeat Contact", "reopened"),
    ("Likelihood to Recommend", "nps"), ("Satisfaction", "csat"),
    ("شماره تیکت", "ticket_id"), ("کارشناس", "agent"), ("دسته‌بندی", "category"),
    ("تاريخ الإنشاء", "opened_at"), ("مدة المعالجة", "handle_seconds"),
    ("حل در اولین تماس", "first_contact_resolution"),
])
def test_header_aliases_are_recognised(header, field):
    fields = [header if name == field else name for name in FIELDS]
    resolution_file = open_csv(csv_text([GOOD_ROW], fields=FIELDS).replace(
        ",".join(FIELDS), ",".join(fields), 1))
    assert resolution_file.columns[field] == header
    assert isinstance(next(resolution_file.rows()), ParsedRow)


def test_arabic_spelling_of_a_persian_header_is_recognised():
    # Arabic yeh and kaf (ي, ك) typed instead of the Persian letters.
    text = csv_text([GOOD_ROW]).replace("agent", "كارشناس", 1)
    assert open_csv(text).columns["agent"] == "كارشناس"


def test_talk_time_is_not_taken_for_handle_time():
    text = csv_text([GOOD_ROW]).replace("handle_seconds", "talk_time", 1)
    assert "handle_seconds" in file_error(text)


def test_missing_required_columns_are_all_named():
    fields = ("ticket_id", "category", "handle_seconds", "first_contact_resolution")
    message = file_error(csv_text([GOOD_ROW], fields=fields))
    assert "agent" in message and "opened_at" in message


def test_two_columns_meaning_the_same_field_are_refused():
    text = "Ticket ID,id," + REQUIRED_HEADER.split(",", 1)[1] + "\n"
    message = file_error(text)
    assert "Ticket ID" in message and "id" in message


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n  \n", b"\xff\xfe"])
def test_empty_file_is_refused(data):
    with pytest.raises(ResolutionFileError) as caught:
        read_resolutions(io.BytesIO(data), now=NOW)
    assert "empty" in str(caught.value)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_header_only_file_has_no_rows_and_says_so(delimiter):
    resolution_file = open_csv(REQUIRED_HEADER.replace(",", delimiter) + "\n")
    assert resolution_file.delimiter == delimiter
    assert resolution_file.has_rows is False
    assert list(resolution_file.rows()) == []
    assert any("no data rows" in str(warning) for warning in resolution_file.warnings)


def test_unknown_columns_are_ignored_with_a_warning():
    fields = (*FIELDS, "Supervisor", "Wrap code")
    rows = [{**GOOD_ROW, "Supervisor": "nadia", "Wrap code": "W1"}]
    resolution_file = open_csv(csv_text(rows, fields=fields))
    assert isinstance(next(resolution_file.rows()), ParsedRow)
    assert [str(warning) for warning in resolution_file.warnings] == [
        "Ignored unknown column(s): \u2068Supervisor\u2069, \u2068Wrap code\u2069."]


# --- values --------------------------------------------------------------------------------


@pytest.mark.parametrize("text, seconds", [
    ("245", 245), (" 245 ", 245), ("04:05", 245), ("75:30", 4530), ("1:02:03", 3723),
    ("۲۴۵", 245), ("٢٤٥", 245), ("۰۴:۰۵", 245), ("245.0", 245), ("\u200f245\u200e", 245),
    ("\ufeff245", 245), ("0", 0), ("86400", 86400), ("24:00:00", 86400),
])
def test_handle_seconds_accepts_seconds_and_clock_notation(text, seconds):
    assert parsed_values(handle_seconds=text)["handle_seconds"] == seconds


@pytest.mark.parametrize("text, reason", [
    ("-5", "negative"), ("nan", "number of seconds"), ("inf", "number of seconds"),
    ("12.5", "fraction"), ("٣٫٥", "fraction"), ("1.2.3", "whole seconds"),
    ("abc", "whole seconds"), ("4:5", "whole seconds"), ("1:75", "whole seconds"),
    ("86401", "24 hours"), ("25:00:00", "24 hours"), ("", "required"),
])
def test_handle_seconds_rejects_bad_values_with_a_reason(text, reason):
    [error] = row_errors(handle_seconds=text)
    assert (error.row_number, error.column, error.field) == (2, "handle_seconds", "handle_seconds")
    assert error.value == text.strip()
    assert reason in str(error.message)


@pytest.mark.parametrize("text, flag", [
    ("1", True), ("0", False), ("TRUE", True), ("false", False), ("Yes", True), ("NO", False),
    ("y", True), ("N", False), ("۱", True), ("٠", False), ("بله", True), ("خیر", False),
    ("نعم", True), ("لا", False),
])
def test_boolean_columns_accept_common_spellings(text, flag):
    values = parsed_values(first_contact_resolution=text, reopened=text)
    assert values["first_contact_resolution"] is flag
    assert values["reopened"] is flag


@pytest.mark.parametrize("text", ["maybe", "2", "yess", "-1"])
def test_boolean_column_rejects_other_values(text):
    [error] = row_errors(first_contact_resolution=text)
    assert error.field == "first_contact_resolution"
    assert "yes/no" in str(error.message)


@pytest.mark.parametrize("text, moment", [
    ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
    ("2026-03-01 09:30", datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
    ("2026-03-01T09:30:00Z", datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
    ("2026-03-01T13:00:00+03:30", datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
    ("2026-03-01T02:00:00-05:00", datetime(2026, 3, 1, 7, 0, tzinfo=UTC)),
    ("۲۰۲۶-۰۳-۰۱T۰۹:۳۰", datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
])
def test_opened_at_is_read_as_utc(text, moment):
    values = parsed_values(opened_at=text, closed_at="")
    assert values["opened_at"] == moment
    assert values["opened_at"].utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["01/03/2026", "yesterday", "2026-13-01", "2026-03-01T25:00"])
def test_opened_at_rejects_non_iso_dates(text):
    [error] = row_errors(opened_at=text, closed_at="")
    assert error.field == "opened_at"
    assert "ISO 8601" in str(error.message)


def test_dates_more_than_a_day_ahead_are_rejected():
    late = (NOW + timedelta(days=1, minutes=1)).isoformat()
    [error] = row_errors(opened_at=late, closed_at="")
    assert error.field == "opened_at"
    assert "future" in str(error.message)


def test_dates_less_than_a_day_ahead_are_accepted():
    soon = (NOW + timedelta(hours=23)).isoformat()
    assert parsed_values(opened_at=soon, closed_at="")["opened_at"] == NOW + timedelta(hours=23)


def test_closed_before_opened_is_rejected():
    [error] = row_errors(opened_at="2026-03-01T10:00", closed_at="2026-03-01T09:59")
    assert (error.field, error.value) == ("closed_at", "2026-03-01T09:59")
    # The date sits in first-strong isolates: a Persian sentence cannot reorder its digits and dashes.
    assert "(\u20682026-03-01T10:00:00+00:00\u2069)" in str(error.message)


def test_bare_closing_date_on_the_opening_day_is_accepted():
    values = parsed_values(opened_at="2026-03-01T10:00", closed_at="2026-03-01")
    assert values["closed_at"] == datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize("text, channel", [
    ("phone", "phone"), ("Chat", "chat"), ("EMAIL", "email"), ("e-mail", "email"),
    ("other", "other"),
])
def test_channel_is_case_insensitive(text, channel):
    assert parsed_values(channel=text)["channel"] == channel


def test_unknown_channel_lists_the_allowed_values():
    [error] = row_errors(channel="fax")
    assert "phone, chat, email, other" in str(error.message)


@pytest.mark.parametrize("field, text, number", [
    ("nps", "0", 0), ("nps", "10", 10), ("nps", "۹", 9), ("nps", "7.0", 7),
    ("csat", "1", 1), ("csat", "5", 5), ("csat", "٤", 4),
])
def test_survey_scores_in_range_are_accepted(field, text, number):
    assert parsed_values(**{field: text})[field] == number


@pytest.mark.parametrize("field, text", [
    ("nps", "11"), ("nps", "-1"), ("nps", "7.5"), ("nps", "nan"), ("nps", "seven"),
    ("csat", "0"), ("csat", "6"), ("csat", "4.5"),
])
def test_survey_scores_out_of_range_are_rejected(field, text):
    [error] = row_errors(**{field: text})
    assert error.field == field
    assert "from" in str(error.message)


def test_empty_optional_values_are_none():
    values = parsed_values(closed_at="", channel=" ", reopened="", nps="", csat="")
    assert [values[field] for field in ("closed_at", "channel", "reopened", "nps", "csat")] == [
        None] * 5


def test_absent_optional_columns_are_none():
    text = csv_text([GOOD_ROW], fields=REQUIRED_HEADER.split(","))
    values = next(open_csv(text).rows()).values
    assert set(values) == set(FIELDS)
    assert values["nps"] is None and values["channel"] is None


def test_names_are_stripped_but_otherwise_kept_as_given():
    values = parsed_values(agent="  Sara.K \u200f", category=" Billing Disputes ")
    assert (values["agent"], values["category"]) == ("Sara.K", "Billing Disputes")


@pytest.mark.parametrize("field", ["ticket_id", "agent", "category", "opened_at",
                                   "first_contact_resolution"])
def test_missing_required_value_is_rejected(field):
    [error] = row_errors(**{field: ""})
    assert error.field == field
    assert "required" in str(error.message)


def test_every_bad_value_of_a_row_is_reported():
    errors = row_errors(handle_seconds="-1", nps="12", channel="fax")
    assert [error.field for error in errors] == ["handle_seconds", "channel", "nps"]
    assert {error.row_number for error in errors} == {2}


# --- rows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cells", [
    ["T-2", "sara", "billing"],
    ["T-2", *list(GOOD_ROW.values())[1:], "extra"],
])
def test_ragged_rows_are_rejected(cells):
    items = read_all(csv_text([GOOD_ROW]) + ",".join(cells) + "\n")
    assert [type(item) for item in items] == [ParsedRow, RowError]
    assert (items[1].row_number, items[1].column) == (3, None)
    assert str(items[1].message) == (
        f"The row has {len(cells)} values but the header has {len(FIELDS)} columns.")


def test_blank_lines_are_skipped_but_keep_spreadsheet_row_numbers():
    first = ",".join(GOOD_ROW.values())
    second = first.replace("T-1", "T-2")
    text = ",".join(FIELDS) + "\n" + first + "\n\n" + ",,,,,,,,,,\n" + "  \n" + second + "\n"
    items = read_all(text)
    assert [(type(item), item.row_number) for item in items] == [(ParsedRow, 2), (ParsedRow, 6)]


def test_multi_line_quoted_value_counts_as_one_row():
    rows = [{**GOOD_ROW, "category": "billing\nand refunds"}, {**GOOD_ROW, "ticket_id": "T-2"}]
    items = read_all(csv_text(rows))
    assert [item.row_number for item in items] == [2, 3]
    assert items[0].values["category"] == "billing\nand refunds"


def test_repeated_ticket_rejects_the_later_row():
    rows = [GOOD_ROW, {**GOOD_ROW, "ticket_id": "T-2"}, {**GOOD_ROW, "agent": "omid"}]
    items = read_all(csv_text(rows))
    assert [type(item) for item in items] == [ParsedRow, ParsedRow, RowError]
    assert items[2].row_number == 4
    assert str(items[2].message) == "Duplicate ticket in this file (first seen on row 2)."


def test_ticket_of_a_rejected_row_can_still_be_imported_later_in_the_file():
    rows = [{**GOOD_ROW, "nps": "99"}, GOOD_ROW]
    items = read_all(csv_text(rows))
    assert [(type(item), item.row_number) for item in items] == [(RowError, 2), (ParsedRow, 3)]


def test_never_closed_quote_in_a_large_file_fails_the_file():
    rows = [{**GOOD_ROW, "ticket_id": f"T{number}"} for number in range(3_000)]
    text = csv_text([GOOD_ROW]).rstrip("\n") + ',"unclosed\n' + csv_text(rows)
    assert "quoted value" in file_error(text)


def test_a_long_cell_is_shortened_in_the_error_report():
    [error] = row_errors(channel="x" * 5_000)
    assert len(error.value) == 200


# --- ticket register -----------------------------------------------------------------------


def test_ticket_register_returns_the_first_row_of_a_repeated_ticket():
    register = TicketRegister()
    tickets = [f"T{number}" for number in range(10_000)] + ["مورد-۱", "حالة-٢", ""]
    for row_number, ticket_id in enumerate(tickets, start=2):
        assert register.record(ticket_id, row_number) is None
    assert len(register) == len(tickets)
    assert register.record("T0", 99_999) == 2
    assert register.record("T9999", 99_999) == 10_001
    assert register.record("مورد-۱", 99_999) == 10_002
    assert register.record("T10000", 99_999) is None


def test_ticket_register_tells_apart_ids_sharing_a_hash_slot(monkeypatch):
    register = TicketRegister()
    # Same low bits for every id: all land in one probe run and must still be told apart.
    colliding = [f"C{number}" for number in range(50)]
    hashes = {ticket_id: number << 40 for number, ticket_id in enumerate(colliding)}
    monkeypatch.setattr("recognition.reader.tickets.hash", hashes.__getitem__, raising=False)
    for row_number, ticket_id in enumerate(colliding, start=2):
        assert register.record(ticket_id, row_number) is None
    assert [register.record(ticket_id, 0) for ticket_id in colliding] == list(range(2, 52))


@pytest.mark.parametrize("text, ids", [
    ("12", (12,)),
    ("12;7, 3  9", (12, 7, 3, 9)),
    ("۱۲", (12,)),
    ("https://knowhow.example.com/kb/12/modem-reset;/kb/7", (12, 7)),
    ("http://kh.local:5000/api/v1/articles/44", (44,)),
    ("12;12", (12,)),
])
def test_the_articles_column_reads_ids_and_article_addresses(text, ids):
    assert parsed_values(articles=text)["articles"] == ids


@pytest.mark.parametrize("text", [
    "twelve", "0", "https://example.com/blog/12", "12;-3", "9" * 40, "http://[bad/kb/1",
    ";".join(str(number) for number in range(1, 30)),
])
def test_what_names_no_article_is_rejected_in_the_articles_column(text):
    [error] = row_errors(articles=text)
    assert error.field == "articles" and error.column == "articles"
