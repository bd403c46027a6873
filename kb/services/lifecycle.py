"""The review lifecycle: draft → in review → published → archived, and freshness checks."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import User
from accounts.notifications import notify, notify_all, record_audit
from accounts.permissions import can, is_expert, require
from core.clock import utcnow
from core.signals import article_published, article_verified
from errors import Conflict, Invalid, PermissionDenied
from extensions import db
from kb.models import ArticleFlag, ArticleReviewComment, ArticleVerification
from kb.services.following import announce_publication, mentioned_out_of_sight
from kb.services.outdated import original_changed, translation_updated
from kb.services.publish_check import check_publishable

DEFAULT_REVIEW_INTERVAL_DAYS = 90
REVIEW_COMMENT_MAX_CHARS = 2000

STATUS_LABELS = {
    "draft": _l("Draft"),
    "in_review": _l("In review"),
    "published": _l("Published"),
    "archived": _l("Archived"),
}
# Which status an article may move to from each status; anything else is a 409.
TRANSITIONS = {
    "draft": ("in_review", "published", "archived"),
    "in_review": ("draft", "published", "archived"),
    "published": ("archived",),
    "archived": ("published",),
}


def _require_status(article, allowed, message):
    if article.status not in allowed:
        raise Conflict("status", message)


def category_experts(category_id, author=None):
    """Who reviews a category: its title holders, the author's team lead (else every lead), admins."""
    people = db.session.scalars(select(User).where(User.active.is_(True))
                                .order_by(User.username)).all()
    admins = [person for person in people if person.role == "admin"]
    lead = author.team.lead if author is not None and author.team is not None else None
    if lead is not None and lead.active and lead.has_role("lead"):
        leads = [lead]
    else:
        leads = [person for person in people if person.role == "lead"]
    title_holders = [person for person in people
                     if person.role == "agent" and is_expert(person, category_id)]
    unique = {person.id: person for person in title_holders + leads + admins}
    return list(unique.values())


def _is_author(article, user):
    # An unsaved article has its author object but no author_id yet.
    return article.author is user or (article.author_id is not None and article.author_id == user.id)


def _params(article, **extra):
    return dict(title=article.title, category=article.category, **extra)


def submit_for_review(article, user):
    """The author hands a draft to the category's experts, who are notified."""
    _require_status(article, ("draft",), _l("Only a draft can be submitted for review."))
    require(user, "article.submit", article)
    check_publishable(article.title, article.body)
    article.status = "in_review"
    article.updated_at = utcnow()
    notify_all(category_experts(article.category_id, article.author), "review_requested",
               article.path, actor=user, **_params(article))
    db.session.flush()
    return article


def request_review(article, reason):
    """Evidence, not a person, asks the category's experts to look at an article again: a
    published one goes back to review (readers no longer get it meanwhile) and the reason is
    left as an open flag on it. Returns the flag, or None for an archived article (nobody uses
    it any more). The caller notifies the experts."""
    if article.status == "archived":
        return None
    if article.status == "published":
        article.status = "in_review"
        article.updated_at = utcnow()
    flag = ArticleFlag(article=article, flagged_by=None, reason=reason)
    db.session.add(flag)
    record_audit(None, "article.review_requested", article, reason[:200])
    db.session.flush()
    return flag


def return_to_draft(article, user):
    """The author takes an article back from review to keep working on it."""
    _require_status(article, ("in_review",), _l("Only an article in review can go back to draft."))
    if not _is_author(article, user):
        raise PermissionDenied(_l("Only the author can take an article back; reviewers send it "
                                  "back with a comment."), {"status": _l("Not allowed.")})
    article.status = "draft"
    article.updated_at = utcnow()
    db.session.flush()
    return article


def mark_verified(article, user, review_interval_days):
    """`user` confirms the article right now: they become its verifier, the next review moves on."""
    now = utcnow()
    article.verifier = user
    article.verified_at = now
    article.review_due = now + timedelta(days=review_interval_days)
    db.session.add(ArticleVerification(article=article, user=user, verified_at=now))


def verification_days(user):
    """The distinct days (UTC) on which `user` verified or published an article, in order."""
    moments = db.session.scalars(select(ArticleVerification.verified_at)
                                 .where(ArticleVerification.user_id == user.id))
    return sorted({moment.date() for moment in moments})


def verification_history(article, limit=10):
    """The article's latest verifications, newest first."""
    return db.session.scalars(select(ArticleVerification).where(ArticleVerification.article_id == article.id)
                              .order_by(ArticleVerification.verified_at.desc(), ArticleVerification.id.desc())
                              .limit(limit)).all()


