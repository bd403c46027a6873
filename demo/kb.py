"""Demo knowledge base: categories and how-to articles from demo/content, with history and feedback.

categories.txt has one category a line: `slug | English name | description | fa | ar | th`.
Each articles/*.md file starts with `key: value` lines (title, category, lang, author, tags,
status, summary) up to a line `---`; the Markdown body follows.
"""
import os
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from accounts import services as accounts
from accounts.models import User
from core.categories import create_category, get_category
from core.clock import utcnow
from extensions import db
from kb import services
from kb.models import Article

CONTENT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "content")
# Days since each published article was last checked, in turn; with the default 90-day
# interval the 97 and 120 make a couple of articles overdue.
CHECKED_DAYS_AGO = (6, 14, 23, 31, 45, 52, 60, 68, 75, 83, 97, 12, 38, 120, 19, 64)
VOTE_COMMENTS = {
    "en": {True: ("Worked first time, thanks.",
                  "Giving the time frame up front calmed the call right down."),
           False: ("The screen in step 3 has moved in the new billing tool.",)},
    "fa": {True: ("همین روش جواب داد، ممنون.", "مشتری با زمانی که گفتم قانع شد و دیگر زنگ نزد."),
           False: ("مرحلهٔ ۳ در پنل جدید جابه‌جا شده، لطفاً به‌روز کنید.",)},
    "ar": {True: ("نجحت الخطوات من أول مرة، شكرًا.", "العميل ارتاح لما عرف المدة المتوقعة من البداية."),
           False: ("الخطوة الثالثة تغيّرت في النظام الجديد.",)},
    "th": {True: ("ทำตามแล้วได้ผลเลย ขอบคุณค่ะ", "บอกระยะเวลาให้ลูกค้าตั้งแต่แรก ลูกค้าพอใจมาก"),
           False: ("ขั้นตอนที่ 3 ในระบบใหม่เปลี่ยนไปแล้ว",)},
}

# An agent's report on each overdue article: the demo review queue has flags to resolve.
FLAG_REASONS = {
    "en": "The fee in the steps changed last month; please check the amounts.",
    "fa": "مبلغ‌هایی که در مراحل آمده از ماه پیش عوض شده، لطفاً بررسی کنید.",
    "ar": "الرسوم المذكورة في الخطوات تغيّرت الشهر الماضي، يرجى مراجعتها.",
    "th": "ค่าบริการในขั้นตอนเปลี่ยนไปตั้งแต่เดือนที่แล้ว รบกวนตรวจสอบตัวเลขอีกครั้ง",
}


def read_categories(path):
    """Category records from a categories.txt file; blank lines and # comments are skipped."""
    categories = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [part.strip() for part in line.split("|")]
            parts += [""] * (6 - len(parts))
            slug, name, description, name_fa, name_ar, name_th = parts[:6]
            categories.append({"slug": slug, "name": name, "description": description,
                               "translations": {"fa": name_fa, "ar": name_ar, "th": name_th}})
    return categories


def parse_article(text):
    """(headers, Markdown body) of an article file."""
    headers, lines = {}, text.lstrip("\ufeff").splitlines()
    for index, line in enumerate(lines):
        if line.strip() == "---":
            return headers, "\n".join(lines[index + 1:]).strip("\n") + "\n"
        key, _, value = line.partition(":")
        if key.strip():
            headers[key.strip().lower()] = value.strip()
    raise ValueError("no '---' line ends the header")


def first_draft_of(body):
    """(the body without its last `## ` section, that section's heading): the first version.

    A body with fewer than two sections comes back whole, with an empty heading.
    """
    lines = body.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("## ")]
    if len(starts) < 2:
        return body, ""
    return "\n".join(lines[:starts[-1]]).rstrip() + "\n", lines[starts[-1]][3:].strip()


def _verifier_for(author):
    if author.team is not None and author.team.lead is not None:
        return author.team.lead
    return db.session.scalar(select(User).where(User.role == "lead")
                             .order_by(User.username))


