"""Text analysis for mixed Persian, Arabic, Thai and English text, identical at index and query time.

The text is cut into runs by script, and each run is normalised on its own:

- Arabic script (Persian and Arabic): yeh, kaf, alef, hamza and teh marbuta forms are unified,
  harakat, Quranic marks, tatweel and lone hamza are dropped, presentation forms are unfolded.
  Zero-width non-joiners inside a word are removed, and the Persian verb prefixes می/نمی and the
  suffixes ها/های/هایی/ای are joined to their neighbour when typed apart with a space, so
  ``می‌شود``, ``میشود`` and ``می شود`` all become the single term ``میشود``.
- Thai: dictionary segmentation (pythainlp ``newmm``), cached per run, marks kept in their word.
- Everything else (Latin): case and accent folding; Persian, Arabic-Indic and Thai digits become
  ASCII digits wherever they stand.

Offsets of every word point into the original text, so highlighting marks the characters the
author typed, diacritics and all. The stemmed analyzer adds a light Arabic/Persian stemmer (the
article ال and its prefixed forms, plural ها/های/هایی and ات) and the Porter stemmer for English.
"""

import functools
import re
import unicodedata
from typing import NamedTuple

from pythainlp.tokenize import word_tokenize
from whoosh.analysis import Filter, StopFilter, Token, Tokenizer
from whoosh.lang.porter import stem as stem_english

# Letters and marks that continue an Arabic-script word; digits and punctuation are excluded.
_ARABIC = (
    "\u0610-\u061a\u0620-\u065f\u066e-\u06d3\u06d5-\u06dc\u06df-\u06e8\u06ea-\u06ef"
    "\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufd3d\ufd50-\ufdfb\ufe70-\ufefc"
)
_THAI = "\u0e01-\u0e3a\u0e40-\u0e4e"
_DIGITS = "\u0660-\u0669\u06f0-\u06f9\u0e50-\u0e59"
_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# Invisible characters that sit inside words (ZWNJ, ZWJ, soft hyphen, bidi marks, BOM).
_JOINERS = "\u200c\u200d\u00ad\u200e\u200f\u061c\u2060\ufeff\u202a-\u202e\u2066-\u2069"
_OTHER = (
    "(?:[^\\W_\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff\u0e00-\u0e7f]"
    f"|[{_DIGITS}{_COMBINING}])"
)
_WORD_RE = re.compile(
    f"(?P<arabic>[{_ARABIC}]+(?:[{_JOINERS}]+[{_ARABIC}]+)*)"
    f"|(?P<thai>[{_THAI}]+)"
    f"|(?P<other>{_OTHER}+(?:[{_JOINERS}]+{_OTHER}+)*)"
)
_PRESENTATION_FORM_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
_CONTROL_OR_JOINER_RE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_JOINERS}]")
_SPACES_RE = re.compile(r"\s+")

