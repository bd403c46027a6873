"""Dates and numbers in the reader's locale, calendar and digits: Babel for the patterns, words and
numbers, jdatetime for the Solar Hijri calendar, the Buddhist era as Babel's pattern with the year moved.

Persian pages default to the Solar Hijri calendar and Thai ones to the Buddhist era; a user may pick
the Gregorian calendar (`User.calendar`) and, on Thai pages, Thai digits (`User.digits`). Only the
text shown is localised: the API, URLs and form values keep ISO dates and Latin digits.
"""
import re
from datetime import date, datetime, timedelta

import jdatetime
from babel import Locale, dates, numbers
from flask import current_app, has_app_context, has_request_context
from flask_babel import get_locale, to_user_timezone
from flask_login import current_user

DIGITS = {"latn": "0123456789", "arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹", "thai": "๐๑๒๓๔๕๖๗๘๙"}
# Babel's own default for ar is Latin digits; Knowhow's Arabic pages use the Arabic-Indic ones.
LOCALE_DIGITS = {"fa": "arabext", "ar": "arab"}
# The digits a locale's readers may pick instead of its default.
DIGIT_CHOICES = {"th": ("latn", "thai")}
LOCALE_CALENDARS = {"fa": "persian", "th": "buddhist"}
# What User.calendar and User.digits may hold ("default": the language's own).
CALENDAR_CHOICES = ("default", "gregorian")
DIGITS_CHOICES = ("default", "thai")
BUDDHIST_ERA_OFFSET = 543
_ERA_NAMES = {"persian": "ه‍.ش.", "buddhist": "พ.ศ."}


def resolve_locale(locale: Locale | str | None = None) -> Locale:
    """The explicit locale, else the request's Flask-Babel locale, else English."""
    if locale is not None:
        return Locale.parse(locale)
    return (get_locale() if has_app_context() else None) or Locale.parse("en")


def _user_choice(name):
    if not has_request_context() or not hasattr(current_app, "login_manager") or not current_user.is_authenticated:
        return None
    return getattr(current_user, name, None)


def numbering_system(locale: Locale | str | None = None, choice: str | None = None) -> str:
    """The digits of a locale: Persian for fa, Arabic-Indic for ar, the user's choice for th."""
    place = resolve_locale(locale)
    choice = choice or _user_choice("digits")
    if choice in DIGIT_CHOICES.get(place.language, ()):
        return choice
    return LOCALE_DIGITS.get(place.language, "latn")


def calendar_of(locale: Locale | str | None = None, choice: str | None = None) -> str:
    """persian, buddhist or gregorian: the locale's calendar unless the user chose the Gregorian."""
    choice = choice or _user_choice("calendar")
    if choice == "gregorian":
        return "gregorian"
    return LOCALE_CALENDARS.get(resolve_locale(locale).language, "gregorian")


def localise_digits(text: str, system: str) -> str:
    """Latin digits of interface text written in a numbering system's digits."""
    digits = DIGITS.get(system, DIGITS["latn"])
    return text.translate(str.maketrans(DIGITS["latn"], digits))


def symbols_system(place: Locale, system: str) -> str:
    """The numbering system whose separators Babel should use (Thai digits take the Latin ones)."""
    return system if system in place.number_symbols else "latn"


def localise_symbols(text: str, place: Locale, system: str) -> str:
    """Babel keeps the pattern's ASCII % and - (fa wants ٪ and a marked minus), and Latin digits."""
    symbols = place.number_symbols[symbols_system(place, system)]
    text = text.replace("%", symbols.get("percentSign", "%")).replace("-", symbols.get("minusSign", "-"))
    return localise_digits(text, system)


def format_number(value, decimals: int | None = None, *, locale=None) -> str:
    """A number with the locale's separators and digits; decimals fixes the places shown."""
    place = resolve_locale(locale)
    system = numbering_system(place)
    if decimals is not None:
        value = round(value, decimals)
        text = numbers.format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""),
                                      locale=place, numbering_system=symbols_system(place, system))
    else:
        text = numbers.format_decimal(value, locale=place, numbering_system=symbols_system(place, system))
    return localise_symbols(text, place, system)


def format_percent(value, decimals: int = 0, *, locale=None) -> str:
    """A share (0..1) as the locale writes a percentage, at most `decimals` places: fa ۸۰٪, en 80%."""
    place = resolve_locale(locale)
    system = numbering_system(place)
    text = numbers.format_percent(round(value, decimals + 2), locale=place, decimal_quantization=False,
                                  numbering_system=symbols_system(place, system))
    return localise_symbols(text, place, system)


def _local(value):
    """A datetime in the reader's timezone (Flask-Babel's), a date as it is."""
    if isinstance(value, datetime) and has_app_context():
        return to_user_timezone(value)
    return value


def _quote(text):
    return "'" + text.replace("'", "''") + "'" if text else ""


def _calendar_fields(day: date, calendar: str, place: Locale):
    """The pattern letters whose text the calendar changes, as functions of the letter count."""
    if calendar == "buddhist":
        year = day.year + BUDDHIST_ERA_OFFSET
        return {"y": lambda count: f"{year % 100:02d}" if count == 2 else str(year),
                "G": lambda count: _ERA_NAMES[calendar]}
    solar = jdatetime.date.fromgregorian(date=day, locale="fa_IR" if place.language == "fa" else "en_US")
    return {"y": lambda count: f"{solar.year % 100:02d}" if count == 2 else str(solar.year),
            "M": lambda count: solar.strftime("%B") if count >= 3 else str(solar.month).zfill(count),
            "L": lambda count: solar.strftime("%B") if count >= 3 else str(solar.month).zfill(count),
            "d": lambda count: str(solar.day).zfill(count),
            "G": lambda count: _ERA_NAMES[calendar]}


