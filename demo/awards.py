"""Demo recognition: expert titles matching the demo resolution data, badges and kudos."""
from datetime import timedelta

from sqlalchemy import select

from accounts.services import get_user
from core.categories import get_category, list_categories
from core.clock import utcnow
from extensions import db
from kb.services import list_articles
from recognition.awards import services
from recognition.awards.models import BadgeAward, Kudos

# category, expert, lead who awards, the lead's note
TITLES = (
    ("internet", "sara", "leila", "بالاترین FCR تیم در مشکلات مودم و فیبر؛ راه‌حل چراغ LOS را به همه یاد داد."),
    ("internet", "somchai", "pim", "แก้ปัญหา PON กระพริบได้ตั้งแต่สายแรก ลูกค้าไม่ต้องโทรซ้ำ"),
    ("billing", "fatima", "omar", "أعلى نسبة حل من أول اتصال في الفواتير، وأقل إعادة فتح."),
    ("billing", "james", "omar", "Clear refund promises and the best CSAT on billing disputes."),
    ("accounts", "reza", "leila", "قفل حساب و احراز هویت را سریع و امن حل می‌کند."),
    ("accounts", "emma", "leila", "Best first-contact resolution on lockouts and 2FA resets."),
    ("mobile", "yusuf", "omar", "خبير الشرائح الإلكترونية والتجوال: حل من أول مكالمة."),
    ("mobile", "nok", "pim", "เชี่ยวชาญเรื่องซิม PUK และเติมเงินไม่เข้า"),
    ("tv", "layla", "omar", "تحل مشاكل أجهزة التلفزيون والبث دون زيارة فني."),
    ("tv", "anong", "pim", "แก้กล่องทีวีค้างที่โลโก้ได้ในสายเดียว"),
    ("moves", "nima", "leila", "جابه‌جایی و انتقال خط را با زمان‌بندی دقیق به مشتری قول می‌دهد و انجام می‌دهد."),
)

# person, badge, lead, reason, days ago
BADGES = (
    ("sara", "customer-hero", "leila", "یک مشتری کسب‌وکار را تا وصل شدن دوباره فیبر پشت خط نگه داشت.", 12),
    ("fatima", "great-mentor", "omar", "درّبت يوسف على نزاعات الفواتير حتى ارتفع FCR لديه.", 20),
    ("somchai", "knowledge-sharer", "pim", "เขียนบทความ PON กระพริบให้ทั้งทีมใช้", 8),
    ("james", "knowledge-sharer", "omar", "Turned his refund checklist into the double-charge article.", 5),
    ("layla", "customer-hero", "omar", "أنقذت اشتراك عميل غاضب بحل مشكلة البث في مكالمة واحدة.", 3),
)

# sender, recipient, message, days ago
KUDOS = (
    ("reza", "sara", "ممنون سارا! ترفند ریست مودم تماس امروزم را نجات داد.", 9),
    ("emma", "sara", "Your LOS-light article made my call two minutes long. Thank you!", 6),
    ("yusuf", "fatima", "شكراً فاطمة على شرح خطة الدفع، العميل كان سعيداً.", 11),
    ("layla", "james", "Thanks for the pro-rata explanation, the customer finally got it.", 4),
    ("nok", "somchai", "ขอบคุณพี่สมชายที่ช่วยเรื่องเน็ตหลุดค่ะ", 7),
    ("anong", "nok", "ขอบคุณที่สอนวิธีปลดล็อก PUK นะคะ", 2),
    ("nima", "reza", "رضا جان مرسی بابت راهنمایی احراز هویت مشتری.", 1),
    ("james", "emma", "Thanks Emma, your 2FA steps saved me an escalation.", 1),
    ("sara", "nima", "نیما ممنون، زمان نصب را دقیق به مشتری گفتی و انجام شد.", 0),
)


def _backdate(days_ago):
    return utcnow() - timedelta(days=days_ago, hours=days_ago % 5)


def _load_titles():
    created = 0
    for slug, username, lead, reason in TITLES:
        category, user = get_category(slug), get_user(username)
        if category is None or user is None or services.holds_current_title(user, category.id):
            continue
        services.award_title(get_user(lead), user, category, reason)
        created += 1
    return created


def _load_badges():
    created = 0
    for username, slug, lead, reason, days_ago in BADGES:
        user = get_user(username)
        if user is None or db.session.scalar(select(BadgeAward.id).where(
                BadgeAward.user_id == user.id, BadgeAward.reason == reason)) is not None:
            continue
        award = services.award_badge(get_user(lead), user, slug, reason)
        award.awarded_at = _backdate(days_ago)
        created += 1
    return created


def _load_kudos():
    created = 0
    for sender, recipient, message, days_ago in KUDOS:
        if db.session.scalar(select(Kudos.id).where(Kudos.message == message)) is not None:
            continue
        kudos = services.give_kudos(get_user(sender), get_user(recipient), message)
        kudos.created_at = _backdate(days_ago)
        created += 1
    return created


def _evaluate_published_articles():
    """Automatic badges for articles published before the badge definitions existed."""
    awarded = 0
    for article in db.session.scalars(list_articles(get_user("admin"))):
        for award in services.evaluate_badges(article.author, "article_published",
                                              article=article):
            award.awarded_at = article.published_at or award.awarded_at
            awarded += 1
    return awarded


def load_awards():
    """Default badges, the demo experts' titles, a few badges and kudos (idempotent)."""
    services.ensure_default_badges()
    titles, badges, kudos = _load_titles(), _load_badges(), _load_kudos()
    automatic = _evaluate_published_articles()
    top = services.award_top_performer_badges(list_categories())
    db.session.flush()
    return ["awards: %d titles, %d badges, %d kudos, %d automatic and %d top-performer badges "
            "added" % (titles, badges, kudos, automatic, len(top))]
