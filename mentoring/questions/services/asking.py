"""Asking a question, rewording it (each save a revision), closing, reopening and deleting it."""
from flask_babel import lazy_gettext as _l

from accounts.mentions import notify_mentions
from accounts.notifications import record_audit
from accounts.permissions import can
from config import LANGUAGES
from core.categories import require_category
from core.clock import utcnow
from core.markdown import check_markdown, render_markdown
from core.read_buffer import buffer_value
from core.signals import question_asked, question_changed
from errors import Conflict, Invalid, NotFound, PermissionDenied
from extensions import db
from mentoring.questions.models import (
    BODY_MAX_CHARS,
    CLOSE_REASON_MAX_CHARS,
    QUESTION_TITLE_MAX_CHARS,
    QUESTION_TITLE_MIN_CHARS,
    TAG_MAX_CHARS,
    Question,
    QuestionRevision,
    QuestionTag,
)
from mentoring.questions.services.following import announce_question
from mentoring.questions.services.routing import DEFAULT_EXPERT_LIMIT, route_question

MAX_TAGS = 10
QUESTION_VIEWS = "question-views"


def require_permission(user, action, obj, message):
    """PermissionDenied with a message that says who may do it, unless can(user, action, obj)."""
    if not can(user, action, obj):
        raise PermissionDenied(message)


def clean_title(title):
    """The title with blanks collapsed; Invalid unless it has 10 to 200 characters."""
    title = " ".join(title.split()) if isinstance(title, str) else ""
    if not title:
        raise Invalid("title", _l("Enter a title: the question in one line."))
    if len(title) < QUESTION_TITLE_MIN_CHARS:
        raise Invalid("title", _l("Say a little more in the title: at least %(n)d characters, so "
                                  "that colleagues can find it.", n=QUESTION_TITLE_MIN_CHARS))
    if len(title) > QUESTION_TITLE_MAX_CHARS:
        raise Invalid("title", _l("The title may have at most %(n)d characters (this one has "
                                  "%(count)d): put the details in the question.",
                                  n=QUESTION_TITLE_MAX_CHARS, count=len(title)))
    return title


def clean_body(body, field="body"):
    """Markdown with line endings normalised; Invalid when empty, over 50,000 characters or
    nested too deeply."""
    body = body.replace("\r\n", "\n").replace("\r", "\n") if isinstance(body, str) else ""
    if not body.strip():
        raise Invalid(field, _l("Write the text: it is empty."))
    check_markdown(field, body, BODY_MAX_CHARS, too_long=lambda count, limit: _l(
        "The text is too long: %(count)d characters, at most %(n)d. "
        "Keep to what a colleague needs to answer.", count=count, n=limit))
    return body


def clean_tags(tags):
    """Tag names from a list or a comma-separated string: trimmed, deduplicated, at most 10."""
    if isinstance(tags, str):
        tags = tags.replace("،", ",").split(",")  # the Arabic comma separates tags too
    elif tags is not None and not isinstance(tags, (list, tuple)):
        raise Invalid("tags", _l("Tags must be a list of strings."))
    names, seen = [], set()
    for tag in tags or ():
        if not isinstance(tag, str):
            raise Invalid("tags", _l("Tags must be a list of strings."))
        name = " ".join(tag.split())
        if name and name.casefold() not in seen:
            if len(name) > TAG_MAX_CHARS:
                raise Invalid("tags", _l("A tag may have at most %(n)d characters.",
                                         n=TAG_MAX_CHARS))
            seen.add(name.casefold())
            names.append(name)
    if len(names) > MAX_TAGS:
        raise Invalid("tags", _l("A question may have at most %(n)d tags.", n=MAX_TAGS))
    return names


def clean_lang(lang, default="en"):
    """The question's language (en, fa, ar, th); `default` when none is given."""
    if lang is None or lang == "":
        return default if default in LANGUAGES else "en"
    if lang not in LANGUAGES:
        raise Invalid("lang", _l("Unknown language “%(lang)s”: choose one of %(choices)s.",
                                 lang=str(lang)[:12], choices=", ".join(LANGUAGES)))
    return lang


def _set_tags(question, names):
    question.tags = [QuestionTag(name=name, key=name.casefold()) for name in names]


def _add_revision(question, author):
    number = len(question.revisions) + 1
    question.revisions.append(QuestionRevision(number=number, title=question.title,
                                               body=question.body, author=author))


