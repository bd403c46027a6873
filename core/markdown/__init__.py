"""Markdown rendering for articles and answers: Markdown → HTML → nh3 allowlist sanitiser."""
import hashlib
import html
import logging
import re
import threading
import time
from collections import OrderedDict

import markdown
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.markdown.howto import (  # noqa: F401  (the package's public names)
    _FENCE,
    CUSTOMER_SECTION_HEADINGS,
    HOWTO_LANGUAGES,
    HOWTO_SECTIONS,
    HOWTO_TEMPLATE,
    extract_section,
    howto_section_index,
    howto_template,
    lines_with_code,
    untouched_sections,
)
from core.markdown.mentions import MentionExtension, mentioned_usernames  # noqa: F401
from core.markdown.sanitise import (  # noqa: F401
    ALLOWED_ATTRIBUTE_VALUES,
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    CONTENT_REMOVED_TAGS,
    DEFAULT_MAX_DATA_IMAGE_BYTES,
    LINK_REL,
    MARKDOWN_EXTENSION_CONFIGS,
    MARKDOWN_EXTENSIONS,
    ImagePolicy,
    restrict_images,
    sanitise_html,
)
from errors import Invalid

logger = logging.getLogger(__name__)

# Python-Markdown has inputs that take quadratic time (thousands of "[" take minutes; upstream
# issue #798 is left open). Past this much CPU time the article is shown as plain text instead,
# so one hostile article cannot hold a worker. A dense 50 KB article needs well under 0.1 s and
# a 200 KB table about 1.5 s; the budget is generous so that a garbage-collection pause never
# turns a real article into text.
RENDER_CPU_BUDGET_SECONDS = 2.0
# Deeper nests are refused when saved (check_markdown) and shown as plain text if met anyway:
# Python-Markdown recurses once per level and html5ever (nh3) is quadratic in the depth of a
# nest (30,000 <div> took 2 s in nh3 alone). No article needs more than a handful of levels.
MAX_NESTING_DEPTH = 32
# Renderings of longer texts take a slot: at most this many run at once in a process, so that
# eight previews of 200 KB tables leave the other requests their share of the CPU and the GIL.
# One, not two: with two rendering threads a request waits for the GIL behind both at each of its
# reads and writes (measured during eight such previews: a save 1.3–1.7 s and /readyz 2.0–2.2 s
# with two slots, 0.5–0.7 s and 1.0–1.2 s with one). Other processes render in parallel.
HEAVY_RENDER_CHARS = 20_000
HEAVY_RENDER_SLOTS = 1
_heavy_renders = threading.BoundedSemaphore(HEAVY_RENDER_SLOTS)


class _RenderTooCostly(Exception):
    """Raised inside Python-Markdown when a document has used up its CPU budget."""


def render_markdown(source: str) -> Markup:
    """Render article Markdown to sanitised HTML that templates may output unescaped."""
    return Markup(_render_html(source))


def _render_html(source: str) -> str:
    """Render article Markdown to sanitised HTML as a plain string (cached by content)."""
    source = source or ""
    policy = ImagePolicy.current()
    cache_key = (hashlib.sha256(source.encode("utf-8", "surrogatepass")).digest(), policy.key())
    cached = _render_cache.get(cache_key)
    if cached is not None:
        return cached
    if len(source) < HEAVY_RENDER_CHARS:
        rendered, complete = _render_uncached(source, policy)
    else:
        with _heavy_renders:
            rendered, complete = _render_uncached(source, policy)
    if complete:  # a fallback may be the machine's load, not the text: try again next time
        _render_cache.put(cache_key, rendered)
    return rendered


