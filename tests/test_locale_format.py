"""Dates and numbers in each locale's words, calendar and digits (core/locale_format.py)."""
from datetime import UTC, date, datetime, timedelta

import pytest

from core import locale_format as lf
from extensions import db
from tests.factories import make_token, make_user

NOWRUZ_1405 = date(2026, 3, 21)
DECEMBER_3 = date(2026, 12, 3)
PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")
ARABIC_INDIC_DIGITS = set("٠١٢٣٤٥٦٧٨٩")


def digits_in(text):
    return {char for char in text if char.isdigit()}


# Calendars

def test_persian_dates_are_solar_hijri_in_persian_words_and_digits(ctx):
    assert lf.format_date(NOWRUZ_1405, "long", locale="fa") == "۱ فروردین ۱۴۰۵"
    assert lf.format_date(DECEMBER_3, "long", locale="fa") == "۱۲ آذر ۱۴۰۵"
    assert lf.format_date(date(2026, 3, 20), "long", locale="fa") == "۲۹ اسفند ۱۴۰۴"
    assert lf.format_date(NOWRUZ_1405, "short", locale="fa") == "۱۴۰۵/۱/۱"


def test_the_persian_full_date_keeps_the_weekday(ctx):
    assert lf.format_date(NOWRUZ_1405, "full", locale="fa") == "شنبه ۱ فروردین ۱۴۰۵"


def test_thai_dates_are_in_the_buddhist_era(ctx):
    assert lf.format_date(DECEMBER_3, "d MMMM y", locale="th") == "3 ธันวาคม 2569"
    assert lf.format_date(DECEMBER_3, "long", locale="th") == "3 ธันวาคม พ.ศ. 2569"
    assert lf.format_date(DECEMBER_3, "short", locale="th") == "3/12/69"


def test_the_gregorian_calendar_can_be_chosen(ctx):
    assert lf.format_date(NOWRUZ_1405, "long", locale="fa", calendar="gregorian") == "۲۱ مارس ۲۰۲۶"
    assert lf.format_date(DECEMBER_3, "long", locale="th", calendar="gregorian") == "3 ธันวาคม ค.ศ. 2026"


def test_arabic_dates_are_gregorian_in_arabic_indic_digits(ctx):
    text = lf.format_date(DECEMBER_3, "long", locale="ar")
    assert text == "٣ ديسمبر ٢٠٢٦"
    assert digits_in(text) <= ARABIC_INDIC_DIGITS


def test_english_is_unchanged(ctx):
    assert lf.format_date(DECEMBER_3, "medium", locale="en") == "Dec 3, 2026"
    assert lf.format_datetime(datetime(2026, 12, 3, 14, 5, tzinfo=UTC), "short", locale="en") == "12/3/26, 2:05\u202fPM"
    assert lf.format_number(1234.5, locale="en") == "1,234.5"


def test_datetimes_put_the_persian_date_beside_the_time(ctx):
    text = lf.format_datetime(datetime(2026, 3, 21, 9, 30, tzinfo=UTC), "short", locale="fa")
    assert text.startswith("۱۴۰۵/۱/۱")
    assert "۹:۳۰" in text
    assert digits_in(text) <= PERSIAN_DIGITS


# Digits, numbers, percentages

def test_numbers_in_the_locale_digits_and_separators(ctx):
    assert lf.format_number(1234.5, locale="fa") == "۱٬۲۳۴٫۵"
    assert lf.format_number(1234.5, locale="ar") == "١٬٢٣٤٫٥"
    assert lf.format_number(1234.5, locale="th") == "1,234.5"
    assert lf.format_number(2.0, 1, locale="en") == "2.0"


def test_percentages(ctx):
    assert lf.format_percent(0.8, locale="en") == "80%"
    assert lf.format_percent(0.8, locale="fa") == "۸۰٪"
    assert lf.format_percent(0.625, 1, locale="en") == "62.5%"
    assert digits_in(lf.format_percent(0.8, locale="ar")) <= ARABIC_INDIC_DIGITS


