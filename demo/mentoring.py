"""Demo mentoring: the experts' mentor profiles, mentorships with sessions, one goal met, a request.

The completed mentorship (Reza mentoring Emma in accounts) is measured from the demo resolution
data, where Emma's accounts FCR grows over the year: the loader picks the twelve-week window in
which her FCR rose most and sets the target from what the data shows, so the goal is met for real
by the same code that measures every mentorship.
"""
import math
from datetime import timedelta

from sqlalchemy import select

from accounts.services import get_user
from core.categories import get_category
from core.periods import Period, today_utc
from extensions import db
from mentoring.mentorships import services as mentorships
from mentoring.mentorships.models import MentoringRequest, Mentorship
from mentoring.mentorships.services.impact import metrics_over

# username, categories, capacity, availability, bio
PROFILES = (
    ("sara", ("internet",), 3, "شنبه تا چهارشنبه، بعد از ساعت ۱۴",
     "پنج سال پشتیبانی اینترنت و فیبر. **ترفند من:** قبل از ریست، چراغ LOS و لاگ PPPoE را با مشتری چک کنید."),
    ("somchai", ("internet",), 2, "วันจันทร์–ศุกร์ ช่วงบ่าย",
     "ผู้เชี่ยวชาญ PON และไฟเบอร์ ยินดีช่วยให้แก้ปัญหาได้ตั้งแต่สายแรก"),
    ("fatima", ("billing",), 3, "الأحد إلى الخميس، بعد الظهر",
     "خبرة في نزاعات الفواتير والاسترداد. أعلّم كيف تَعِد العميل بما ستفي به فقط."),
    ("james", ("billing",), 2, "Mornings before the 11:00 peak",
     "Billing disputes, refunds and payment plans. I keep a checklist for double charges."),
    ("reza", ("accounts",), 2, "یکشنبه‌ها و سه‌شنبه‌ها",
     "قفل حساب، احراز هویت دو مرحله‌ای و امنیت حساب مشتری."),
    ("emma", ("accounts",), 2, "Thursdays after lunch",
     "Lockouts and 2FA resets. Mentored by Reza last year, happy to pass it on."),
    ("yusuf", ("mobile",), 2, "الاثنين والأربعاء", "شرائح eSIM والتجوال وأكواد PUK."),
    ("nok", ("mobile",), 3, "ทุกวันพุธ", "ซิม PUK เติมเงินไม่เข้า และ eSIM"),
    ("layla", ("tv",), 2, "الثلاثاء صباحاً", "أجهزة التلفزيون والبث دون زيارة فني."),
    ("anong", ("tv",), 2, "วันอังคารและพฤหัสบดี", "กล่องทีวีค้างที่โลโก้ และแอปสตรีมมิ่ง"),
    ("nima", ("moves",), 2, "هر روز ساعت ۱۰ تا ۱۲",
     "جابه‌جایی و انتقال خط: زمان‌بندی دقیق و قول درست به مشتری."),
)

# (days ago, minutes, notes, next steps) per active demo mentorship
SARA_REZA_SESSIONS = (
    (30, 45, "مرور ۱۰ تماس اینترنتی که مشتری دوباره تماس گرفت. بیشترشان ریست مودم بدون بررسی چراغ LOS بود.",
     "- قبل از ریست، وضعیت LOS و PPPoE را بپرس\n- مقاله «چراغ LOS قرمز» را بخوان"),
    (16, 30, "گوش دادن مشترک به دو تماس. رضا سریع است اما قبل از قطع تماس، نتیجه را با مشتری تأیید نمی‌کند.",
     "در پایان هر تماس بپرس: «الان اینترنت وصل است؟»"),
    (4, 30, "FCR هفته‌های اخیر بهتر شده. روی تماس‌های کندی سرعت شبانه کار کردیم.", "مقاله کندی شبانه را مرور کن."),
)
FATIMA_YUSUF_SESSIONS = (
    (18, 40, "راجعنا نزاعات الفواتير المتكررة. يوسف يَعِد باسترداد خلال ٣ أيام بينما المدة الفعلية ٧ أيام.",
     "استخدم قائمة التحقق من الرسوم المزدوجة قبل أي وعد."),
    (5, 30, "تمرين على شرح الفاتورة الأولى النسبية للعميل.", "اقرأ مقال الفاتورة النسبية."),
)
NOK_ANONG_SESSIONS = (
    (6, 30, "ฝึกขั้นตอนเปิดใช้งาน eSIM กับลูกค้า iPhone และ Android", "ลองรับสาย eSIM เองโดยไม่ส่งต่อ 5 สาย"),
)
REZA_EMMA_NOTES = (
    "Walked through the lockout flow: verify identity first, then unlock; never the other way round.",
    "Listened to three 2FA calls together. Emma now checks the registered device before resetting.",
    "Reviewed her repeat contacts: almost none on lockouts now. Next: SIM-swap fraud checks.",
)


def _load_profiles():
    created = 0
    for username, slugs, capacity, availability, bio in PROFILES:
        user = get_user(username)
        categories = [get_category(slug) for slug in slugs]
        if user is None or None in categories or mentorships.get_profile(user) is not None:
            continue
        mentorships.save_mentor_profile(user, categories, capacity, availability, bio)
        created += 1
    return created


def _exists(mentor, mentee, category):
    return db.session.scalar(select(Mentorship.id).where(
        Mentorship.mentor_id == mentor.id, Mentorship.mentee_id == mentee.id,
        Mentorship.category_id == category.id).limit(1)) is not None


def _log(mentorship, sessions, author, today):
    for days_ago, minutes, notes, next_steps in sessions:
        mentorships.log_session(author, mentorship, today - timedelta(days=days_ago), minutes, notes,
                                next_steps, today=today)