def _render_uncached(source: str, policy: ImagePolicy):
    """(sanitised HTML, False if it fell back to plain text) of ``source``."""
    if nesting_depth(source) > MAX_NESTING_DEPTH:
        logger.warning("Markdown nested more than %d levels deep: shown as plain text",
                       MAX_NESTING_DEPTH)
        html_fragment, complete = _plain_text_html(source), True
    else:
        try:
            html_fragment, complete = _convert_markdown(source), True
            if html_depth(html_fragment) > 2 * MAX_NESTING_DEPTH:
                # Nests the source check cannot see (code spans across lines): nh3 is quadratic
                # in the depth, so they are shown as text too.
                raise _RenderTooCostly
        except (_RenderTooCostly, RecursionError):
            # RecursionError: Python-Markdown recurses once per nesting level ("1. 1. 1. …").
            logger.warning("Markdown of %d characters too costly to parse: shown as plain text",
                           len(source))
            html_fragment, complete = _plain_text_html(source), False
    return sanitise_html(html_fragment, policy.hosts, policy.max_data_image_bytes), complete


class _RenderCache:
    """Recent renderings by content, bounded by their total length: a preview, the save that
    follows it and the search index's plain text of the same body render once between them."""

    def __init__(self, max_chars):
        self.max_chars = max_chars
        self._entries = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            rendered = self._entries.get(key)
            if rendered is not None:
                self._entries.move_to_end(key)
            return rendered

    def put(self, key, rendered):
        if len(rendered) > self.max_chars // 4:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = rendered
            self._chars += len(rendered)
            while self._chars > self.max_chars:
                _, evicted = self._entries.popitem(last=False)
                self._chars -= len(evicted)

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._chars = 0


# About 8 million characters of HTML (tens of MB at most) per process.
_render_cache = _RenderCache(8_000_000)


def _convert_markdown(source: str) -> str:
    """Convert Markdown to unsanitised HTML, raising _RenderTooCostly past the CPU budget."""
    # A fresh instance per call: Markdown objects keep per-document state and are not
    # thread-safe when shared between requests.
    converter = markdown.Markdown(
        extensions=[*MARKDOWN_EXTENSIONS, MentionExtension()],
        extension_configs=MARKDOWN_EXTENSION_CONFIGS,
        output_format="html",
    )
    # The raw-HTML block preprocessor runs html.parser over the whole text, which is quadratic
    # on input like "<a <a <a …" or "<![CDATA[" repeated and cannot be interrupted. Without it,
    # HTML lines are ordinary paragraphs; inline tags (<sup>, <br>, comments) still reach the
    # sanitiser, whose allowlist is what keeps them safe.
    converter.preprocessors.deregister("html_block")
    # Every block step and every inline match attempt is checked against the budget: the slow
    # cases are made of very many such steps. thread_time ignores other threads' load.
    deadline = time.thread_time() + RENDER_CPU_BUDGET_SECONDS
    for processor in converter.parser.blockprocessors:
        processor.run = _stop_after(deadline, processor.run)
    for processor in converter.inlinePatterns:
        processor.handleMatch = _stop_after(deadline, processor.handleMatch)
    return converter.convert(source)


def _stop_after(deadline: float, step):
    """Wrap a Python-Markdown processing step so that it raises once ``deadline`` has passed."""
    def step_within_budget(*args):
        if time.thread_time() > deadline:
            raise _RenderTooCostly
        return step(*args)
    return step_within_budget


def _plain_text_html(source: str) -> str:
    """Return ``source`` as escaped paragraphs, for text too costly to parse as Markdown."""
    paragraphs = re.split(r"\n[ \t]*\n", source.strip())
    return "\n".join(
        "<p>%s</p>" % html.escape(paragraph).replace("\n", "<br>\n") for paragraph in paragraphs
    )


# The containers a line opens: quote markers and list markers, before its text.
_LINE_CONTAINERS = re.compile(r"(?:[ \t]*(?:>|[-*+][ \t]|[0-9]{1,9}[.)][ \t]))+")
_CONTAINER_MARK = re.compile(r">|[-*+][ \t]|[0-9]{1,9}[.)][ \t]")
_RAW_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*?(/?)>")
_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                        "meta", "source", "track", "wbr"})