def test_thai_digits_are_a_choice():
    assert lf.numbering_system("th") == "latn"
    assert lf.numbering_system("th", "thai") == "thai"
    assert lf.numbering_system("fa", "thai") == "arabext"  # a choice only where the locale offers it
    assert lf.localise_digits("2569", "thai") == "๒๕๖๙"


# Relative times

@pytest.mark.parametrize(("locale", "expected"), [
    ("en", "3 hours ago"), ("fa", "۳ ساعت پیش"), ("th", "3 ชั่วโมงที่ผ่านมา"),
])
def test_relative_times(ctx, locale, expected):
    assert lf.format_relative(timedelta(hours=-3), add_direction=True, locale=locale) == expected


def test_relative_time_since_a_moment(ctx):
    moment = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    text = lf.format_relative(moment, add_direction=True, now=moment + timedelta(days=3), locale="ar")
    assert "٣" in text and "3" not in text


def test_chart_weeks_are_named_in_the_locale(ctx):
    assert lf.week_name(date(2026, 3, 23), locale="fa") == "۳ فروردین ۱۴۰۵"
    assert lf.week_name(date(2026, 11, 23), locale="en") == "Nov 23, 2026"


# Pages

def test_a_persian_page_shows_solar_hijri_dates_in_persian_digits(app, client, auth, clock):
    clock.move_to(datetime(2026, 3, 21, 8, 0, tzinfo=UTC))
    with app.app_context():
        user = make_user("shirin", locale="fa")
        make_token(user)
    auth.login("shirin")
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "۱ فروردین ۱۴۰۵" in page
    assert 'datetime="2026-03-21' in page  # the machine-readable date stays ISO


def test_a_persian_reader_may_choose_the_gregorian_calendar(app, client, auth, clock):
    clock.move_to(datetime(2026, 3, 21, 8, 0, tzinfo=UTC))
    with app.app_context():
        user = make_user("dariush", locale="fa")
        make_token(user)
    auth.login("dariush")
    saved = client.post("/account", data={"display_name": "", "locale": "fa", "calendar": "gregorian",
                                          "digits": "default"})
    assert saved.status_code == 302
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "۲۱ مارس ۲۰۲۶" in page and "فروردین" not in page