def _best_growth_window(mentee, category, today):
    """(start, before FCR, since FCR) of the 12-week window, among recent ones, where FCR rose most."""
    best = None
    for weeks_ago in range(36, 19, -1):
        start = today - timedelta(weeks=weeks_ago)
        end = start + timedelta(weeks=12) - timedelta(days=1)
        windows = mentorships.impact_windows(start, end, today)
        before = metrics_over(mentee, category, windows.before)
        since = metrics_over(mentee, category, Period(start, end))
        if before.fcr is None or since.fcr is None or since.contacts < mentorships.GOAL_MIN_SAMPLE:
            continue
        if best is None or since.fcr - before.fcr > best[2] - best[1]:
            best = (start, before.fcr, since.fcr)
    return best


def _completed_with_goal_met(today):
    """Reza mentored Emma in accounts for twelve weeks; her FCR reached the target."""
    reza, emma, leila = get_user("reza"), get_user("emma"), get_user("leila")
    category = get_category("accounts")
    if None in (reza, emma, leila, category) or _exists(reza, emma, category):
        return 0
    window = _best_growth_window(emma, category, today)
    if window is not None and math.floor(window[2] * 100) / 100 > window[1]:
        start, _before, since = window
        goal = {"metric": "fcr", "target": math.floor(since * 100) / 100,
                "text": "Resolve lockouts and 2FA resets on the first contact."}
    else:
        # The data did not show growth: a goal in words, confirmed by her lead.
        start, goal = today - timedelta(weeks=30), {"text": "Resolve lockouts and 2FA resets on the first contact."}
    mentorship = mentorships.assign_mentorship(leila, reza, emma, category, goal, start,
                                               start + timedelta(weeks=12), today=today)
    for index, notes in enumerate(REZA_EMMA_NOTES):
        mentorships.log_session(reza, mentorship, start + timedelta(weeks=1 + 4 * index), 40, notes, today=today)
    mentorships.close_mentorship(leila, mentorship, "completed", start + timedelta(weeks=12) - timedelta(days=1),
                                 "Emma now holds the accounts title herself.", goal_confirmed=True, today=today)
    return 1


def _fcr_goal(mentee, category, start, step, ceiling, text):
    """An FCR goal a step better than the mentee's baseline (a whole percent), capped.

    A baseline already at the ceiling leaves no number to aim for: the goal is then in words.
    """
    baseline = metrics_over(mentee, category, mentorships.baseline_window(start)).fcr
    if baseline is None:
        return {"metric": "fcr", "target": ceiling, "text": text}
    target = min(ceiling, math.ceil((baseline + step) * 100) / 100)
    return {"metric": "fcr", "target": target, "text": text} if target > baseline else {"text": text}


def _active_mentorships(today):
    created = 0
    internet, billing, mobile = get_category("internet"), get_category("billing"), get_category("mobile")
    sara, reza, leila = get_user("sara"), get_user("reza"), get_user("leila")
    if None not in (sara, reza, leila, internet) and not _exists(sara, reza, internet):
        start = today - timedelta(weeks=5)
        goal = _fcr_goal(reza, internet, start, 0.10, 0.95, "کمتر تماس تکراری: مشکل را همان بار اول حل کن.")
        mentorship = mentorships.assign_mentorship(leila, sara, reza, internet, goal, start,
                                                   start + timedelta(weeks=12), today=today)
        _log(mentorship, SARA_REZA_SESSIONS, sara, today)
        created += 1
    fatima, yusuf = get_user("fatima"), get_user("yusuf")
    if None not in (fatima, yusuf, billing) and not _exists(fatima, yusuf, billing):
        start = today - timedelta(weeks=3)
        goal = _fcr_goal(yusuf, billing, start, 0.08, 0.95, "أريد أن أحل نزاعات الفواتير من أول اتصال.")
        request = mentorships.create_mentoring_request(yusuf, yusuf, billing, goal, fatima)
        mentorship = mentorships.accept_mentoring_request(fatima, request, start, start + timedelta(weeks=10),
                                                          today=today)
        _log(mentorship, FATIMA_YUSUF_SESSIONS, fatima, today)
        created += 1
    nok, anong = get_user("nok"), get_user("anong")
    if None not in (nok, anong, mobile) and not _exists(nok, anong, mobile):
        start = today - timedelta(weeks=2)
        request = mentorships.create_mentoring_request(
            anong, anong, mobile, {"text": "รับสายเปิดใช้งาน eSIM ได้เองโดยไม่ต้องส่งต่อ"}, nok)
        mentorship = mentorships.accept_mentoring_request(nok, request, start, start + timedelta(weeks=8),
                                                          today=today)
        _log(mentorship, NOK_ANONG_SESSIONS, nok, today)
        created += 1
    return created


def _open_request():
    nima, james, billing = get_user("nima"), get_user("james"), get_category("billing")
    if None in (nima, james, billing) or db.session.scalar(select(MentoringRequest.id).where(
            MentoringRequest.mentee_id == nima.id, MentoringRequest.category_id == billing.id).limit(1)):
        return 0
    mentorships.create_mentoring_request(nima, nima, billing, {
        "metric": "aht", "target": 420,
        "text": "Explain pro-rata first bills quickly without a callback."}, james)
    return 1


def load_mentoring():
    """Mentor profiles, three active mentorships, one completed with its goal met, an open request."""
    today = today_utc()
    profiles = _load_profiles()
    db.session.flush()
    completed = _completed_with_goal_met(today)
    active = _active_mentorships(today)
    requests = _open_request()
    db.session.flush()
    return ["mentoring: %d mentor profiles, %d active and %d completed mentorships, %d open requests added"
            % (profiles, active, completed, requests)]