def nesting_depth(source: str) -> int:
    """How deeply ``source`` nests quotes, lists and raw HTML elements, in linear time.

    A line counts its indentation (four columns a level, as Python-Markdown nests lists) and the
    quote and list markers that open it; raw HTML counts the elements opened and not closed,
    outside code (fenced blocks and `code spans`, where "<div>" is text).
    """
    deepest = 0
    open_fence = None
    markup = []
    for line in source.splitlines():
        fence = _FENCE.match(line)
        if open_fence is not None:
            if fence and fence.group(1)[0] == open_fence[0] and len(fence.group(1)) >= len(open_fence):
                open_fence = None
            continue
        if fence:
            open_fence = fence.group(1)
            continue
        expanded = line.expandtabs(4) if "\t" in line[:200] else line
        indent = len(expanded) - len(expanded.lstrip(" "))
        containers = _LINE_CONTAINERS.match(expanded)
        marks = len(_CONTAINER_MARK.findall(containers.group(0))) if containers else 0
        if marks:
            deepest = max(deepest, indent // 4 + marks)
        if "<" in line:
            markup.extend(line.split("`")[::2])  # the parts between code spans
    return max(deepest, html_depth(" ".join(markup)))


def html_depth(fragment: str) -> int:
    """How many HTML elements ``fragment`` leaves open at its deepest point (void ones aside)."""
    deepest = open_elements = 0
    for closing, name, self_closing in _RAW_TAG.findall(fragment):
        if name.lower() in _VOID_TAGS or self_closing:
            continue
        open_elements = max(open_elements - 1, 0) if closing else open_elements + 1
        deepest = max(deepest, open_elements)
    return deepest


def check_markdown(field: str, source: str, max_chars: int, too_long=None):
    """Refuse, as ``Invalid(field, …)``, Markdown over ``max_chars`` or nested too deeply.

    :param too_long: ``too_long(count, n)`` gives the message for an over-long text.
    """
    if len(source) > max_chars:
        message = (too_long or _too_long)(len(source), max_chars)
        raise Invalid(field, message)
    if nesting_depth(source) > MAX_NESTING_DEPTH:
        raise Invalid(field, _l("The text nests quotes, lists or HTML elements more than %(n)d "
                                "levels deep. Flatten it.", n=MAX_NESTING_DEPTH))


def _too_long(count, limit):
    return _l("The text is too long: %(count)d characters, at most %(n)d.", count=count, n=limit)


# Tags after which text from the next element must not run into the previous word.
_BLOCK_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
    "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "img",
})
# nh3 serialises canonically: lower-case tags, attributes always double-quoted, "<" in text
# always escaped. So a tag is exactly "<", a name, then anything outside or inside double
# quotes up to ">" — a regular expression reads it reliably, several times faster than
# html.parser (which mattered: it cost a third of the time of indexing a long article).
_SANITISED_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:[^">]|"[^"]*")*)>')
_ALT_ATTRIBUTE = re.compile(r'\salt="([^"]*)"')


def _tag_to_text(tag: re.Match) -> str:
    """Return what a sanitised tag contributes to plain text: a word break or alt text."""
    name = tag.group(2)
    if name == "img":
        # Alt text is what a screen reader says for the image: it is part of the article.
        alt = _ALT_ATTRIBUTE.search(tag.group(3))
        return f" {alt.group(1) if alt else ''} "
    # No break inside inline elements: Thai has no spaces between words, and <strong> in the
    # middle of a Thai word must not split it.
    return " " if name in _BLOCK_TAGS else ""


def markdown_to_text(source: str) -> str:
    """Return the plain text of article Markdown, for search indexing and summaries."""
    text = html.unescape(_SANITISED_TAG.sub(_tag_to_text, _render_html(source)))
    return " ".join(text.split())
