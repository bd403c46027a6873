"""Revisions: every save is one; history, a readable diff between any two, and restore."""
import difflib
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import func, select

from accounts.notifications import record_audit
from accounts.permissions import require
from core.clock import utcnow
from core.markdown import render_markdown
from errors import Invalid, NotFound
from extensions import db
from kb.models import NOTE_MAX_CHARS, ArticleRevision

# Unchanged lines shown around each change; longer unchanged runs fold to a marker.
DIFF_CONTEXT_LINES = 3
_DIFF_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class RevisionDiff:
    """What changed from revision `older` to revision `newer`, as safe HTML with <ins>/<del>."""

    older: ArticleRevision
    newer: ArticleRevision
    title: Markup
    summary: Markup
    body: Markup
    lines_added: int
    lines_removed: int


def clean_note(note):
    """A revision note with blanks collapsed; Invalid when too long."""
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX_CHARS:
        raise Invalid("note", _l("The note may have at most %(n)d characters.", n=NOTE_MAX_CHARS))
    return note


def add_revision(article, author, note=""):
    """Record the article's current title, summary and body as its next revision."""
    number = (article.revision_number or 0) + 1
    revision = ArticleRevision(
        article=article, number=number, title=article.title, summary=article.summary,
        body=article.body, html=str(render_markdown(article.body)), author=author,
        note=clean_note(note), created_at=utcnow())
    db.session.add(revision)
    article.revision_number = number
    article.updated_at = revision.created_at
    db.session.flush()
    db.session.expire(article, ["current_revision"])
    return revision


def list_revisions(article):
    """Select statement of an article's revisions, newest first (paginate it)."""
    return (select(ArticleRevision).where(ArticleRevision.article_id == article.id)
            .order_by(ArticleRevision.number.desc()))


def count_revisions(article):
    """How many revisions the article has."""
    return db.session.scalar(select(func.count(ArticleRevision.id))
                             .where(ArticleRevision.article_id == article.id))


def get_revision(article, number):
    """Revision `number` of the article, or NotFound."""
    revision = None
    if isinstance(number, int) and not isinstance(number, bool):
        revision = db.session.scalar(select(ArticleRevision).where(
            ArticleRevision.article_id == article.id, ArticleRevision.number == number))
    if revision is None:
        raise NotFound(_l("This article has no revision %(number)s.", number=str(number)[:12]))
    return revision


def restore_revision(article, number, user, note=""):
    """Make revision `number` the current text again, as a new revision (history is kept)."""
    require(user, "article.edit", article)
    old = get_revision(article, number)
    if number == article.revision_number:
        raise Invalid("revision", _l("Revision %(number)d is already the current one.", number=number))
    article.title, article.summary, article.body = old.title, old.summary, old.body
    revision = add_revision(article, user, note or str(_l("Restored revision %(number)d",
                                                           number=number)))
    record_audit(user, "article.restore", article, "restored revision %d" % number,
                 revision=revision.number)
    return revision


def diff_revisions(article, a, b):
    """A readable diff from revision `a` to revision `b` (lines, then words within them)."""
    older, newer = get_revision(article, a), get_revision(article, b)
    body, added, removed = _diff_lines(older.body.splitlines(), newer.body.splitlines())
    return RevisionDiff(older=older, newer=newer, title=_diff_words(older.title, newer.title),
                        summary=_diff_words(older.summary, newer.summary), body=body,
                        lines_added=added, lines_removed=removed)


def _diff_words(old, new):
    """Inline diff of two short texts: unchanged words plain, others in <del>/<ins>."""
    old_tokens, new_tokens = _DIFF_TOKEN.findall(old or ""), _DIFF_TOKEN.findall(new or "")
    parts = []
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(Markup.escape("".join(old_tokens[i1:i2])))
            continue
        if i2 > i1:
            parts.append(Markup("<del>{}</del>").format("".join(old_tokens[i1:i2])))
        if j2 > j1:
            parts.append(Markup("<ins>{}</ins>").format("".join(new_tokens[j1:j2])))
    return Markup("").join(parts)


def _diff_block(kind, content):
    # Each line finds its own direction: a diff often mixes Persian or Arabic and English lines.
    return Markup('<div class="diff-line diff-line--{}" dir="auto">{}</div>').format(kind, content)


def _unchanged_lines(lines, first, last):
    """Unchanged lines, folded to context around changes when the run is long."""
    keep_head = 0 if first else DIFF_CONTEXT_LINES
    keep_tail = 0 if last else DIFF_CONTEXT_LINES
    if len(lines) <= keep_head + keep_tail + 1:
        return [_diff_block("same", line) for line in lines]
    hidden = len(lines) - keep_head - keep_tail
    marker = ngettext("%(num)d unchanged line", "%(num)d unchanged lines", hidden)
    return ([_diff_block("same", line) for line in lines[:keep_head]]
            + [_diff_block("fold", marker)]
            + [_diff_block("same", line) for line in lines[len(lines) - keep_tail:]])


def _diff_lines(old_lines, new_lines):
    """(diff HTML, lines added, lines removed) for two lists of lines."""
    blocks, added, removed = [], 0, 0
    opcodes = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            blocks.extend(_unchanged_lines(old_lines[i1:i2], index == 0, index == len(opcodes) - 1))
        elif tag == "delete":
            blocks.extend(_diff_block("removed", Markup("<del>{}</del>").format(line))
                          for line in old_lines[i1:i2])
        elif tag == "insert":
            blocks.extend(_diff_block("added", Markup("<ins>{}</ins>").format(line))
                          for line in new_lines[j1:j2])
        else:
            # A changed paragraph reads best as one block with the changed words marked.
            blocks.append(_diff_block("changed", _diff_words("\n".join(old_lines[i1:i2]),
                                                             "\n".join(new_lines[j1:j2]))))
        removed += i2 - i1 if tag in ("delete", "replace") else 0
        added += j2 - j1 if tag in ("insert", "replace") else 0
    return Markup("").join(blocks), added, removed
