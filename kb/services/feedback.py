"""Readers' feedback: "Did this solve it?" votes and flags that an article is outdated or wrong."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from accounts.notifications import notify_all, record_audit
from accounts.permissions import can, require
from core.clock import utcnow
from core.signals import feedback_given
from errors import Conflict, Invalid, NotFound, PermissionDenied
from extensions import db
from kb.models import ArticleFeedback, ArticleFlag
from kb.services.following import announce_feedback
from kb.services.lifecycle import category_experts

COMMENT_MAX_CHARS = 1000
FLAG_REASON_MIN_CHARS = 5


def _clean_text(text, field, max_chars, required_message=None, min_chars=0):
    text = (text or "").strip() if isinstance(text, str) else None
    if text is None:
        raise Invalid(field, _l("%(field)s must be a string.", field=field))
    if required_message and len(text) < max(min_chars, 1):
        raise Invalid(field, required_message)
    if len(text) > max_chars:
        raise Invalid(field, _l("At most %(n)d characters, please.", n=max_chars))
    return text


def get_feedback(article, user):
    """The user's vote on the article, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(ArticleFeedback).where(
        ArticleFeedback.article_id == article.id, ArticleFeedback.user_id == user.id))


def record_feedback(article, user, helpful, comment=""):
    """Record or change the user's one vote on a published article; returns (feedback, created)."""
    if not isinstance(helpful, bool):
        raise Invalid("helpful", _l("Say whether the article solved it: true or false."))
    comment = _clean_text(comment, "comment", COMMENT_MAX_CHARS)
    if article.status != "published":
        raise Conflict("status", _l("Only published articles take feedback."))
    if not can(user, "article.feedback", article):
        raise PermissionDenied(_l("Authors do not rate their own articles."))
    feedback = get_feedback(article, user)
    created = feedback is None
    previous_comment = "" if created else feedback.comment
    if created:
        feedback = ArticleFeedback(article=article, user=user, helpful=helpful, comment=comment)
        db.session.add(feedback)
    else:
        feedback.helpful, feedback.comment, feedback.updated_at = helpful, comment, utcnow()
    db.session.flush()
    _recount_feedback(article)
    announce_feedback(feedback, previous_comment)
    feedback_given.send(feedback)
    return feedback, created


def _recount_feedback(article):
    """Recount from the votes rather than adjust, so a changed vote can never skew the totals."""
    rows = dict(db.session.execute(
        select(ArticleFeedback.helpful, func.count(ArticleFeedback.id))
        .where(ArticleFeedback.article_id == article.id).group_by(ArticleFeedback.helpful)).all())
    article.helpful_count = rows.get(True, 0)
    article.unhelpful_count = rows.get(False, 0)
    db.session.flush()


def feedback_comments(article, limit=50):
    """The latest votes that came with a comment, for the author and experts."""
    return db.session.scalars(
        select(ArticleFeedback).where(ArticleFeedback.article_id == article.id,
                                      ArticleFeedback.comment != "")
        .order_by(ArticleFeedback.updated_at.desc(), ArticleFeedback.id.desc()).limit(limit)).all()


def flag_article(article, user, reason):
    """Report a published article as outdated or wrong; its category's experts are notified."""
    reason = _clean_text(reason, "reason", COMMENT_MAX_CHARS,
                         _l("Say what is outdated or wrong (at least %(n)d characters).",
                            n=FLAG_REASON_MIN_CHARS), FLAG_REASON_MIN_CHARS)
    if article.status != "published":
        raise Conflict("status", _l("Only published articles can be flagged."))
    require(user, "article.flag", article)
    already = db.session.scalar(select(ArticleFlag).where(
        ArticleFlag.article_id == article.id, ArticleFlag.flagged_by_id == user.id,
        ArticleFlag.resolved_at.is_(None)))
    if already is not None:
        raise Conflict("reason", _l("You already flagged this article; an expert will look at it."))
    flag = ArticleFlag(article=article, flagged_by=user, reason=reason)
    db.session.add(flag)
    recipients = category_experts(article.category_id, article.author)
    if article.author is not None:
        recipients.append(article.author)
    notify_all(recipients, "article_flagged", article.path, actor=user, title=article.title,
               reason=reason[:200])
    db.session.flush()
    return flag


def get_flag(flag_id):
    """The flag with this id, or NotFound."""
    flag = db.session.get(ArticleFlag, flag_id) if isinstance(flag_id, int) else None
    if flag is None:
        raise NotFound(_l("No such flag."))
    return flag


def resolve_flag(flag, user, note=""):
    """An expert closes a flag, saying what was done about it."""
    require(user, "article.review", flag.article)
    if flag.resolved_at is not None:
        raise Conflict("flag", _l("This flag is already resolved."))
    flag.resolution = _clean_text(note, "note", COMMENT_MAX_CHARS)
    flag.resolved_by = user
    flag.resolved_at = utcnow()
    record_audit(user, "article.resolve_flag", flag.article, flag.resolution[:200], flag=flag.id)
    db.session.flush()
    return flag


def open_flags_of(article):
    """The article's unresolved flags, oldest first."""
    return db.session.scalars(
        select(ArticleFlag).where(ArticleFlag.article_id == article.id,
                                  ArticleFlag.resolved_at.is_(None))
        .order_by(ArticleFlag.created_at, ArticleFlag.id)).all()


def count_open_flags(article_ids):
    """{article id: open flags} for the given articles."""
    if not article_ids:
        return {}
    rows = db.session.execute(
        select(ArticleFlag.article_id, func.count(ArticleFlag.id))
        .where(ArticleFlag.article_id.in_(article_ids), ArticleFlag.resolved_at.is_(None))
        .group_by(ArticleFlag.article_id))
    return dict(rows.all())


