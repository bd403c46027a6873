"""Markdown rendering for articles and answers: Markdown → HTML → nh3 allowlist sanitiser."""
import hashlib
import html
import logging
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from urllib.parse import urlsplit

import markdown
import nh3
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from errors import Invalid

logger = logging.getLogger(__name__)

# Only what articles need. "extra" is deliberately absent: its attr_list lets a writer attach
# any attribute ({: onclick=... }), and md_in_html/abbr/footnotes add ids and classes we strip
# anyway. nl2br is on because agents paste call scripts, addresses and ticket notes where a
# single line break is meant to stay a line break.
MARKDOWN_EXTENSIONS = ("tables", "fenced_code", "sane_lists", "nl2br")
# Emit align="…" rather than style="text-align: …" so table alignment survives without style.
MARKDOWN_EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "b", "i", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img", "abbr", "sup", "sub",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    # Beyond the list: sane_lists writes <ol start="4"> so that "Steps to resolve"
    # keep their numbers after a code block or screenshot. Only digits are let through.
    "ol": {"start"},
}
# align is allowed by value rather than freely: nothing but these three means anything.
ALLOWED_ATTRIBUTE_VALUES = {
    "th": {"align": {"left", "center", "right"}},
    "td": {"align": {"left", "center", "right"}},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Dropped with everything inside them: their content is code, CSS or markup meant for another
# parser, never text a reader should see.
CONTENT_REMOVED_TAGS = frozenset({
    "script", "style", "template", "iframe", "noembed", "noframes", "noscript", "xmp",
    "textarea", "title",
})
_URL_ATTRIBUTES = frozenset({"href", "src"})
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")
_URL_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# Images pasted into an article: raster formats only, base64 as browsers paste them.
_DATA_IMAGE = re.compile(r"data:image/(png|gif|jpeg|webp|avif);base64,[a-z0-9+/=\s]*\Z", re.I)
DEFAULT_MAX_DATA_IMAGE_BYTES = 64 * 1024


def _attribute_filter(max_data_image_bytes):
    """The nh3 attribute filter: list starts that are numbers, URLs of allowed schemes only."""
    def filter_attribute(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "start":
            return value if value.isascii() and value.isdigit() else None
        # nh3 already applies url_schemes the way browsers parse URLs. This second, stricter
        # check also rejects forms browsers read as relative today ("java    script:", which
        # Markdown makes of "java<TAB>script:"), so no parser difference can ever turn them
        # into script.
        if attribute in _URL_ATTRIBUTES:
            scheme = _URL_SCHEME.match(_URL_NOISE.sub("", value).lower())
            if scheme and scheme.group(1) == "data":
                # data: only as the source of an image, and small: a link to data: can carry
                # a whole page, a huge image a whole article's worth of bytes.
                if tag != "img" or attribute != "src" or len(value) > max_data_image_bytes:
                    return None
                return value if _DATA_IMAGE.match(value) else None
            if scheme and scheme.group(1) not in ALLOWED_URL_SCHEMES:
                return None
        return value
    return filter_attribute


def sanitise_html(fragment: str, image_hosts=None, max_data_image_bytes=None) -> str:
    """Return the HTML ``fragment`` reduced to the allowlist of tags, attributes and schemes.

    Images stay images only when they come from Knowhow itself (relative URLs), are small
    data: images or come from one of ``image_hosts`` (default: the KNOWHOW_IMAGE_HOSTS setting);
    any other image becomes a link to it, so that an article cannot make readers' browsers
    fetch from a host nobody chose (a tracking pixel).
    """
    policy = ImagePolicy.current() if image_hosts is None else ImagePolicy(
        image_hosts, max_data_image_bytes or DEFAULT_MAX_DATA_IMAGE_BYTES)
    cleaned = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CONTENT_REMOVED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        tag_attribute_values={
            tag: {name: set(values) for name, values in rules.items()}
            for tag, rules in ALLOWED_ATTRIBUTE_VALUES.items()
        },
        url_schemes=set(ALLOWED_URL_SCHEMES | {"data"}),
        link_rel=LINK_REL,
        attribute_filter=_attribute_filter(policy.max_data_image_bytes),
        strip_comments=True,
    )
    return policy.apply(cleaned)


class ImagePolicy:
    """Which images sanitised HTML may show; the others become links (or their alt text)."""

    def __init__(self, hosts=(), max_data_image_bytes=DEFAULT_MAX_DATA_IMAGE_BYTES):
        self.hosts = tuple(hosts)
        self.max_data_image_bytes = max_data_image_bytes

    @classmethod
    def current(cls):
        """The policy of the running application's settings (none outside one: own images only)."""
        if not has_app_context():
            return cls()
        config = current_app.config
        return cls(config.get("IMAGE_HOSTS", ()),
                   config.get("MAX_DATA_IMAGE_BYTES", DEFAULT_MAX_DATA_IMAGE_BYTES))

    def key(self):
        """What of the policy a rendering depends on, for the render cache."""
        return self.hosts, self.max_data_image_bytes

    def allows(self, src: str) -> bool:
        """True for a relative URL, a data: image (the sanitiser checked it) or a listed host."""
        if src.lower().startswith("data:"):
            return True
        try:
            parts = urlsplit(src)
            port = parts.port
        except ValueError:
            return False
        if not parts.scheme and not parts.netloc:
            return True
        if parts.scheme not in ("http", "https", "") or not parts.hostname:
            return False
        host = parts.hostname + (":%d" % port if port is not None else "")
        return any(host == allowed or (allowed.startswith("*.") and host.endswith(allowed[1:]))
                   for allowed in self.hosts)

    def apply(self, sanitised: str) -> str:
        """Turn the images of nh3's output that the policy refuses into links to them."""
        if "<img" not in sanitised:
            return sanitised
        return _SANITISED_IMG.sub(self._image_or_link, sanitised)

    def _image_or_link(self, tag: re.Match) -> str:
        attributes = {name: html.unescape(value)
                      for name, value in _ATTRIBUTE.findall(tag.group(1))}
        src = attributes.get("src", "")
        if src and self.allows(src):
            return tag.group(0)
        # nh3 leaves "<" and ">" unescaped inside attribute values: escape everything again.
        text = html.escape(attributes.get("alt") or attributes.get("title") or src)
        if not src or src.lower().startswith("data:"):
            return text  # a dropped data: image (too large) or an image without a source
        return '<a href="%s" rel="%s">%s</a>' % (html.escape(src), LINK_REL, text or "?")


def restrict_images(sanitised_html: str) -> str:
    """Apply today's image policy to HTML sanitised earlier (stored with a revision or answer),
    so that images saved before a host was dropped from KNOWHOW_IMAGE_HOSTS become links too."""
    return ImagePolicy.current().apply(sanitised_html or "")


# As _SANITISED_TAG below: nh3 always double-quotes attribute values, which may hold ">".
_SANITISED_IMG = re.compile(r'<img((?:[^">]|"[^"]*")*)>')
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


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
HEAVY_RENDER_CHARS = 20_000
HEAVY_RENDER_SLOTS = 2
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
        extensions=list(MARKDOWN_EXTENSIONS),
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


# As Python-Markdown: no indent, space after the hashes optional. Closing hashes and blanks
# are stripped in code, not in the pattern, where their backtracking would be quadratic.
_ATX_HEADING = re.compile(r"(#{1,6})(.*)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, dagger alef, tatweel
_INVISIBLE_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_JOINERS = re.compile("[\u200c\u200d]")
_HEADING_DECORATION = re.compile(r"[*_`]")
_TRAILING_PARENTHETICAL = re.compile(r"[(（][^()（）]*[)）]$")
_TRAILING_PUNCTUATION = " :：.؛;،,?؟"
_SLASH_SPACING = re.compile(r" ?/ ?")


def _normalise_heading(text: str) -> str:
    """Reduce heading text to a form that survives keyboard, case and punctuation differences."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_MARKS.sub("", text)
    text = _ARABIC_MARKS.sub("", text)
    # Persian written on an Arabic keyboard (and back) differs only in yeh and kaf.
    text = text.replace("ي", "ی").replace("ى", "ی").replace("ك", "ک")
    text = _JOINERS.sub(" ", text)
    text = _HEADING_DECORATION.sub("", text)
    # Collapse blanks first, so that no pattern below ever meets a long run of them.
    text = " ".join(text.strip().rstrip("#").split())
    text = _TRAILING_PARENTHETICAL.sub("", text).rstrip(_TRAILING_PUNCTUATION)
    return _SLASH_SPACING.sub("/", text).casefold()


def extract_section(source: str, heading_names) -> str | None:
    """Return the Markdown under the first ``##`` heading named in ``heading_names``.

    Names match case-insensitively, ignoring trailing colons and parentheticals. Returns None
    when no such section exists or it holds nothing but blank lines and comments.
    """
    wanted = {_normalise_heading(name) for name in heading_names}
    body_lines = None
    open_fence = None
    for line in (source or "").splitlines():
        fence = _FENCE.match(line)
        if open_fence is None and fence:
            open_fence = fence.group(1)
        elif open_fence is not None:
            if line.strip().startswith(open_fence) and not line.strip().strip(open_fence[0]):
                open_fence = None
        else:
            heading = _ATX_HEADING.match(line)
            if heading and len(heading.group(1)) <= 2:
                if body_lines is not None:
                    break
                if len(heading.group(1)) == 2 and _normalise_heading(heading.group(2)) in wanted:
                    body_lines = []
                    continue
        if body_lines is not None:
            body_lines.append(line)
    if body_lines is None:
        return None
    body = "\n".join(body_lines).strip("\n")
    return body if _without_comments(body).strip() else None


def _without_comments(text: str) -> str:
    """Return ``text`` without its closed HTML comments, in linear time."""
    kept = []
    position = 0
    while (start := text.find("<!--", position)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break
        kept.append(text[position:start])
        position = end + 3
    kept.append(text[position:])
    return "".join(kept)


# Template headings are article content in the article's language, not interface text: an
# article written in Thai keeps Thai headings whatever the reader's UI locale, and
# extract_section must recognise them in stored articles. So they are fixed here, not gettext.
HOWTO_SECTIONS = {
    "en": (
        ("Problem / Symptoms",
         "What the customer reports and what you see: error message, account state, since when."),
        ("Cause",
         "Why it happens, in one or two sentences. Write “unknown” if nobody knows yet."),
        ("Steps to resolve",
         "Numbered steps an agent can follow during the call, naming the exact screens and "
         "fields."),
        ("What to tell the customer",
         "Time frame, cost and next step, in words you can read out. "
         "Promise only what you can deliver."),
        ("When to escalate",
         "The cases that need a specialist or a team lead, and whom to hand the contact to."),
    ),
    "fa": (
        ("مشکل / علائم",
         "مشتری چه گزارشی می‌دهد و شما چه می‌بینید: "
         "پیام خطا، وضعیت حساب، از چه زمانی شروع شده است."),
        ("علت",
         "چرا این مشکل پیش می‌آید، در یکی دو جمله. اگر هنوز معلوم نیست، بنویسید «نامشخص»."),
        ("مراحل رفع مشکل",
         "مراحل شماره‌دار که کارشناس بتواند حین تماس انجام دهد، با نام دقیق صفحه‌ها و فیلدها."),
        ("آنچه باید به مشتری بگویید",
         "مدت زمان، هزینه و قدم بعدی، با جمله‌هایی که بتوانید عیناً برای مشتری بخوانید. "
         "فقط قولی بدهید که از عهده‌اش برمی‌آیید."),
        ("چه زمانی ارجاع دهید",
         "مواردی که به کارشناس متخصص یا سرپرست نیاز دارد، و اینکه پرونده را به چه کسی بسپارید."),
    ),
    "ar": (
        ("المشكلة / الأعراض",
         "ما يبلغ عنه العميل وما تراه أنت: رسالة الخطأ، وحالة الحساب، ومتى بدأت المشكلة."),
        ("السبب",
         "لماذا تحدث المشكلة، في جملة أو جملتين. اكتب «غير معروف» إن لم يُعرف السبب بعد."),
        ("خطوات الحل",
         "خطوات مرقّمة يتبعها الموظف أثناء المكالمة، مع ذكر أسماء الشاشات والحقول بدقة."),
        ("ماذا تقول للعميل",
         "المدة المتوقعة والتكلفة والخطوة التالية، بعبارات يمكنك قراءتها للعميل كما هي. "
         "لا تَعِد إلا بما تستطيع الوفاء به."),
        ("متى يتم التصعيد",
         "الحالات التي تحتاج إلى مختص أو مشرف، والجهة التي تُحال إليها."),
    ),
    "th": (
        ("ปัญหา / อาการ",
         "ลูกค้าแจ้งว่าอะไร และคุณเห็นอะไรในระบบ "
         "เช่น ข้อความแจ้งข้อผิดพลาด สถานะบัญชี เริ่มเป็นตั้งแต่เมื่อไร"),
        ("สาเหตุ",
         "ทำไมจึงเกิดปัญหานี้ สรุปสั้น ๆ หนึ่งถึงสองประโยค ถ้ายังไม่ทราบให้เขียนว่า “ยังไม่ทราบ”"),
        ("ขั้นตอนการแก้ไข",
         "ขั้นตอนเรียงตามลำดับที่พนักงานทำตามได้ระหว่างสาย ระบุชื่อหน้าจอและช่องข้อมูลให้ชัดเจน"),
        ("สิ่งที่ต้องแจ้งลูกค้า",
         "ระยะเวลา ค่าใช้จ่าย และขั้นตอนถัดไป เป็นถ้อยคำที่อ่านให้ลูกค้าฟังได้ทันที "
         "สัญญาเฉพาะสิ่งที่ทำได้จริง"),
        ("เมื่อไรควรส่งต่อเรื่อง",
         "กรณีที่ต้องให้ผู้เชี่ยวชาญหรือหัวหน้าทีมดูแล และต้องส่งต่อให้ใคร"),
    ),
}
HOWTO_LANGUAGES = tuple(HOWTO_SECTIONS)
_CUSTOMER_SECTION_INDEX = 3
CUSTOMER_SECTION_HEADINGS = tuple(
    sections[_CUSTOMER_SECTION_INDEX][0] for sections in HOWTO_SECTIONS.values()
)


def howto_template(lang: str) -> str:
    """Return the how-to article skeleton in ``lang`` (en, fa, ar, th; others get English)."""
    # "fa_IR" and "fa-IR" mean Persian too; the template only varies by language.
    language = (lang or "").replace("-", "_").split("_")[0].lower()
    sections = HOWTO_SECTIONS.get(language, HOWTO_SECTIONS["en"])
    # Hints are HTML comments: visible while editing, dropped by the sanitiser if left in.
    return "\n".join(f"## {heading}\n<!-- {hint} -->\n" for heading, hint in sections)


HOWTO_TEMPLATE = howto_template("en")
