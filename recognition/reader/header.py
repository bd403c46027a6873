"""Header side of the resolution reader: delimiter sniffing and matching column names to fields."""
import csv

from flask_babel import lazy_gettext as _l

from core.text import clean_text, isolate
from recognition.reader.results import ResolutionFileError
from recognition.reader.values import clean_cell

DELIMITERS = ",;\t"
# Lines of the head given to csv.Sniffer: enough to judge consistency, cheap to scan.
_SNIFF_LINES = 50

REQUIRED_FIELDS = (
    "ticket_id", "agent", "category", "opened_at", "handle_seconds", "first_contact_resolution",
)
OPTIONAL_FIELDS = ("closed_at", "channel", "reopened", "nps", "csat", "articles")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS

# Spellings seen in contact-centre exports. "talk_time" is deliberately absent: talk time is
# only part of handle time (handle = talk + hold + after-contact work), so mapping it would
# silently understate AHT.
_ALIASES = {
    "ticket_id": (
        "ticket", "ticketid", "ticket id", "case_id", "contact_id", "id",
        "شناسه تیکت", "شماره تیکت", "شماره درخواست",  # fa: ticket id / ticket no. / request no.
        "رقم التذكرة", "معرف التذكرة",  # ar: ticket number / ticket identifier
    ),
    "agent": (
        "agent_id", "agent_username", "username", "user",
        "کارشناس", "نام کاربری",  # fa: agent / username
        "الموظف", "الوكيل", "اسم المستخدم",  # ar: employee / agent / username
    ),
    "category": (
        "category_slug", "queue", "topic",
        "دسته", "دسته بندی",  # fa: category
        "الفئة", "التصنيف",  # ar: category / classification
    ),
    "opened_at": (
        "opened", "created", "created_at", "date", "start_time",
        "تاریخ ایجاد", "تاریخ ثبت",  # fa: creation date / registration date
        "تاريخ الإنشاء", "تاريخ الفتح",  # ar: creation date / opening date
    ),
    "handle_seconds": (
        "aht", "handle_time", "handling_time", "duration",
        "مدت رسیدگی",  # fa: handling duration
        "مدة المعالجة",  # ar: handling duration
    ),
    "first_contact_resolution": (
        "fcr", "resolved_first_contact", "first_call_resolution",
        "حل در اولین تماس", "حل در تماس اول",  # fa: resolved on the first contact
        "الحل من أول اتصال", "الحل من الاتصال الأول",  # ar: resolved on the first contact
    ),
    "closed_at": ("closed", "resolved_at"),
    "channel": ("medium",),
    "reopened": ("reopen", "repeat_contact"),
    "nps": ("nps_score", "likelihood_to_recommend"),
    "csat": ("csat_score", "satisfaction"),
    "articles": ("article_ids", "kb_articles", "article_id", "kb_article"),
}

# Separators ignored in header names: space, "_", "-", plus no-break space, zero-width
# non-joiner and tatweel, which Persian/Arabic keyboards insert inside words.
_HEADER_DROP = {ord(char): None for char in " _-\u00a0\u200c\u0640"}
# Arabic and Persian spell some letters differently (yeh, kaf, alef with hamza); a header
# typed on either keyboard must match, and vowel marks never matter.
_HEADER_FOLD = {
    **_HEADER_DROP,
    ord("\u064a"): "\u06cc", ord("\u0649"): "\u06cc",  # Arabic yeh, alef maksura -> Persian yeh
    ord("\u0643"): "\u06a9",  # Arabic kaf -> Persian keheh
    ord("\u0623"): "\u0627", ord("\u0625"): "\u0627", ord("\u0622"): "\u0627",  # alef forms
    **dict.fromkeys(range(1611, 1619)),  # harakat
}


def normalize_header(name):
    """Fold a header name for matching: trimmed, case-folded, separators and variants unified."""
    return clean_cell(name).casefold().translate(_HEADER_FOLD)


_FIELD_BY_HEADER = {
    normalize_header(spelling): field
    for field in FIELDS
    for spelling in (field, *_ALIASES[field])
}


def sniff_delimiter(sample):
    """Guess the delimiter (comma, semicolon or tab) from the first lines of the file."""
    lines = sample.splitlines()[:_SNIFF_LINES]
    header_line = next((line for line in lines if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = None
    # The Sniffer can be fooled by data rows (e.g. commas inside quoted category names); a
    # delimiter the header line does not even contain is never right.
    if delimiter and delimiter in DELIMITERS and _count_outside_quotes(header_line, delimiter):
        return delimiter
    counts = {candidate: _count_outside_quotes(header_line, candidate) for candidate in DELIMITERS}
    best = max(DELIMITERS, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _count_outside_quotes(line, delimiter):
    count = 0
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def map_columns(header_cells):
    """Return ({field: column index}, {field: header as written}, [ignored headers]).

    :raises ResolutionFileError: a field named by two columns, or required fields missing.
    """
    indexes = {}
    headers = {}
    ignored = []
    for index, raw_name in enumerate(header_cells):
        name = clean_cell(clean_text(raw_name))  # shown in warnings and row errors
        field = _FIELD_BY_HEADER.get(normalize_header(raw_name))
        if field is None:
            ignored.append(name or _l("(unnamed column %(position)d)", position=index + 1))
            continue
        if field in indexes:
            raise ResolutionFileError(_l(
                "Columns \"%(first)s\" and \"%(second)s\" both mean %(field)s: keep only one.",
                first=isolate(headers[field]), second=isolate(name), field=isolate(field)))
        indexes[field] = index
        headers[field] = name
    missing = [field for field in REQUIRED_FIELDS if field not in indexes]
    if missing:
        raise ResolutionFileError(_l(
            "Missing required column(s): %(missing)s. Required columns: %(required)s.",
            missing=", ".join(map(isolate, missing)), required=", ".join(map(isolate, REQUIRED_FIELDS))))
    return indexes, headers, ignored