def publish_article(article, user, review_interval_days=DEFAULT_REVIEW_INTERVAL_DAYS):
    """Publish (or re-publish) an article; the publisher becomes its verifier."""
    _require_status(article, ("draft", "in_review", "archived"),
                    _l("The article is already published."))
    require(user, "article.publish", article)
    check_publishable(article.title, article.body)
    waiting = mentioned_out_of_sight(article)  # before: who could not read it until now
    first = article.published_at is None
    article.status = "published"
    if first:
        article.published_at = utcnow()
    mark_verified(article, user, review_interval_days)
    translation_updated(article)
    original_changed(article)
    if article.author is not None:
        notify(article.author, "article_published", article.path, actor=user, **_params(article))
    record_audit(user, "article.publish", article, article.title, revision=article.revision_number)
    db.session.flush()
    announce_publication(article, user, waiting, first)
    article_published.send(article)
    article_verified.send(article)
    return article


def send_back(article, reviewer, comment):
    """Return an article in review to its author as a draft, with the reviewer's reason."""
    _require_status(article, ("in_review",), _l("Only an article in review can be sent back."))
    require(reviewer, "article.review", article)
    comment = (comment or "").strip()
    if not comment:
        raise Invalid("comment", _l("Tell the author what to change."))
    if len(comment) > REVIEW_COMMENT_MAX_CHARS:
        raise Invalid("comment", _l("The comment may have at most %(n)d characters.",
                                    n=REVIEW_COMMENT_MAX_CHARS))
    db.session.add(ArticleReviewComment(article=article, reviewer=reviewer, body=comment,
                                        revision_number=article.revision_number))
    article.status = "draft"
    article.updated_at = utcnow()
    if article.author is not None:
        notify(article.author, "article_sent_back", article.path, actor=reviewer,
               **_params(article, comment=comment[:200]))
    db.session.flush()
    return article


def review_comments(article, limit=10):
    """The reviewers' latest send-back comments on the article, newest first."""
    return db.session.scalars(select(ArticleReviewComment)
                              .where(ArticleReviewComment.article_id == article.id)
                              .order_by(ArticleReviewComment.created_at.desc(),
                                        ArticleReviewComment.id.desc()).limit(limit)).all()


def archive_article(article, user):
    """Take an article out of use; its history stays and it can be published again."""
    _require_status(article, ("draft", "in_review", "published"),
                    _l("The article is already archived."))
    require(user, "article.archive", article)
    article.status = "archived"
    article.updated_at = utcnow()
    record_audit(user, "article.archive", article, article.title)
    db.session.flush()
    return article


def verify_article(article, user, review_interval_days=DEFAULT_REVIEW_INTERVAL_DAYS):
    """An expert confirms a published article is still right; the review date moves on."""
    _require_status(article, ("published",), _l("Only a published article can be verified."))
    require(user, "article.verify", article)
    mark_verified(article, user, review_interval_days)
    translation_updated(article)  # an expert confirms the translation still says what it should
    db.session.flush()
    article_verified.send(article)
    return article


def check_status_change(article, user, status, category=None):
    """Raise unless `user` may move the article to `status` (in `category`, when moving it)."""
    if status is None or status == article.status:
        return
    if status not in STATUS_LABELS:
        raise Invalid("status", _l("Unknown status “%(status)s”: choose draft, in_review, published "
                                   "or archived.", status=str(status)[:20]))
    if status not in TRANSITIONS[article.status]:
        raise Conflict("status", _l("An article that is %(current)s cannot become %(status)s.",
                                    current=STATUS_LABELS[article.status],
                                    status=STATUS_LABELS[status]))
    target = category or article.category
    if status == "published" and not can(user, "article.publish", target):
        raise PermissionDenied(
            _l("Only experts of %(category)s and team leads can publish. Submit it for review "
               "instead.", category=target.local_name),
            {"status": _l("You may not publish in this category.")})
    if status == "archived" and not can(user, "article.archive", target):
        raise PermissionDenied(_l("Only experts of %(category)s and team leads can archive.",
                                  category=target.local_name),
                               {"status": _l("You may not archive in this category.")})
    if status == "in_review" and not _is_author(article, user):
        raise PermissionDenied(_l("Only the author submits an article for review."),
                               {"status": _l("Not allowed.")})
    if status == "draft" and not _is_author(article, user):
        raise PermissionDenied(_l("Only the author can take an article back; reviewers send it "
                                  "back with a comment."), {"status": _l("Not allowed.")})


def change_status(article, user, status, review_interval_days=DEFAULT_REVIEW_INTERVAL_DAYS):
    """Move the article to `status` through the matching lifecycle step."""
    if status is None or status == article.status:
        return article
    check_status_change(article, user, status)
    steps = {
        "in_review": lambda: submit_for_review(article, user),
        "draft": lambda: return_to_draft(article, user),
        "published": lambda: publish_article(article, user, review_interval_days),
        "archived": lambda: archive_article(article, user),
    }
    return steps[status]()
