"""Typo tolerance for as-you-type suggestions, shared by both engines.

Only when what was typed finds fewer than FEW_TITLES titles, so the common case pays nothing:
each word of at least four letters that no document holds (nor its stem) is replaced by its
closest indexed spellings (query.find_corrections: Damerau distance 1, 2 for long words, the
first letter kept), and the titles of the corrected text are looked up as prefixes, as
suggest_query does. A run of Thai, typed without spaces, is corrected from one of its
dictionary words to its end ("รีเซ็ตรหัสผาน" → "รีเซ็ต" + a correction of "รหัสผาน"), since the
segmentation of a misspelt word is what breaks.
"""
from whoosh import query

from search.analysis import PREFIX_MAX_CHARS, split_words
from search.query import find_corrections, suggest_query, word_frequency

FEW_TITLES = 3
MIN_TYPO_CHARS = 4
_CORRECTED_WORDS = 3
_ALTERNATIVES = 2
_THAI_STARTS = 3


def _spans(text: str):
    """[start, end, script, words] of each word of text, a run of Thai words written together
    counting as one (its words kept, to correct it from one of them to its end)."""
    spans = []
    for word in split_words(text):
        if spans and word.script == "thai" and spans[-1][2] == "thai" and spans[-1][1] == word.start:
            spans[-1][1] = word.end
            spans[-1][3].append(word.text)
        else:
            spans.append([word.start, word.end, word.script, [word.text]])
    return spans


def _corrections_of(reader, lexicon, words, last: bool):
    """(how many leading words stay, spellings of the rest), or None when nothing looks misspelt.

    The last word may be unfinished: a correction shorter than it would only be a guess.
    """
    for kept in range(min(len(words), _THAI_STARTS)):
        typed = "".join(words[kept:])
        if not MIN_TYPO_CHARS <= len(typed) <= PREFIX_MAX_CHARS or word_frequency(reader, typed) > 0:
            continue
        found = [spelling for spelling in find_corrections(reader, lexicon, typed, 0)
                 if not last or len(spelling) >= len(typed)]
        if found:
            return kept, found
    return None


def corrected_lookup(reader, lexicon, text: str):
    """The title query of text with its misspelt words corrected, or None if none is.

    reader answers doc_frequency and lexicon terms_within, as for query.find_matches.
    """
    spans = _spans(text)
    fixes = []
    for index in range(max(0, len(spans) - _CORRECTED_WORDS), len(spans)):
        start, end, _script, words = spans[index]
        fix = _corrections_of(reader, lexicon, words, index == len(spans) - 1)
        if fix is not None:
            kept, spellings = fix
            fixes.append((start, end, ["".join(words[:kept]) + spelling for spelling in spellings]))
    if not fixes:
        return None
    lookups = []
    for rank in range(_ALTERNATIVES):
        pieces, cursor = [], 0
        for start, end, spellings in fixes:
            pieces.extend((text[cursor:start], spellings[min(rank, len(spellings) - 1)]))
            cursor = end
        pieces.append(text[cursor:])
        lookup = suggest_query("".join(pieces))
        if lookup is not None and lookup not in lookups:
            lookups.append(lookup)
    if not lookups:
        return None
    return lookups[0] if len(lookups) == 1 else query.Or(lookups)


def with_typo_titles(top, limit: int, fuzzy_top):
    """top (docnum, score) pairs, followed when they are few by those of fuzzy_top() not in them."""
    if len(top) >= min(limit, FEW_TITLES):
        return top
    extra = fuzzy_top()
    seen = {doc for doc, _score in top}
    return list(top) + [(doc, score) for doc, score in extra if doc not in seen][:limit - len(top)]
