"""Result snippets: safe HTML excerpts of a document body with the matched words in <mark>."""

import html
from typing import NamedTuple

from whoosh import highlight

from search.analysis import split_words_near, stem_word
from search.query import CONTENT_FIELD, Match

_SNIPPET_CHARS = 240
_SNIPPET_FRAGMENTS = 2
_SNIPPET_LEAD_CHARS = 40
_SNIPPET_SNAP_CHARS = 15
_SNIPPET_SOURCE_CHARS = 5000


def highlight_terms(match: Match) -> frozenset[str]:
    """Stemmed body terms to mark in snippets, including the stems of typo corrections."""
    terms = {text for fieldname, text in match.query.iter_all_terms() if fieldname == CONTENT_FIELD}
    for corrections in match.corrections.values():
        terms.update(stem_word(correction) for correction in corrections)
    return frozenset(terms)


class MarkFormatter(highlight.Formatter):
    """Snippet formatter: HTML-escapes all text and wraps matched words in <mark>."""

    between = " … "

    def _text(self, text):
        return html.escape(text)

    def format_token(self, text, token, replace=False):
        return "<mark>%s</mark>" % html.escape(highlight.get_text(text, token, replace))


class _Marked(NamedTuple):
    startchar: int
    endchar: int


def _widen_to_space(text: str, start: int, end: int) -> tuple[int, int]:
    """Move a fragment's edges outwards to the nearest spaces, so words are not cut, if close."""
    if start <= _SNIPPET_SNAP_CHARS:
        start = 0
    else:
        space = text.rfind(" ", start - _SNIPPET_SNAP_CHARS, start)
        start = space + 1 if space >= 0 else start
    space = text.find(" ", end, end + _SNIPPET_SNAP_CHARS)
    return start, (space if space >= 0 else min(len(text), end))


def snippet_source(body: str) -> str:
    """What make_snippet reads of a body: an engine that stores only this gets the same snippets.

    One character more than is read, so that the snippet still knows the body goes on.
    """
    return (body or "")[:_SNIPPET_SOURCE_CHARS + 1]


def make_snippet(body: str, terms: frozenset[str]) -> str:
    """Safe HTML excerpt of body around up to two matches, or its opening when nothing matches.

    Words are found with the index's own analysis, so a stem or a normalised Arabic form marks
    the characters as the author typed them (diacritics, tatweel and ZWNJ included).
    """
    body = body or ""
    source = body[:_SNIPPET_SOURCE_CHARS]
    thai_terms = frozenset(term for term in terms if "\u0e00" <= term[:1] <= "\u0e7f")
    # Read lazily: the loop stops once the fragments are full, long before the end of the body.
    matches = (word for word in split_words_near(source, thai_terms) if stem_word(word.text) in terms)
    fragments = []
    for word in matches:
        if fragments and word.start < fragments[-1].endchar:
            fragments[-1].matches.append(_Marked(word.start, word.end))
            continue
        if len(fragments) == _SNIPPET_FRAGMENTS:
            break
        start = max(0, word.start - _SNIPPET_LEAD_CHARS)
        start, end = _widen_to_space(source, start, start + _SNIPPET_CHARS // _SNIPPET_FRAGMENTS)
        fragments.append(highlight.Fragment(source, [_Marked(word.start, word.end)], start, end))
    if not fragments:
        opening = source[:_SNIPPET_CHARS]
        return html.escape(opening) + (" …" if len(body) > len(opening) else "")
    snippet = MarkFormatter().format(fragments)
    lead = "… " if fragments[0].startchar > 0 else ""
    tail = " …" if fragments[-1].endchar < len(body) else ""
    return lead + snippet + tail