def _calendar_pattern(pattern: str, day: date, calendar: str, place: Locale) -> str:
    """Babel's pattern with the calendar's year, month and day written in as literal text."""
    if calendar == "gregorian":
        return pattern
    fields = _calendar_fields(day, calendar, place)
    parts, literal = [], ""
    for kind, token in dates.tokenize_pattern(pattern):
        if kind == "field" and token[0] not in fields:
            parts.append(_quote(literal) + token[0] * token[1])
            literal = ""
        else:
            literal += fields[token[0]](token[1]) if kind == "field" else token
    return "".join(parts) + _quote(literal)


def _date_pattern(format: str | None, place: Locale) -> str:
    format = format or "medium"
    return str(dates.get_date_format(format, place).pattern) if format in place.date_formats else format


def format_date(value, format: str = "medium", *, locale=None, calendar=None) -> str:
    """A date (or the reader's day of a datetime, or an ISO date as an API gives it) in the
    locale's words, calendar and digits."""
    place = resolve_locale(locale)
    value = _local(date.fromisoformat(value) if isinstance(value, str) else value)
    day = value.date() if isinstance(value, datetime) else value
    pattern = _calendar_pattern(_date_pattern(format, place), day, calendar_of(place, calendar), place)
    return localise_digits(dates.format_date(day, pattern, locale=place), numbering_system(place))


def format_time(value, format: str = "short", *, locale=None) -> str:
    """The reader's time of day of a datetime, in the locale's digits."""
    place = resolve_locale(locale)
    value = _local(value)
    return localise_digits(dates.format_time(value, format or "short", tzinfo=value.tzinfo, locale=place),
                           numbering_system(place))


def format_datetime(value, format: str = "medium", *, locale=None, calendar=None) -> str:
    """Date and time as the locale joins them (or a whole pattern), the date in the locale's calendar."""
    place = resolve_locale(locale)
    format = format or "medium"
    if format not in place.datetime_formats:
        value = _local(value)
        pattern = _calendar_pattern(format, value.date(), calendar_of(place, calendar), place)
        return localise_digits(dates.format_datetime(value, pattern, tzinfo=value.tzinfo, locale=place),
                               numbering_system(place))
    joined = dates.get_datetime_format(format, place).replace("'", "")
    return (joined.replace("{0}", format_time(value, format, locale=place))
            .replace("{1}", format_date(value, format, locale=place, calendar=calendar)))


def format_relative(value, *, granularity: str = "second", add_direction: bool = False,
                    threshold: float = 0.85, now: datetime | None = None, locale=None) -> str:
    """A timedelta (or the time since a datetime) in words: "3 hours", "3 hours ago", "in 2 days"."""
    place = resolve_locale(locale)
    if isinstance(value, datetime):
        value = value - (now or datetime.now(value.tzinfo))
    elif not isinstance(value, timedelta):
        raise TypeError("format_relative takes a timedelta or a datetime")
    text = dates.format_timedelta(value, granularity=granularity, threshold=threshold,
                                  add_direction=add_direction, locale=place)
    return localise_digits(text, numbering_system(place))


def week_name(monday: date, *, locale=None) -> str:
    """A chart axis label for a week: its Monday in the locale's words, calendar and digits."""
    return format_date(monday, "medium", locale=locale)


_TYPED_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_ASCII_DIGITS = str.maketrans({digit: str(value) for system, digits in DIGITS.items() if system != "latn"
                               for value, digit in enumerate(digits)})
# Years no Gregorian date of Knowhow's has: below 1700 a Solar Hijri year, above 2400 a Buddhist-era one.
SOLAR_HIJRI_YEARS, BUDDHIST_ERA_YEARS = range(1200, 1700), range(2400, 2700)


def iso_date(text: str | None) -> str | None:
    """A date typed on a page in the locale's digits and calendar (۱۴۰۵-۰۱-۰۱, 2569-12-03, 2026/3/21)
    as an ISO 8601 Gregorian date; text that is no such date comes back as it was, for the caller's
    own refusal. Only for page inputs: the API takes ISO dates as they are."""
    if not text:
        return text
    match = _TYPED_DATE.fullmatch(text.strip().translate(_ASCII_DIGITS))
    if not match:
        return text
    year, month, day = (int(part) for part in match.groups())
    try:
        if year in SOLAR_HIJRI_YEARS:
            return jdatetime.date(year, month, day).togregorian().isoformat()
        if year in BUDDHIST_ERA_YEARS:
            year -= BUDDHIST_ERA_OFFSET
        return date(year, month, day).isoformat()
    except ValueError:
        return text


def init_app(app):
    """Replace Flask-Babel's date filters with these and add number and percent filters."""
    app.jinja_env.filters.update(
        dateformat=format_date, datetimeformat=format_datetime, timeformat=format_time,
        timedeltaformat=format_relative, number=format_number, percent=format_percent,
        digits=lambda value: localise_digits(str(value), numbering_system()))