def _backdate(article, checked_days_ago, now, review_interval_days):
    """Spread the demo over the past months so that history and freshness look lived-in."""
    written = now - timedelta(days=checked_days_ago + 21)
    article.created_at = written
    for offset, revision in enumerate(article.revisions):
        revision.created_at = written + timedelta(days=offset * 18, hours=offset * 3)
    article.updated_at = article.revisions[-1].created_at
    if article.status == "published":
        article.published_at = article.verified_at = now - timedelta(days=checked_days_ago)
        article.review_due = article.verified_at + timedelta(days=review_interval_days)


def _add_votes(article, voters, rng, now, checked_days_ago):
    """A handful of mostly helpful votes from colleagues since the last check, some with a comment."""
    comments = VOTE_COMMENTS.get(article.lang, VOTE_COMMENTS["en"])
    count = 0
    for voter in rng.sample(voters, k=min(len(voters), rng.randint(3, 9))):
        if voter.id == article.author_id:
            continue
        helpful = rng.random() < 0.82
        comment = rng.choice(comments[helpful]) if rng.random() < 0.3 else ""
        vote, _created = services.record_feedback(article, voter, helpful, comment)
        vote.created_at = vote.updated_at = now - timedelta(days=checked_days_ago * rng.random())
        count += 1
    return count


def _load_article(headers, body, index, now, review_interval_days, voters):
    """Create one demo article with two revisions; returns the number of votes, or None."""
    author = accounts.get_user(headers.get("author", ""))
    category = get_category(headers.get("category", ""))
    if author is None or category is None:
        return None
    first_body, last_heading = first_draft_of(body)
    article = services.create_article(
        author, headers["title"], first_body, category, tags=headers.get("tags", ""),
        lang=headers.get("lang", "en"), summary=headers.get("summary", ""), note="First version")
    if last_heading:
        services.update_article(article, author, body=body, note="Added “%s”" % last_heading)
    status = headers.get("status", "draft")
    if status in ("in_review", "published"):
        services.submit_for_review(article, author)
    votes = 0
    checked_days_ago = CHECKED_DAYS_AGO[index % len(CHECKED_DAYS_AGO)]
    if status == "published":
        services.publish_article(article, _verifier_for(author), review_interval_days)
        rng = random.Random(index)
        votes = _add_votes(article, voters, rng, now, checked_days_ago)
        # Readers since it was published: most read it without voting (issue 17: the demo showed
        # every article with 0 views, as if nobody had opened one).
        article.view_count = votes * rng.randint(4, 9) + rng.randint(3, 25)
    _backdate(article, checked_days_ago, now, review_interval_days)
    if article.is_overdue(now):
        reporter = next((voter for voter in voters
                         if voter.id != author.id and voter.role == "agent"), None)
        if reporter is not None:
            services.flag_article(article, reporter, FLAG_REASONS.get(article.lang, FLAG_REASONS["en"]))
    return votes


def load_kb(content_dir=CONTENT_DIR, now=None, review_interval_days=None):
    """Load the demo categories and articles that are not there yet; returns summary lines."""
    now = now or utcnow()
    if review_interval_days is None:
        review_interval_days = current_app.config["REVIEW_INTERVAL_DAYS"]
    created_categories = 0
    for record in read_categories(os.path.join(content_dir, "categories.txt")):
        if get_category(record["slug"]) is None:
            create_category(record["name"], record["slug"], record["description"],
                                     record["translations"])
            created_categories += 1
    db.session.flush()

    voters = db.session.scalars(select(User).where(User.active.is_(True))
                                .order_by(User.username)).all()
    article_dir = os.path.join(content_dir, "articles")
    names = sorted(name for name in os.listdir(article_dir) if name.endswith(".md"))
    created, skipped, votes = 0, [], 0
    for index, name in enumerate(names):
        with open(os.path.join(article_dir, name), encoding="utf-8") as source:
            headers, body = parse_article(source.read())
        exists = db.session.scalar(select(Article.id).where(
            Article.title == " ".join(headers.get("title", "").split()),
            Article.lang == headers.get("lang", "en")))
        if exists is not None:
            continue
        added = _load_article(headers, body, index, now, review_interval_days, voters)
        if added is None:
            skipped.append(name)
            continue
        created += 1
        votes += added
    db.session.flush()
    summary = ["kb: %d categories and %d articles created (%d votes), %d article files"
               % (created_categories, created, votes, len(names))]
    if skipped:
        summary.append("kb: skipped (unknown author or category): %s" % ", ".join(skipped))
    return summary