def test_a_thai_reader_may_choose_thai_digits(app, client, auth, clock):
    clock.move_to(datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
    with app.app_context():
        user = make_user("somchai", locale="th")
        make_token(user)
    auth.login("somchai")
    assert "3 ธ.ค. 2569" in client.get("/account/tokens").get_data(as_text=True)
    client.post("/account", data={"display_name": "", "locale": "th", "calendar": "default", "digits": "thai"})
    assert "๓ ธ.ค. ๒๕๖๙" in client.get("/account/tokens").get_data(as_text=True)


def test_unknown_calendar_or_digits_are_refused(ctx):
    from accounts import services
    from errors import Invalid

    user = make_user("nima", locale="fa")
    for field, value in (("calendar", "julian"), ("digits", "roman")):
        with pytest.raises(Invalid) as refused:
            services.update_user(user, **{field: value})
        assert refused.value.field == field
    assert (user.calendar, user.digits) == ("default", "default")


def test_a_week_label_names_its_monday():
    from core.periods import week_label, week_monday

    assert week_monday("2026-W48") == date(2026, 11, 23)
    assert week_monday(week_label(date(2027, 1, 4))) == date(2027, 1, 4)


# Typed dates

@pytest.mark.parametrize(("typed", "expected"), [
    ("2026-03-21", "2026-03-21"),
    ("۱۴۰۵-۰۱-۰۱", "2026-03-21"),
    ("1405/1/1", "2026-03-21"),
    ("٢٠٢٦-١٢-٠٣", "2026-12-03"),
    ("2569-12-03", "2026-12-03"),
    ("๒๕๖๙-๑๒-๐๓", "2026-12-03"),
    ("1405-12-31", "1405-12-31"),  # no such Solar Hijri day (1405 is not a leap year): left to refuse
    ("2026-02-30", "2026-02-30"),
    ("next week", "next week"),
    ("", ""),
    (None, None),
])
def test_typed_dates_in_the_locale_digits_and_calendar(typed, expected):
    assert lf.iso_date(typed) == expected


def test_a_dashboard_period_may_be_typed_in_persian(app, client, auth, clock):
    clock.move_to(datetime(2026, 4, 1, 8, 0, tzinfo=UTC))
    with app.app_context():
        make_user("lead_fa", role="lead", locale="fa")
    auth.login("lead_fa")
    page = client.get("/recognition/?since=۱۴۰۵-۰۱-۰۱&until=۱۴۰۵-۰۱-۱۰").get_data(as_text=True)
    assert "۱ فروردین ۱۴۰۵" in page and "۱۰ فروردین ۱۴۰۵" in page


def test_a_whole_datetime_pattern_follows_the_calendar(ctx):
    moment = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    assert lf.format_datetime(moment, "d MMMM y HH:mm", locale="fa") == "۱۲ آذر ۱۴۰۵ ۱۴:۰۵"
    assert lf.format_datetime(moment, None, locale="en") == lf.format_datetime(moment, "medium", locale="en")
    assert lf.format_date(moment, None, locale="th") == "3 ธ.ค. 2569"


@pytest.mark.parametrize("locale, names, ordered", [
    # پ چ ژ گ beside ب ج ز ک, not after every Arabic letter as their code points would put them
    ("fa", ["گل", "کتاب", "پدر", "بابا", "ژاله", "زهرا", "چای", "جام"],
     ["بابا", "پدر", "جام", "چای", "زهرا", "ژاله", "کتاب", "گل"]),
    # a Thai syllable by its consonant: ไก่ and เกม with ก, before ขา
    ("th", ["ขา", "ไก่", "กา"], ["กา", "ไก่", "ขา"]),
    ("ar", ["يوم", "وردة", "هاتف", "نور"], ["نور", "هاتف", "وردة", "يوم"]),
    ("en", ["Zebra", "apple", "Banana"], ["apple", "Banana", "Zebra"]),
])
def test_names_sort_as_the_readers_language_sorts_them(locale, names, ordered):
    assert sorted(names, key=lambda name: lf.sort_key(name, locale=locale)) == ordered


def test_category_choices_follow_the_persian_alphabet(app):
    from flask_babel import force_locale

    from core.categories import category_choices, create_category
    with app.test_request_context():
        for slug, persian in (("gifts", "گارانتی"), ("books", "کارت"), ("parcel", "پست"), ("bills", "برق")):
            create_category(slug.title(), slug, translations={"fa": persian})
        with force_locale("fa"):
            assert [name for _slug, name in category_choices()] == ["برق", "پست", "کارت", "گارانتی"]
        db.session.rollback()


def test_numbers_inside_interface_sentences_take_the_readers_digits_but_user_text_keeps_its_own(app):
    from flask import render_template_string
    from flask_babel import force_locale
    with app.test_request_context():
        with force_locale("fa"):
            html = render_template_string(
                "{{ ngettext('%(num)d view', '%(num)d views', 12) }}|"
                "{{ _('revision %(number)d', number=3) }}|{{ _('Edit %(name)s', name='<b>Router 2000</b>') }}")
        assert html.split("|")[:2] == ["۱۲ بازدید", "نسخهٔ ۳"]
        assert "&lt;b&gt;Router 2000&lt;/b&gt;" in html  # escaped, and the author's digits kept
        with force_locale("en"):
            assert render_template_string("{{ _('revision %(number)d', number=3) }}") == "revision 3"
