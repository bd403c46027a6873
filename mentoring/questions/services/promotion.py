"""Promote an accepted answer, with its question, to a how-to article draft credited to the answerer."""
import re

from flask_babel import lazy_gettext as _l

from accounts.notifications import notify, record_audit
from core.markdown import howto_section_index, howto_template, lines_with_code
from core.signals import question_changed
from errors import Conflict, NotFound
from extensions import db
from kb.services import create_article
from mentoring.questions.services.asking import require_permission

# The how-to template's sections, in order: the question fills the first (Problem / Symptoms),
# the answer the third (Steps to resolve).
PROBLEM_SECTION, STEPS_SECTION = 0, 2
NOTE_MAX_CHARS = 300
# As Python-Markdown reads them: no indent, the space after the hashes optional.
_HEADING = re.compile(r"#{1,6}")


def demote_headings(markdown):
    """The Markdown with its headings moved below level 2, so that they nest inside a section.

    Code blocks are left alone: a "#" there is a comment or a shell prompt, not a heading.
    """
    lines = []
    for line, in_code in lines_with_code(markdown):
        if not in_code:
            heading = _HEADING.match(line)
            if heading:
                line = "#" * min(6, len(heading.group()) + 2) + line[len(heading.group()):]
        lines.append(line)
    return "\n".join(lines)


def _sections(template):
    """The template split into its `## ` sections, each a list of lines."""
    sections = []
    for line in template.splitlines():
        if line.startswith("## ") or not sections:
            sections.append([])
        sections[-1].append(line)
    return sections


def split_by_template_sections(markdown, default_section):
    """{section index: Markdown} of markdown cut at its headings that name a how-to section
    (any level, any template language); what comes before the first such heading, and under
    headings that name none, stays in default_section. Code blocks are never cut."""
    parts, current = {}, default_section
    for line, in_code in lines_with_code(markdown):
        if not in_code and _HEADING.match(line):
            index = howto_section_index(line.lstrip("#"))
            if index is not None:
                current = index
                parts.setdefault(current, [])
                continue
        parts.setdefault(current, []).append(line)
    return {index: "\n".join(lines).strip() for index, lines in parts.items() if "\n".join(lines).strip()}


def howto_from_answer(question, answer):
    """How-to Markdown in the question's language: the question as the problem, the answer as
    the steps, except the parts of the answer under a heading naming another section (e.g.
    "What to tell the customer"), which go to that section; the other sections keep the
    template's hints for the author to fill in (the publish check lists what is left)."""
    sections = _sections(howto_template(question.lang))
    filled = {}
    for source, default in ((question.body, PROBLEM_SECTION), (answer.body, STEPS_SECTION)):
        for index, text in split_by_template_sections(source, default).items():
            filled.setdefault(index, []).append(demote_headings(text))
    parts = []
    for index, lines in enumerate(sections):
        if index in filled and lines:
            parts.append("%s\n\n%s\n" % (lines[0], "\n\n".join(filled[index])))
        else:
            parts.append("\n".join(lines).rstrip("\n") + "\n")
    return "\n".join(parts)


def _promotion_note(question, answer, promoter):
    note = str(_l("Promoted by %(promoter)s from the accepted answer to question #%(id)d: "
                  "“%(title)s”", promoter=promoter.name, id=question.id, title=question.title))
    return note if len(note) <= NOTE_MAX_CHARS else note[:NOTE_MAX_CHARS - 1] + "…"


def promote_answer(answer, promoter):
    """Turn the accepted `answer` and its question into an article draft by the answerer.

    Returns the article; a question promoted before returns its existing article.
    :raises PermissionDenied: the promoter is not an expert of the category or a lead.
    :raises Conflict: the answer is not the accepted one.
    """
    question = answer.question
    if question.deleted:
        raise NotFound(_l("This question was deleted."))
    require_permission(promoter, "answer.promote", answer,
                       _l("Only an expert of this category, or a team lead, can turn an answer "
                          "into an article."))
    if question.article is not None:
        return question.article
    if not answer.accepted:
        raise Conflict("answer", _l("Only the accepted answer can become an article: accept it "
                                    "first."))
    # The answerer is credited; an account that is gone or deactivated cannot own a draft, so
    # then the promoter holds it and the revision note still names the source.
    author = answer.author if answer.author is not None and answer.author.active else promoter
    article = create_article(author, question.title, howto_from_answer(question, answer),
                             question.category, tags=question.tag_names, lang=question.lang,
                             status="draft", note=_promotion_note(question, answer, promoter),
                             source_answer_id=answer.id)
    question.article = article
    db.session.flush()
    notify(answer.author, "answer_promoted", article.path, actor=promoter, title=question.title)
    record_audit(promoter, "answer.promote", answer,
                 "question %d → article %d" % (question.id, article.id),
                 question_id=question.id, article_id=article.id)
    question_changed.send(question)
    return article
