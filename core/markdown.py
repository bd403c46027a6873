"""Markdown rendering for articles and answers: Markdown → HTML → nh3 allowlist sanitiser."""
import html
import logging
import re
import time
import unicodedata

import markdown
import nh3
from markupsafe import Markup

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


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Drop list starts that are not numbers and URLs that hide a forbidden scheme."""
    if attribute == "start":
        return value if value.isascii() and value.isdigit() else None
    # nh3 already applies url_schemes the way browsers parse URLs. This second, stricter check
    # also rejects forms browsers read as relative today ("java    script:", which Markdown
    # makes of "java<TAB>script:"), so no parser difference can ever turn them into script.
    if attribute in _URL_ATTRIBUTES:
        scheme = _URL_SCHEME.match(_URL_NOISE.sub("", value).lower())
        if scheme and scheme.group(1) not in ALLOWED_URL_SCHEMES:
            return None
    return value


def sanitise_html(fragment: str) -> str:
    """Return the HTML ``fragment`` reduced to the allowlist of tags, attributes and schemes."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CONTENT_REMOVED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        tag_attribute_values={
            tag: {name: set(values) for name, values in rules.items()}
            for tag, rules in ALLOWED_ATTRIBUTE_VALUES.items()
        },
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )


# Python-Markdown has inputs that take quadratic time (thousands of "[" take minutes; upstream
# issue #798 is left open). Past this much CPU time the article is shown as plain text instead,
# so one hostile article cannot hold a worker. A dense 50 KB article needs well under 0.1 s; the
# budget is generous so that a garbage-collection pause never turns a real article into text.
RENDER_CPU_BUDGET_SECONDS = 2.0


class _RenderTooCostly(Exception):
    """Raised inside Python-Markdown when a document has used up its CPU budget."""


def render_markdown(source: str) -> Markup:
    """Render article Markdown to sanitised HTML that templates may output unescaped."""
    return Markup(_render_html(source))


def _render_html(source: str) -> str:
    """Render article Markdown to sanitised HTML as a plain string."""
    source = source or ""
    try:
        html_fragment = _convert_markdown(source)
    except (_RenderTooCostly, RecursionError):
        # RecursionError: Python-Markdown recurses once per nesting level ("1. 1. 1. …").
        logger.warning("Markdown of %d characters too costly to parse: shown as plain text",
                       len(source))
        html_fragment = _plain_text_html(source)
    return sanitise_html(html_fragment)


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
