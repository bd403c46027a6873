"""Articles: writing and editing (each save a revision), reading, listing and tags."""
import unicodedata

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from accounts.mentions import notify_mentions
from accounts.permissions import can, expert_category_ids, require
from core.categories import require_category
from core.markdown import CUSTOMER_SECTION_HEADINGS, check_markdown, extract_section
from core.read_buffer import buffer_value
from errors import Conflict, Invalid, NotFound
from extensions import db
from kb.models import (
    ARTICLE_LANGUAGES,
    ARTICLE_STATUSES,
    SUMMARY_MAX_CHARS,
    TAG_MAX_CHARS,
    TITLE_MAX_CHARS,
    Article,
    Tag,
    article_tag,
)
from kb.services.following import announce_revision
from kb.services.images import attach_images
from kb.services.lifecycle import DEFAULT_REVIEW_INTERVAL_DAYS, change_status, check_status_change, mark_verified
from kb.services.outdated import original_changed, translation_updated
from kb.services.publish_check import check_publishable
from kb.services.revisions import add_revision, clean_note

# The body limit is the MAX_ARTICLE_CHARS setting (KNOWHOW_MAX_ARTICLE_CHARS); this is its default.
DEFAULT_BODY_MAX_CHARS = 200_000
# What kb/api.py still quotes in its request-size message (200,000 characters of English).
MAX_TAGS = 20
SLUG_MAX_CHARS = 80
# A slug keeps letters, digits and every mark of a word: Thai vowel and tone marks, Arabic
# harakat, and Persian's zero-width non-joiner (می‌روم); anything else separates words.
_SLUG_MARKS = ("Mn", "Mc", "Me")
_ZWNJ = "\u200c"
# How writers actually title the section besides the template's own headings ("what do we
# tell", "what to say"...); article content, so fixed here rather than translated.
CUSTOMER_HEADING_VARIANTS = (
    "What to say to the customer", "Tell the customer",
    "به مشتری چه بگوییم", "به مشتری چه بگویید", "آنچه به مشتری می‌گوییم",
    "ماذا نقول للعميل", "ما نقوله للعميل", "ما يجب قوله للعميل",
    "สิ่งที่ควรแจ้งลูกค้า", "แจ้งลูกค้าอย่างไร",
)


def slug_for_title(title):
    """A readable URL part from a title in any script ("Modem lights: reset" → "modem-lights-reset")."""
    text = unicodedata.normalize("NFKC", title or "").casefold()
    kept = "".join(char if char.isalnum() or char == _ZWNJ or unicodedata.category(char) in _SLUG_MARKS
                   else " " for char in text)
    slug = "-".join(kept.split())
    if len(slug) > SLUG_MAX_CHARS:
        end = SLUG_MAX_CHARS
        while end > 0 and unicodedata.category(slug[end]) in _SLUG_MARKS:
            end -= 1  # never part a letter from its marks
        slug = slug[:end]
    return slug.strip("-" + _ZWNJ) or "article"


def clean_title(title):
    """The title with blanks collapsed; Invalid when empty or over 200 characters."""
    title = " ".join((title or "").split()) if isinstance(title, str) else ""
    if not title:
        raise Invalid("title", _l("Enter a title."))
    if len(title) > TITLE_MAX_CHARS:
        raise Invalid("title", _l("The title may have at most %(n)d characters (this one has %(count)d).",
                                  n=TITLE_MAX_CHARS, count=len(title)))
    return title


def article_request_bytes(config):
    """The body limit of a request carrying an article (form or JSON): room for the longest
    article and the other fields even when every character is escaped (up to 12 bytes each)."""
    return config["MAX_ARTICLE_CHARS"] * 12 + 64 * 1024


def too_much_text():
    """Why a request carrying an article was refused for its size, with the limit."""
    return _l("That is too much text for one article: at most %(limit)d characters of Markdown. "
              "Split it into several articles.", limit=body_max_chars())


def body_max_chars():
    """How many characters an article body may have (the MAX_ARTICLE_CHARS setting)."""
    if not has_app_context():
        return DEFAULT_BODY_MAX_CHARS
    return current_app.config.get("MAX_ARTICLE_CHARS", DEFAULT_BODY_MAX_CHARS)


def clean_body(body):
    """The Markdown with line endings normalised; Invalid when empty, too long or too deep."""
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n") if isinstance(body, str) else ""
    if not body.strip():
        raise Invalid("body", _l("Write the article: the body is empty."))
    check_markdown("body", body, body_max_chars(), too_long=lambda count, limit: _l(
        "The article is too long: %(count)d characters of Markdown, at most %(n)d. "
        "Split it into several articles.", count=count, n=limit))
    return body


