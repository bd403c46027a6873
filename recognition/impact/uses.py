"""Recording that an article was used on a contact, from a ticketing integration or mid-call."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.permissions import can, require
from accounts.services import get_user
from errors import Invalid, PermissionDenied
from extensions import db
from recognition.impact.models import USE_SOURCES, ArticleUse
from recognition.models import ResolutionRecord
from recognition.reader.values import InvalidValue, clean_cell, parse_text


def clean_ticket_id(ticket_id, required=True):
    """The ticket id as the resolution import stores it (trimmed, at most 200 characters), or None.

    :raises Invalid: missing when required, too long, or holding a control character.
    """
    ticket_id = clean_cell(ticket_id or "")
    if not ticket_id:
        if required:
            raise Invalid("ticket_id", _l("Give the contact's ticket id."))
        return None
    try:
        return parse_text(ticket_id)
    except InvalidValue as error:
        raise Invalid("ticket_id", error.message) from None


def record_use(article, user, ticket_id=None, agent=None, source="api"):
    """Link `article` to the contact `ticket_id`, used by `agent` (a username; default `user`).

    Idempotent per article and ticket: a second call returns the first link unchanged. Naming
    another agent than oneself is for leads (an integration's token usually belongs to one).
    Returns (ArticleUse, created).

    :raises PermissionDenied: the article is not visible to `user`, or another agent is named
        by someone who is not a lead.
    :raises Invalid: a bad ticket id, or no user with that username.
    """
    if source not in USE_SOURCES:
        raise ValueError("unknown source %r" % source)
    require(user, "article.view", article)
    ticket_id = clean_ticket_id(ticket_id, required=source != "page")
    used_by = _agent(user, agent)
    if ticket_id is not None:
        existing = _use_of(article.id, ticket_id)
        if existing is not None:
            return existing, False
    use = ArticleUse(article_id=article.id, ticket_id=ticket_id, agent_id=used_by.id,
                     recorded_by_id=user.id, source=source)
    try:
        with db.session.begin_nested():
            db.session.add(use)
    except IntegrityError:
        # Another request linked the same ticket a moment ago: theirs is the link.
        existing = _use_of(article.id, ticket_id)
        if existing is None:
            raise
        return existing, False
    return use, True


def _agent(user, agent):
    if agent is None or clean_cell(agent) == "" or clean_cell(agent).lower() == user.username:
        return user
    person = get_user(agent)
    if person is None:
        raise Invalid("agent", _l("No user called %(username)s.", username=clean_cell(agent)[:60]))
    if not can(user, "article_use.record_for_others"):
        raise PermissionDenied(_l("Only team leads record an article's use for another agent."),
                               {"agent": _l("Leave it out: the use is yours.")})
    return person


def _use_of(article_id, ticket_id):
    return db.session.scalar(select(ArticleUse).where(
        ArticleUse.article_id == article_id, ArticleUse.ticket_id == ticket_id))


def contact_known(ticket_id):
    """Whether the contact of a ticket id has been imported yet."""
    if ticket_id is None:
        return False
    return db.session.scalar(select(func.count()).select_from(ResolutionRecord)
                             .where(ResolutionRecord.ticket_id == ticket_id)) > 0


def count_uses(article_id):
    """How many times the article was recorded as used (with or without a ticket)."""
    return db.session.scalar(select(func.count()).select_from(ArticleUse)
                             .where(ArticleUse.article_id == article_id))