def ask_question(author, title, body, category, tags=(), lang=None,
                 expert_limit=DEFAULT_EXPERT_LIMIT):
    """Ask a question (revision 1) and route it to the category's experts, at most `expert_limit`.

    :param lang: en, fa, ar or th; the asker's interface language when not given.
    :raises Invalid: bad title, body, category, tags or language (nothing is written).
    """
    require_permission(author, "question.ask", None, _l("Sign in to ask a question."))
    fields = dict(title=clean_title(title), body=clean_body(body),
                  category=require_category(category),
                  lang=clean_lang(lang, default=getattr(author, "locale", "en")))
    tag_names = clean_tags(tags)
    question = Question(author=author, status="open", html=str(render_markdown(fields["body"])),
                        **fields)
    _set_tags(question, tag_names)
    db.session.add(question)
    _add_revision(question, author)
    db.session.flush()
    route_question(question, expert_limit)
    notify_mentions(author, question.html, "", question.path, question.title)
    announce_question(question)
    question_changed.send(question)
    question_asked.send(question)
    return question


def ask_more_experts(question, user, limit=DEFAULT_EXPERT_LIMIT):
    """Ask the next `limit` experts about a question still waiting; returns the new routings."""
    require_permission(user, "question.ask_more", question,
                       _l("Only the person who asked, or a team lead, can ask more experts, and "
                          "only while the question is open."))
    return route_question(question, limit)


def edit_question(question, editor, title=None, body=None, category=None, tags=None, lang=None):
    """Save the asker's rewording as a new revision; arguments left None stay as they are.

    :raises PermissionDenied: the editor is not the asker.
    """
    require_permission(editor, "question.edit", question,
                       _l("Only the person who asked can edit a question."))
    changes = {}
    if title is not None:
        changes["title"] = clean_title(title)
    if body is not None:
        changes["body"] = clean_body(body)
    if lang is not None:
        changes["lang"] = clean_lang(lang, default=question.lang)
    if category is not None:
        changes["category"] = require_category(category)
    tag_names = clean_tags(tags) if tags is not None else None
    changed = {name: value for name, value in changes.items() if getattr(question, name) != value}
    previous_html = question.html
    for name, value in changed.items():
        setattr(question, name, value)
    if "body" in changed:
        question.html = str(render_markdown(question.body))
        notify_mentions(editor, question.html, previous_html, question.path, question.title)
    if tag_names is not None and sorted(tag.key for tag in question.tags) != sorted(
            name.casefold() for name in tag_names):
        _set_tags(question, tag_names)
        changed["tags"] = tag_names
    if changed:
        if "title" in changed or "body" in changed:
            _add_revision(question, editor)
        question.updated_at = utcnow()
        db.session.flush()
        question_changed.send(question)
    return question


def close_question(question, user, reason=""):
    """Close a question to new answers and accepting (the asker or a lead), with a reason."""
    if question.status == "closed":
        raise Conflict("status", _l("This question is already closed."))
    require_permission(user, "question.close", question,
                       _l("Only the person who asked, or a team lead, can close a question."))
    reason = " ".join((reason or "").split()) if isinstance(reason, str) else ""
    if len(reason) > CLOSE_REASON_MAX_CHARS:
        raise Invalid("reason", _l("A reason may have at most %(n)d characters.",
                                   n=CLOSE_REASON_MAX_CHARS))
    question.status = "closed"
    question.closed_at = question.updated_at = utcnow()
    question.closed_by = user
    question.close_reason = reason
    db.session.flush()
    question_changed.send(question)
    return question


def reopen_question(question, user):
    """Open a closed question again: answered when it has an accepted answer, else open."""
    if question.status != "closed":
        raise Conflict("status", _l("This question is not closed."))
    require_permission(user, "question.reopen", question,
                       _l("Only the person who asked, or a team lead, can reopen a question."))
    question.status = "answered" if question.accepted_answer_id else "open"
    question.closed_at = None
    question.closed_by = None
    question.close_reason = ""
    question.updated_at = utcnow()
    db.session.flush()
    question_changed.send(question)
    return question


def delete_question(question, user):
    """Hide a question from lists and search (leads; the asker while it has no answers)."""
    require_permission(user, "question.delete", question,
                       _l("Only a team lead can delete a question that has answers."))
    question.deleted = True
    question.deleted_at = question.updated_at = utcnow()
    record_audit(user, "question.delete", question, question.title[:120])
    db.session.flush()
    question_changed.send(question)
    return question


def get_question_or_404(question_id):
    """The question with this id (deleted ones too: the view rule decides), or NotFound."""
    question = db.session.get(Question, question_id) if isinstance(question_id, int) else None
    if question is None:
        raise NotFound(_l("No question with id %(id)s.", id=str(question_id)[:20]))
    return question


def record_question_view(question, viewer):
    """Count a read of the question (not the asker's own); written by the next flush of the
    read buffer (core/read_buffer.py), so reading takes no write lock."""
    if viewer is not None and viewer.id == question.author_id:
        return
    buffer_value(QUESTION_VIEWS, question.id)