def clean_summary(summary):
    """The summary with blanks collapsed; Invalid when over 300 characters."""
    summary = " ".join((summary or "").split())
    if len(summary) > SUMMARY_MAX_CHARS:
        raise Invalid("summary", _l("The summary may have at most %(n)d characters.", n=SUMMARY_MAX_CHARS))
    return summary


def clean_lang(lang):
    """The language code; Invalid unless it is en, fa, ar or th."""
    if lang not in ARTICLE_LANGUAGES:
        raise Invalid("lang", _l("Unknown language “%(lang)s”: choose one of %(choices)s.",
                                 lang=str(lang)[:12], choices=", ".join(ARTICLE_LANGUAGES)))
    return lang


def parse_tags(tags):
    """Tag names from a list or a comma-separated string: trimmed, deduplicated, checked."""
    if isinstance(tags, str):
        tags = tags.replace("،", ",").split(",")  # the Arabic comma separates tags too
    names, seen = [], set()
    for tag in tags or ():
        if not isinstance(tag, str):
            raise Invalid("tags", _l("Tags must be strings."))
        name = " ".join(tag.split())
        if not name or name.casefold() in seen:
            continue
        if len(name) > TAG_MAX_CHARS:
            raise Invalid("tags", _l("A tag may have at most %(n)d characters.", n=TAG_MAX_CHARS))
        seen.add(name.casefold())
        names.append(name)
    if len(names) > MAX_TAGS:
        raise Invalid("tags", _l("An article may have at most %(n)d tags.", n=MAX_TAGS))
    return names


def _tags_named(names):
    """The Tag rows for `names`, created where missing."""
    tags = []
    for name in names:
        tag = db.session.scalar(select(Tag).where(Tag.key == name.casefold()))
        if tag is None:
            tag = Tag(name=name, key=name.casefold())
            db.session.add(tag)
        tags.append(tag)
    return tags


def get_tag(name):
    """The tag with this name (case-insensitively), or None."""
    return db.session.scalar(select(Tag).where(Tag.key == " ".join((name or "").split()).casefold()))


def create_article(author, title, body, category, tags=(), lang="en", summary="", status=None,
                   note="", source_answer_id=None,
                   review_interval_days=DEFAULT_REVIEW_INTERVAL_DAYS):
    """Write a new article (revision 1); `status` may be draft, in_review or published.

    :raises Invalid: bad title, body, category, language, tags or status.
    :raises PermissionDenied: publishing without being an expert of the category or a lead.
    """
    require(author, "article.create")
    category = require_category(category)
    fields = dict(title=clean_title(title), body=clean_body(body), summary=clean_summary(summary),
                  lang=clean_lang(lang))
    tag_names = parse_tags(tags)
    note = clean_note(note)
    status = status or "draft"
    if status not in ARTICLE_STATUSES or status == "archived":
        raise Invalid("status", _l("A new article is a draft, in_review or published."))
    article = Article(author=author, category=category, slug=slug_for_title(fields["title"]),
                      source_answer_id=source_answer_id, status="draft", **fields)
    # Checked on the unsaved draft, so that a refusal writes nothing.
    check_status_change(article, author, status, category)
    if status != "draft":
        check_publishable(article.title, article.body)
    db.session.add(article)
    article.tags = _tags_named(tag_names)
    db.session.flush()
    add_revision(article, author, note or str(_l("First version")))
    attach_images(article, author)
    # Before publishing: who may read the draft is told now, the others when it is published.
    _notify_mentions(article, author, "")
    change_status(article, author, status, review_interval_days)
    return article