_JOINER_CODES = [0x200C, 0x200D, 0x00AD, 0x200E, 0x200F, 0x061C, 0x2060, 0xFEFF,
                 *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ASCII_DIGITS = {base + value: str(value) for base in (0x0660, 0x06F0, 0x0E50) for value in range(10)}
_ARABIC_MARKS = [0x0621, 0x0640, 0x0670, *range(0x064B, 0x0660), *range(0x0610, 0x061B),
                 *range(0x06D6, 0x06DD), *range(0x06DF, 0x06E9), *range(0x06EA, 0x06EE)]
_ARABIC_TABLE = {
    **dict.fromkeys(_JOINER_CODES + _ARABIC_MARKS),  # lone hamza ء, tatweel, harakat: dropped
    **{ord(c): "\u06cc" for c in "\u064a\u0649\u0626"},  # ي ى ئ → ی
    **{ord(c): "\u06a9" for c in "\u0643\u06aa"},  # ك ڪ → ک
    **{ord(c): "\u0627" for c in "\u0623\u0625\u0622\u0671\u0672\u0673"},  # أ إ آ ٱ → ا
    **{ord(c): "\u0647" for c in "\u0629\u06c0\u06c1\u06c2"},  # ة ۀ → ه
    ord("\u0624"): "\u0648",  # ؤ → و
}
_OTHER_TABLE = {**_ASCII_DIGITS, **dict.fromkeys(_JOINER_CODES)}

_PERSIAN_PREFIXES = frozenset(["می", "نمی"])
_PERSIAN_SUFFIXES = frozenset(["ها", "های", "هایی", "ای"])
# Stop words for English only: Persian, Arabic and Thai keep every word.
ENGLISH_STOP_WORDS = frozenset(
    "a an and are as at be but by for from has have if in into is it its of on or that the "
    "their then there these this to was were will with".split()
)
_MAX_TERM_CHARS = 60
_THAI_CACHE_RUNS = 16384


class Word(NamedTuple):
    """A normalised word and the span of the original text it came from."""

    text: str
    start: int
    end: int
    script: str  # "arabic", "thai" or "other"


def fold_other(run: str) -> str:
    """Lowercase, strip accents and map non-ASCII digits of a Latin (or other) word."""
    run = run.translate(_OTHER_TABLE).casefold()
    if run.isascii():
        return run
    decomposed = unicodedata.normalize("NFKD", run)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_arabic(run: str) -> str:
    """Unify Persian and Arabic letter variants and drop marks, tatweel, hamza and joiners."""
    if _PRESENTATION_FORM_RE.search(run):
        run = unicodedata.normalize("NFKC", run)
    return run.translate(_ARABIC_TABLE)


@functools.lru_cache(maxsize=_THAI_CACHE_RUNS)
def segment_thai(run: str) -> tuple[tuple[str, int], ...]:
    """Split a run of Thai letters into dictionary words, each with its offset in the run."""
    words = []
    cursor = 0
    for token in word_tokenize(run, engine="newmm", keep_whitespace=False):
        offset = run.find(token, cursor)
        if offset < 0 or not token.strip():
            continue
        words.append((token, offset))
        cursor = offset + len(token)
    return tuple(words)


def _join_persian_affixes(text: str, words):
    """Join می/نمی to the next word and ها/های/ای to the previous one when only spaces separate them.

    Works as a stream, so that a caller may stop reading early.
    """
    pending = None
    for word in words:
        if (
            pending is not None
            and word.script == pending.script == "arabic"
            and pending.end < word.start
            and (pending.text in _PERSIAN_PREFIXES or word.text in _PERSIAN_SUFFIXES)
            and not _CONTROL_OR_JOINER_RE.sub("", text[pending.end:word.start]).strip()
        ):
            pending = Word(pending.text + word.text, pending.start, word.end, "arabic")
            continue
        if pending is not None:
            yield pending
        pending = word
    if pending is not None:
        yield pending


def _raw_words(text: str, segment_run):
    for match in _WORD_RE.finditer(text):
        start, end = match.span()
        script = match.lastgroup
        if script == "arabic":
            for part in fold_arabic(match.group()).split():
                yield Word(part, start, end, script)
        elif script == "thai":
            for token, offset in segment_run(match.group()):
                yield Word(token, start + offset, start + offset + len(token), script)
        else:
            folded = fold_other(match.group())
            if folded:
                yield Word(folded, start, end, script)


def _scan_words(text: str, segment_run):
    """The words of text, one at a time (see split_words)."""
    return _join_persian_affixes(text, _raw_words(text, segment_run))


@functools.lru_cache(maxsize=64)
def split_words(text: str) -> tuple[Word, ...]:
    """Cut text into normalised words with their spans in the original text.

    Cached for the last few texts: indexing analyses each title and body for several fields.
    """
    return tuple(_scan_words(text, segment_thai))


def load_dictionaries() -> None:
    """Load the Thai dictionary now (a second, and about 60 MB of Python objects).

    Done before gunicorn forks its workers (gunicorn.conf.py), every worker shares those pages.
    """
    segment_thai("\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22")


def split_words_near(text: str, thai_needles: frozenset[str]):
    """split_words for highlighting, as an iterator: Thai runs containing none of thai_needles stay
    unsegmented.

    Segmenting every Thai run of every hit would dominate search time; a run that does not
    contain a term as a substring cannot contain it as a word.
    """
    def segment_run(run):
        if any(needle in run for needle in thai_needles):
            return segment_thai(run)
        return ((run, 0),)
    return _scan_words(text, segment_run)


def normalize_text(text: str) -> str:
    """Return text with words normalised as the index sees them, punctuation kept, spaces collapsed."""
    pieces = []
    cursor = 0
    for word in split_words(text):
        if word.start < cursor:  # a ligature that unfolded into several words
            pieces.append(" ")
        else:
            pieces.append(_CONTROL_OR_JOINER_RE.sub(" ", text[cursor:word.start]))
        pieces.append(word.text)
        cursor = word.end
    pieces.append(_CONTROL_OR_JOINER_RE.sub(" ", text[cursor:]))
    return _SPACES_RE.sub(" ", "".join(pieces)).strip()


_ARABIC_ARTICLES = (("وال", 3), ("بال", 3), ("کال", 3), ("فال", 3), ("ال", 2), ("لل", 2))
_PLURAL_SUFFIXES = ("هایی", "های", "ها")
_ARABIC_SUFFIXES = (*_PLURAL_SUFFIXES, "ات")
# Words that end in ها without being plurals (folded as the index folds them); shorter ones are
# kept whole by _MIN_STEM_CHARS anyway. Their ezafe forms (تنهای, انتهایی) are kept too.
_NOT_PLURALS = frozenset(["تنها", "انتها", "اشتها"])
_PERSIAN_ONLY_LETTERS = frozenset("پچژگ")
_MIN_STEM_CHARS = 3


def strip_arabic_article(word: str) -> str:
    """Strip the article ال, or وال/بال/کال/فال/لل, leaving at least 2 (or 3) letters."""
    if _PERSIAN_ONLY_LETTERS.intersection(word):  # Persian words such as الگو have no article
        return word
    for prefix, min_rest in _ARABIC_ARTICLES:
        if word.startswith(prefix) and len(word) - len(prefix) >= min_rest:
            return word[len(prefix):]
    return word


def _strip_suffix(word: str, suffixes) -> str:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM_CHARS:
            stem = word[: -len(suffix)]
            if suffix.startswith("ها") and stem + "ها" in _NOT_PLURALS:
                return word
            return stem
    return word


def strip_persian_plural(word: str) -> str:
    """The normalised word without a plural or ezafe suffix ها/های/هایی (کتابهای → کتاب), however
    it was typed (کتاب‌ها, کتابها, کتاب ها all reach here as کتابها); never below 3 letters, and
    never for words that merely end in ها (تنها, انتها)."""
    return _strip_suffix(word, _PLURAL_SUFFIXES)


def stem_arabic(word: str) -> str:
    """Strip the article and the plural suffixes ها/های/هایی/ات, never below 3 letters."""
    return _strip_suffix(strip_arabic_article(word), _ARABIC_SUFFIXES)


@functools.lru_cache(maxsize=65536)
def stem_word(word: str) -> str:
    """Stem one normalised word with the stemmer of its script (Thai words are kept whole)."""
    first = word[:1]
    if "\u0600" <= first <= "\u06ff":
        return stem_arabic(word)
    if first.isascii():
        return stem_english(word)
    return word


class _WordTokenizer(Tokenizer):
    """Base of the tokenizers below: turns the Words of words_for() into Whoosh tokens."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def words_for(self, value: str, mode: str, tokenize: bool):
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, word in enumerate(self.words_for(value, mode, tokenize)):
            token.text = word.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[word.start:word.end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + word.start
                token.endchar = start_char + word.end
            yield token


class MixedScriptTokenizer(_WordTokenizer):
    """Whoosh tokenizer yielding the normalised words of split_words with original offsets."""

    def words_for(self, value, mode, tokenize):
        if tokenize:
            return split_words(value)
        return [Word(normalize_text(value), 0, len(value), "other")]


class ScriptStemFilter(Filter):
    """Whoosh filter applying stem_word to every token."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(self, tokens):
        for token in tokens:
            token.text = stem_word(token.text)
            yield token


TITLE_START_MARK = "^"
PREFIX_MIN_CHARS = 2
PREFIX_MAX_CHARS = 20


def word_prefixes(word: str) -> list[str]:
    """Edge n-grams of a word: its prefixes from PREFIX_MIN_CHARS to PREFIX_MAX_CHARS letters."""
    return [word[:length] for length in range(PREFIX_MIN_CHARS, min(len(word), PREFIX_MAX_CHARS) + 1)]


def _thai_run_from(words, index: int) -> str:
    """The Thai word at index joined with the Thai words written straight after it."""
    pieces = [words[index].text]
    end = words[index].end
    for word in words[index + 1:]:
        if word.script != "thai" or word.start != end or sum(map(len, pieces)) >= PREFIX_MAX_CHARS:
            break
        pieces.append(word.text)
        end = word.end
    return "".join(pieces)


def title_prefix_terms(title: str) -> set[str]:
    """Terms of the as-you-type field: the prefixes of every title word (and of it without ال).

    A Thai word is read together with the Thai words written after it, because a user typing
    Thai does not type word boundaries and the dictionary may split the title differently.

    Prefixes of the first word are also indexed with TITLE_START_MARK, so titles that start with
    what the user typed can rank above titles that merely contain it. Prefixes are per word, so
    the number of distinct terms grows with the vocabulary, not with the number of titles.
    """
    terms = set()
    words = split_words(title)
    for index, word in enumerate(words):
        if word.script == "arabic":
            forms = {word.text, strip_arabic_article(word.text)}
        elif word.script == "thai":
            forms = {_thai_run_from(words, index)}
        else:
            forms = {word.text}
        for form in forms:
            for prefix in word_prefixes(form):
                terms.add(prefix)
                if index == 0:
                    terms.add(TITLE_START_MARK + prefix)
    return terms


class TitlePrefixTokenizer(_WordTokenizer):
    """Whoosh tokenizer for the as-you-type field: title_prefix_terms when indexing, words otherwise."""

    def words_for(self, value, mode, tokenize):
        if mode == "index":
            return [Word(term, 0, len(value), "") for term in sorted(title_prefix_terms(value))]
        return [word._replace(text=word.text[:PREFIX_MAX_CHARS]) for word in split_words(value)]


def text_analyzer():
    """Analyzer for searchable text: normalisation, English stop words, per-script stemming."""
    return (MixedScriptTokenizer()
            | StopFilter(ENGLISH_STOP_WORDS, minsize=1, maxsize=_MAX_TERM_CHARS)
            | ScriptStemFilter())


def exact_analyzer():
    """Analyzer with the same normalisation and no stemming, for typo correction."""
    return MixedScriptTokenizer() | StopFilter(ENGLISH_STOP_WORDS, minsize=1, maxsize=_MAX_TERM_CHARS)


def title_prefix_analyzer():
    """Analyzer of the as-you-type title field."""
    return TitlePrefixTokenizer()