def update_article(article, editor, title=None, body=None, summary=None, category=None, tags=None,
                   lang=None, status=None, note="", base_revision=None,
                   review_interval_days=DEFAULT_REVIEW_INTERVAL_DAYS):
    """Save changes as a new revision; arguments left None stay as they are.

    :param base_revision: the revision the editor started from; a newer one is a Conflict.
    :raises PermissionDenied: the editor may not edit the article or set that status.
    """
    require(editor, "article.edit", article)
    if base_revision is not None and base_revision != article.revision_number:
        raise Conflict("revision", _l("Someone saved revision %(number)d while you were editing. Copy "
                                      "your changes, reload the article and apply them again.",
                                      number=article.revision_number))
    changes = {}
    if title is not None:
        changes["title"] = clean_title(title)
    if body is not None:
        changes["body"] = clean_body(body)
    if summary is not None:
        changes["summary"] = clean_summary(summary)
    if lang is not None:
        changes["lang"] = clean_lang(lang)
    new_category = require_category(category) if category is not None else article.category
    tag_names = parse_tags(tags) if tags is not None else None
    note = clean_note(note)
    if new_category.id != article.category_id and article.status != "draft":
        # Moving reviewed content into a category is a publishing decision there.
        require(editor, "article.publish", new_category)
    check_status_change(article, editor, status, new_category)

    changed = {name: value for name, value in changes.items() if getattr(article, name) != value}
    previous_html = article.html if "body" in changed else ""
    for name, value in changed.items():
        setattr(article, name, value)
    if "title" in changed:
        article.slug = slug_for_title(article.title)
    if new_category.id != article.category_id:
        article.category = new_category
        changed["category"] = new_category.slug
    if tag_names is not None and (sorted(tag.key for tag in article.tags)
                                  != sorted(name.casefold() for name in tag_names)):
        article.tags = _tags_named(tag_names)
        changed["tags"] = tag_names
    was_published = article.status == "published"
    if changed:
        add_revision(article, editor, note)
        if article.status == "published" and status in (None, "published"):
            # An edit of a published article is live at once: a newly published revision. An
            # expert who updates an out-of-date translation has checked it; an author's update
            # stays due for the experts' check.
            was_outdated = article.translation_outdated_at is not None
            translation_updated(article)
            if was_outdated and can(editor, "article.verify", article):
                mark_verified(article, editor, review_interval_days)
            original_changed(article)
    attach_images(article, editor)
    # Before a change of status: who may read it now is told now, the others if it is published.
    told = _notify_mentions(article, editor, previous_html) if "body" in changed else []
    change_status(article, editor, status, review_interval_days)
    if changed and was_published and article.status == "published":
        announce_revision(article, editor, told)
    return article


def _notify_mentions(article, writer, previous_html):
    """Tell the people the article's body now mentions, and did not before, who may read it
    (from the revisions' HTML, rendered already before the write)."""
    return notify_mentions(writer, article.html, previous_html, article.path, article.title,
                           may_see=lambda person: can(person, "article.view", article))


def customer_section(article):
    """The Markdown of the article's "What to tell the customer" section, or None."""
    return extract_section(article.body, CUSTOMER_SECTION_HEADINGS + CUSTOMER_HEADING_VARIANTS)


def get_article(article_id):
    """The article with this id, or NotFound."""
    article = db.session.get(Article, article_id) if isinstance(article_id, int) else None
    if article is None:
        raise NotFound(_l("No article with id %(id)s.", id=str(article_id)[:20]))
    return article


ARTICLE_VIEWS = "article-views"


def record_article_view(article, viewer):
    """Count a read of the article: every opening of its page by someone other than its author
    counts, a reader who comes back to it again (reading during several calls is reading it
    several times); the author's own readings while writing never do. Written by the
    next flush of the read buffer (core/read_buffer.py), so reading takes no write lock, and
    the count shown is true once that flush ran (READ_BUFFER_SECONDS, 5 by default)."""
    if viewer is not None and viewer.id == article.author_id:
        return
    buffer_value(ARTICLE_VIEWS, article.id)


def visible_articles(user):
    """A condition selecting the articles `user` may see (see the article.view rule)."""
    shared = Article.status.in_(("published", "archived"))
    categories = expert_category_ids(user)
    if categories is None:
        return Article.id.isnot(None)
    expert = Article.category_id.in_(categories) if categories else false()
    return or_(shared, Article.author_id == user.id, expert)


def list_articles(user, category=None, tag=None, status="published", lang=None, author=None):
    """Select statement of the articles `user` may see, filtered, most recently updated first.

    `status` "all" means every status; `category` a Category, `tag` a tag name (an unknown one
    matches nothing), `author` a User.
    """
    stmt = (select(Article).where(visible_articles(user))
            .options(selectinload(Article.category), selectinload(Article.tags),
                     selectinload(Article.author)))
    if status and status != "all":
        stmt = stmt.where(Article.status == status)
    if category is not None:
        stmt = stmt.where(Article.category_id == category.id)
    if tag:
        found = get_tag(tag)
        stmt = stmt.where(false() if found is None else Article.id.in_(
            select(article_tag.c.article_id).where(article_tag.c.tag_id == found.id)))
    if lang:
        stmt = stmt.where(Article.lang == lang)
    if author is not None:
        stmt = stmt.where(Article.author_id == author.id)
    return stmt.order_by(Article.updated_at.desc(), Article.id.desc())


def count_by_category():
    """{category id: number of published articles}."""
    rows = db.session.execute(select(Article.category_id, func.count(Article.id))
                              .where(Article.status == "published").group_by(Article.category_id))
    return dict(rows.all())



def count_published_articles(user):
    """How many of `user`'s articles are published (for profiles and badges)."""
    return db.session.scalar(select(func.count(Article.id)).where(
        Article.author_id == user.id, Article.status == "published")) or 0


def count_helpful_votes(user):
    """How many "this solved it" votes `user`'s articles have received."""
    return db.session.scalar(select(func.coalesce(func.sum(Article.helpful_count), 0)).where(
        Article.author_id == user.id)) or 0
