"""Markdown rendering: hostile input stays inert, ordinary articles render, how-to helpers work."""
import logging
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

import core.markdown
from core.markdown import (
    CUSTOMER_SECTION_HEADINGS,
    HOWTO_TEMPLATE,
    extract_section,
    howto_template,
    markdown_to_text,
    render_markdown,
    sanitise_html,
)

# The contract, written out here rather than imported, so that widening the module's allowlist
# makes these tests fail until someone decides it on purpose.
ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del", "s",
    "code", "pre", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr",
    "th", "td", "a", "img", "abbr", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "abbr": {"title"},
    "ol": {"start"},  # step numbering that continues after a code block or a screenshot
}
URL_ATTRIBUTES = {"href", "src"}
SAFE_SCHEMES = {"http", "https", "mailto"}
LINK_REL = {"noopener", "noreferrer", "nofollow"}


class ParsedHtml(HTMLParser):
    """Everything a browser's tokenizer would see in a rendered fragment."""

    def __init__(self, fragment):
        super().__init__(convert_charrefs=True)
        self.start_tags = []  # (tag, [(name, value), …]) in document order
        self.end_tags = []
        self.text_parts = []
        self.comments = []
        self.declarations = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.start_tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.start_tags.append((tag, attrs))

    def handle_endtag(self, tag):
        self.end_tags.append(tag)

    def handle_data(self, data):
        self.text_parts.append(data)

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_decl(self, decl):
        self.declarations.append(decl)

    def unknown_decl(self, data):
        self.declarations.append(data)

    def handle_pi(self, data):
        self.declarations.append(data)

    @property
    def text(self):
        return "".join(self.text_parts)

    def tags(self):
        return [tag for tag, _ in self.start_tags]


def parse(fragment):
    return ParsedHtml(str(fragment))


def url_scheme(value):
    """The scheme a browser could see in a URL attribute, read as suspiciously as possible."""
    # HTMLParser has already decoded entities once, as a browser does; then drop every blank
    # and control character (browsers drop some of them anywhere in a scheme) and lowercase.
    compact = re.sub(r"[\x00-\x20\x7f-\x9f\s]+", "", value or "").lower()
    scheme = re.match(r"([a-z][a-z0-9+.\-]*):", compact)
    return scheme.group(1) if scheme else None


# --- Hostile input catalog --------------------------------------------------------------------

# Addresses no link or image may keep, by the trick each one plays on a URL parser.
HOSTILE_URLS = {
    "javascript-url": [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "JAVASCRIPT:alert(document.cookie)",
        "javascript:/*--></title></style></textarea></script><svg/onload=alert(1)>",
        "javascript://%0aalert(1)",
    ],
    "javascript-url-entity-encoded": [
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "&#X6a;avascript:alert(1)",
        "&#0000106avascript:alert(1)",
        "&#0000106;&#0000097;vascript:alert(1)",
        "&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58alert(1)",
        "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
        "javascript&#58;alert(1)",
        "javascript&colon;alert(1)",
    ],
    "javascript-url-hidden-blank-or-control-character": [
        "java\tscript:alert(1)",
        "java&#9;script:alert(1)",
        "java&#x0A;script:alert(1)",
        "java&#13;script:alert(1)",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "\x0bjavascript:alert(1)",
        "&#14;javascript:alert(1)",
        "\u2028javascript:alert(1)",
    ],
    "vbscript-or-livescript-url": [
        "vbscript:msgbox(1)",
        "VBScript:MsgBox(1)",
        "livescript:alert(1)",
    ],
    "data-url": [
        "data:text/html,<script>alert(1)</script>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
        "data:image/svg+xml,<svg onload=alert(1)>",
    ],
    "file-or-ftp-url": [
        "file:///etc/passwd",
        "ftp://files.example/x",
    ],
}

# Each context places URL where Markdown (or raw HTML) takes a link or image address.
URL_CONTEXTS = {
    "inline-link": "[click me](URL)",
    "inline-link-angle": "[click me](<URL>)",
    "inline-link-title": '[click me](URL "title")',
    "inline-image": "![screenshot](URL)",
    "reference-link": "[click me][ref]\n\n[ref]: URL",
    "reference-image": "![screenshot][ref]\n\n[ref]: URL",
    "autolink": "<URL>",
    "raw-anchor": '<a href="URL">click me</a>',
    "raw-image": '<img src="URL" alt="screenshot">',
}

# Raw HTML a writer could paste into an article, by the part of HTML it abuses.
HOSTILE_HTML = {
    "script-tag": [
        "<script>alert(1)</script>",
        '<script src="https://evil.example/x.js"></script>',
        "<SCRIPT>alert(1)</SCRIPT>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
    ],
    "event-handler": [
        "<img src=x onerror=alert(1)>",
        '<img src="x" onerror="alert(1)">',
        "<IMG SRC=x OnErRoR=alert(1)>",
        "<img src=x onerror\n=alert(1)>",
        "<img/src=x/onerror=alert(1)>",
        '<a onmouseover="alert(1)">hover</a>',
        '<a href="https://ok.example" onclick="alert(1)">ok</a>',
        "<body onload=alert(1)>",
        "<div onpointerenter=alert(1)>x</div>",
        "<details open ontoggle=alert(1)>x</details>",
        "<marquee onstart=alert(1)>x</marquee>",
        "<video><source onerror=alert(1)></video>",
        "<audio src=x onerror=alert(1)>",
        '<table><tr><td align="center" onclick="alert(1)">x</td></tr></table>',
        '<abbr title="x" onclick="alert(1)">FCR</abbr>',
        '<a href="https://ok.example"><img src=x onerror=alert(1)></a>',
    ],
    "css": [
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<div style="width: expression(alert(1))">x</div>',
        '<span style="behavior:url(x.htc)">x</span>',
        "<style>body{background:url(javascript:alert(1))}</style>",
        '<style>@import "https://evil.example/x.css";</style>',
        '<h1 style="color:red" id="top">Title</h1>',
    ],
    "svg-and-mathml": [
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">click</text></a></svg>',
        "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
        '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
        '<svg><use href="data:image/svg+xml;base64,PHN2Zz4="/></svg>',
        "<svg><style><img src=x onerror=alert(1)></style></svg>",
        "<svg><style><img src=x onerror=alert(1)>",
        "<svg><foreignObject><iframe src=javascript:alert(1)></foreignObject></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
        '<math href="javascript:alert(1)">x</math>',
        ('<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction>'
         '</math>'),
    ],
    "comment-and-cdata": [
        "<!--<img src=x onerror=alert(1)>-->",
        "<!--<img-->text<img src=x onerror=alert(1)//-->",
        "<!-- --!><img src=x onerror=alert(1)>-->",
        "<![CDATA[<img src=x onerror=alert(1)>]]>",
    ],
    "raw-text-element": [
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        "<listing>&lt;img src=x onerror=alert(1)&gt;</listing>",
        "<xmp><img src=x onerror=alert(1)></xmp>",
        "<textarea><img src=x onerror=alert(1)></textarea>",
        "<title><img src=x onerror=alert(1)></title>",
        "<noembed><img src=x onerror=alert(1)></noembed>",
        "<template><img src=x onerror=alert(1)></template>",
        '<div><style><!--</style><img src=x onerror=alert(1)>--></div>',
    ],
    "frame-object-embed": [
        '<iframe src="javascript:alert(1)"></iframe>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        '<frameset><frame src="javascript:alert(1)">',
        '<object data="javascript:alert(1)"></object>',
        '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
        '<embed src="javascript:alert(1)">',
        '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    ],
    "base-meta-link": [
        '<base href="https://evil.example/">',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        "<link rel=import href=https://evil.example/x.html>",
    ],
    "form": [
        '<form action="javascript:alert(1)"><input type=submit></form>',
        '<form><button formaction="javascript:alert(1)">go</button></form>',
        "<input onfocus=alert(1) autofocus>",
        "<select onchange=alert(1)><option>x</option></select>",
        "<textarea onfocus=alert(1) autofocus>",
        "<keygen autofocus onfocus=alert(1)>",
        "<isindex action=javascript:alert(1) type=image>",
    ],
    "forbidden-attribute-on-allowed-tag": [
        '<a href="javascript:alert(1)" id="x" name="y" class="z">x</a>',
        '<p id="main" class="big" name="n">x</p>',
        ('<table background="javascript:alert(1)">'
         '<tr><td background="javascript:x">x</td></tr></table>'),
        '<table><tr><th align="javascript:alert(1)">x</th></tr></table>',
        '<img src="https://ok.example/a.png" srcset="javascript:alert(1) 1x">',
        '<img src="https://ok.example/a.png" style="x" width=1 height=1 loading=lazy>',
        '<a href="https://ok.example" target="_blank" rel="opener">x</a>',
        '<a href="https://ok.example" ping="https://evil.example/ping">x</a>',
        '<blockquote cite="javascript:alert(1)">x</blockquote>',
        '<img src="https://ok.example/a.png" alt="x" title="&quot; onerror=&quot;alert(1)">',
    ],
}

# Markdown surroundings for raw HTML, since block and inline parsing treat it differently.
RAW_HTML_CONTEXTS = {
    "alone": "PAYLOAD",
    "list-item": "- PAYLOAD",
    "in-paragraph": "Before PAYLOAD after",
}

ATTR_LIST_INJECTIONS = [
    'A paragraph\n{: onclick="alert(1)" }',
    "A paragraph\n{: onmouseover=alert(1) }",
    '# Title {#evil .class style="background:red"}',
    '## Title {: #id .cls onclick="alert(1)" }',
    "[link](https://ok.example){: onclick=alert(1) }",
    '![image](https://ok.example/a.png){: onerror="alert(1)" }',
    "- item\n{: .cls style=color:red }",
    "| a |\n|---|\n| b {: onclick=alert(1) } |",
    '*emphasis*{: onclick="alert(1)"}',
    '<div markdown="1">**bold**</div>\n{: onload=alert(1) }',
]

SCRIPT_AS_CODE = [
    "`<script>alert(1)</script>`",
    "``<script>alert(1)</script>``",
    "```\n<script>alert(1)</script>\n```",
    "```html\n<script>alert(1)</script>\n```",
    "~~~\n<script>alert(1)</script>\n~~~",
    "    <script>alert(1)</script>",
    "1. step\n\n        <script>alert(1)</script>",
]


def build_hostile_catalog():
    """Every hostile source by vector family: each URL and HTML payload in each of its contexts."""
    catalog = {}
    # Extend rather than assign, so that a family named in both tables loses no vector.
    for family, urls in HOSTILE_URLS.items():
        catalog.setdefault(family, []).extend(
            template.replace("URL", url) for template in URL_CONTEXTS.values() for url in urls
        )
    for family, payloads in HOSTILE_HTML.items():
        catalog.setdefault(family, []).extend(
            template.replace("PAYLOAD", payload)
            for template in RAW_HTML_CONTEXTS.values() for payload in payloads
        )
    catalog.setdefault("attr-list-injection", []).extend(ATTR_LIST_INJECTIONS)
    catalog.setdefault("script-shown-as-code", []).extend(SCRIPT_AS_CODE)
    return catalog


HOSTILE_CATALOG = build_hostile_catalog()


def test_hostile_catalog_has_at_least_200_vectors():
    assert sum(len(vectors) for vectors in HOSTILE_CATALOG.values()) >= 200


def test_every_hostile_family_has_vectors():
    # The family test passes vacuously on an empty family.
    assert [family for family, vectors in HOSTILE_CATALOG.items() if not vectors] == []


def test_no_hostile_vector_is_listed_twice():
    # A vector in two families (or twice in one) is a copy-paste slip that hides a missing one.
    counts = Counter(source for vectors in HOSTILE_CATALOG.values() for source in vectors)
    assert [source for source, count in counts.items() if count > 1] == []


@dataclass
class HostileRendering:
    """One hostile source rendered twice: what the contract's properties are checked on."""

    html: str
    second_html: str
    fell_back_to_text: bool  # the too-costly plain-text path ran for either rendering
    parsed: ParsedHtml


def render_hostile(source, caplog):
    """Render ``source`` twice, noting whether the too-costly fallback ran."""
    caplog.clear()
    html = str(render_markdown(source))
    second_html = str(render_markdown(source))
    fell_back = any("too costly" in record.getMessage() for record in caplog.records)
    return HostileRendering(html, second_html, fell_back, parse(html))


def document_shape(fragment):
    """Tags with their attributes, end tags and text: what a browser builds from a fragment."""
    parsed = parse(fragment)
    # Attribute order carries no meaning, and nh3 may place the rel it adds differently
    # when it also drops an attribute.
    tags = [(tag, sorted(attributes)) for tag, attributes in parsed.start_tags]
    return tags, parsed.end_tags, parsed.text


# Each property returns what it found wrong in one rendering; an empty list means it holds.

def only_allowed_tags(rendering):
    parsed = rendering.parsed
    found = []
    if tags := sorted(set(parsed.tags()) - ALLOWED_TAGS):
        found.append(f"start tags {tags}")
    if end_tags := sorted(set(parsed.end_tags) - ALLOWED_TAGS):
        found.append(f"end tags {end_tags}")
    if parsed.comments:
        found.append(f"comments {parsed.comments}")
    if parsed.declarations:
        found.append(f"declarations {parsed.declarations}")
    return found


def only_allowed_attributes(rendering):
    return [
        f"<{tag}> {attributes}" for tag, attributes in rendering.parsed.start_tags
        if {name for name, _ in attributes} - ALLOWED_ATTRIBUTES.get(tag, set())
    ]


def no_event_handler_attribute(rendering):
    return [
        f"<{tag}> {name}={value!r}" for tag, attributes in rendering.parsed.start_tags
        for name, value in attributes if name.startswith("on")
    ]


def urls_use_only_safe_schemes(rendering):
    found = []
    for tag, attributes in rendering.parsed.start_tags:
        for name, value in attributes:
            scheme = url_scheme(value) if name in URL_ATTRIBUTES else None
            if scheme is not None and scheme not in SAFE_SCHEMES:
                found.append(f"<{tag}> {name}={value!r}")
    return found


def links_carry_rel(rendering):
    return [
        f"<a> {attributes}" for tag, attributes in rendering.parsed.start_tags
        if tag == "a" and set(dict(attributes).get("rel", "").split()) != LINK_REL
    ]


def renders_the_same_twice(rendering):
    # Two renderings in one process can differ only when the CPU-budget fallback, which depends
    # on the machine's load, turns one of them into plain text; comparing them alone therefore
    # never failed. So the fallback must not run: it would also hide the vector, since escaped
    # text passes every other property whatever the sanitiser does.
    found = []
    if rendering.fell_back_to_text:
        found.append("rendered as plain text by the too-costly fallback")
    if rendering.second_html != rendering.html:
        found.append(f"{rendering.html!r}, then {rendering.second_html!r}")
    return found


def unchanged_by_sanitising_again(rendering):
    again = sanitise_html(rendering.html)
    if document_shape(again) != document_shape(rendering.html):
        return [f"{rendering.html!r} sanitises to {again!r}"]
    return []


CONTRACT_PROPERTIES = [
    only_allowed_tags,
    only_allowed_attributes,
    no_event_handler_attribute,
    urls_use_only_safe_schemes,
    links_carry_rel,
    renders_the_same_twice,
    unchanged_by_sanitising_again,
]


@pytest.mark.parametrize("family", HOSTILE_CATALOG)
def test_hostile_family_stays_inert(family, caplog):
    """Every vector of the family holds every property; a failure names each vector that broke."""
    caplog.set_level(logging.WARNING, logger="core.markdown")
    vectors = HOSTILE_CATALOG[family]
    failures = []  # (vector, property, what was found)
    for source in vectors:
        rendering = render_hostile(source, caplog)
        for contract_property in CONTRACT_PROPERTIES:
            failures += [(source, contract_property.__name__, found)
                         for found in contract_property(rendering)]
    broken = len({source for source, _, _ in failures})
    report = "\n".join(f"{source!r}: {name}: {found}" for source, name, found in failures)
    assert not failures, f"{broken} of {len(vectors)} {family} vectors broke:\n{report}"


# --- Specific hostile behaviours --------------------------------------------------------------

@pytest.mark.parametrize("source", SCRIPT_AS_CODE)
def test_script_in_code_is_shown_as_text(source):
    parsed = parse(render_markdown(source))
    assert "code" in parsed.tags()
    assert "script" not in parsed.tags()
    assert "<script>alert(1)</script>" in parsed.text


@pytest.mark.parametrize("source", [
    "<script>alert('xss')</script>Safe text",
    "<style>p { color: red }</style>Safe text",
    "<script>\nalert('xss')\n</script>\n\nSafe text",
    "<svg><style>p { color: red }</style></svg>Safe text",
])
def test_script_and_style_content_is_removed(source):
    text = parse(render_markdown(source)).text
    assert "Safe text" in text
    assert "alert" not in text
    assert "color" not in text


@pytest.mark.parametrize("source", [
    "[call the customer](javascript:alert(1))",
    "[call the customer](&#106;avascript:alert(1))",
    "[call the customer](java\tscript:alert(1))",
])
def test_script_link_keeps_its_text_and_loses_its_address(source):
    parsed = parse(render_markdown(source))
    assert parsed.start_tags == [("p", []), ("a", [("rel", "noopener noreferrer nofollow")])]
    assert parsed.text == "call the customer"


def test_attr_list_syntax_stays_visible_text():
    parsed = parse(render_markdown('Refund policy\n{: onclick="alert(1)" }'))
    assert "{: onclick=" in parsed.text
    assert all(attributes == [] for _, attributes in parsed.start_tags)


def test_event_handler_is_removed_but_the_image_kept():
    parsed = parse(render_markdown('<img src="/files/a.png" onerror="alert(1)">'))
    assert ("img", [("src", "/files/a.png")]) in parsed.start_tags


def test_table_alignment_is_kept_as_align_attribute():
    parsed = parse(render_markdown("| plan | cost |\n|:---|---:|\n| Pro | 12 |"))
    cells = [attributes for tag, attributes in parsed.start_tags if tag in ("th", "td")]
    aligns = [dict(attributes).get("align") for attributes in cells]
    assert aligns == ["left", "right", "left", "right"]


@pytest.fixture
def small_budget(monkeypatch):
    """A short CPU budget, so the fallback tests do not wait for the production one."""
    monkeypatch.setattr(core.markdown, "RENDER_CPU_BUDGET_SECONDS", 0.2)


def test_pathological_brackets_render_as_text(small_budget, caplog):
    # Python-Markdown alone takes minutes on this (upstream issue #798).
    source = "[" * 20_000
    rendered = render_markdown(source)
    assert parse(rendered).text == source
    assert "too costly" in caplog.text


def test_pathological_markdown_is_logged(small_budget, caplog):
    render_markdown("[](" * 15_000)
    assert "too costly" in caplog.text


def test_deeply_nested_lists_render_without_crashing():
    source = "1. " * 20_000 + "step"
    assert parse(render_markdown(source)).text.endswith("step")


def test_unclosed_html_declarations_render_as_text(small_budget):
    # html.parser is quadratic on these; raw HTML blocks are therefore not parsed as blocks.
    rendered = render_markdown("<a " * 15_000 + "<![CDATA[ " * 5_000)
    assert "<a" in parse(rendered).text


# --- Ordinary articles ------------------------------------------------------------------------

def test_render_returns_markup():
    assert isinstance(render_markdown("Hello"), Markup)


def test_empty_source_renders_empty():
    assert str(render_markdown("")) == ""


@pytest.mark.parametrize("level", range(1, 7))
def test_heading_renders_at_its_level(level):
    parsed = parse(render_markdown("#" * level + " Refunds"))
    assert parsed.start_tags == [(f"h{level}", [])]
    assert parsed.text == "Refunds"


def test_table_renders_with_head_and_body():
    parsed = parse(render_markdown("| plan | cost |\n|---|---|\n| Pro | 12 |\n| Team | 30 |"))
    assert parsed.tags() == [
        "table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td", "tr", "td", "td",
    ]


def test_fenced_code_keeps_content_and_drops_language_class():
    parsed = parse(render_markdown("```sql\nSELECT * FROM invoices WHERE id < 10;\n```"))
    assert parsed.start_tags == [("pre", []), ("code", [])]
    assert parsed.text == "SELECT * FROM invoices WHERE id < 10;\n"


def test_unordered_and_ordered_lists_render():
    parsed = parse(render_markdown("- modem\n- router\n\n1. restart\n2. wait"))
    assert parsed.tags() == ["ul", "li", "li", "ol", "li", "li"]


def test_ordered_list_keeps_its_start_number():
    parsed = parse(render_markdown("1. open the account\n\n```\ncode\n```\n\n2. refund"))
    assert ("ol", [("start", "2")]) in parsed.start_tags


def test_single_line_break_is_kept():
    parsed = parse(render_markdown("Tehran office\nValiasr Street 12"))
    assert parsed.tags() == ["p", "br"]


def test_own_image_renders_with_alt_and_title():
    parsed = parse(render_markdown('![Reset button](/files/reset.png "Reset")'))
    image = ("img", [("alt", "Reset button"), ("src", "/files/reset.png"),
                     ("title", "Reset")])
    assert image in parsed.start_tags


@pytest.mark.parametrize("address", [
    "https://support.example/billing",
    "http://intranet.example/faq",
    "mailto:billing@example.com",
    "/kb/articles/42",
    "../articles/42",
    "articles/42?lang=fa",
    "#steps-to-resolve",
])
def test_safe_link_keeps_its_address_and_gets_rel(address):
    parsed = parse(render_markdown(f"[see]({address})"))
    assert ("a", [("href", address), ("rel", "noopener noreferrer nofollow")]) in parsed.start_tags


def test_email_autolink_becomes_mailto_link():
    parsed = parse(render_markdown("<billing@example.com>"))
    anchors = [dict(attributes) for tag, attributes in parsed.start_tags if tag == "a"]
    assert anchors[0]["href"] == "mailto:billing@example.com"
    assert parsed.text == "billing@example.com"


@pytest.mark.parametrize("markup, tag", [
    ("H<sub>2</sub>O", "sub"),
    ("x<sup>2</sup>", "sup"),
    ('<abbr title="First contact resolution">FCR</abbr>', "abbr"),
    ("~~old~~ <del>older</del>", "del"),
])
def test_allowed_inline_html_is_kept(markup, tag):
    assert tag in parse(render_markdown(markup)).tags()


@pytest.mark.parametrize("text", [
    "مشتری باید ۳ روز کاری منتظر بماند؛ هزینه‌ای ندارد.",
    "يجب على العميل الانتظار ٣ أيام عمل، ولا توجد رسوم إضافية.",
    "العَمِيلُ يَنتَظِرُ",
    "ลูกค้าต้องรอสามวันทำการ ไม่มีค่าใช้จ่ายเพิ่มเติม",
    "Mixed فارسی English ไทย العربية",
])
def test_right_to_left_and_thai_text_is_preserved(text):
    assert parse(render_markdown(text)).text == text
    assert parse(render_markdown(f"## {text}")).text == text
    assert parse(render_markdown(f"- **{text}**")).text.strip() == text


def test_rendering_in_threads_matches_rendering_in_sequence():
    sources = [f"## Case {number}\n\n- [link](/kb/{number})\n\n| a |\n|---|\n| {number} |"
               for number in range(40)]
    expected = [render_markdown(source) for source in sources]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(render_markdown, sources)) == expected


def test_dense_50kb_article_renders_as_markdown():
    block = (
        "## Steps to resolve\n\n1. Open **Billing › Invoices**, find the *last* period.\n"
        "2. Check `status`; see [the refund guide](/kb/articles/12).\n\n"
        "| Field | Value |\n|:--|--:|\n| plan | Pro |\n\n"
        "```\ncurl -s https://api.example/v1\n```\n\n"
        "> مشتری باید ۳ روز کاری صبر کند. ลูกค้าต้องรอ 3 วันทำการ\n\n"
    )
    source = block * (50_000 // len(block) + 1)
    parsed = parse(render_markdown(source))
    assert parsed.tags().count("table") == source.count("| Field |")


# --- markdown_to_text -------------------------------------------------------------------------

def test_text_has_no_tags_and_decoded_entities():
    text = markdown_to_text("# Refund &amp; credit\n\nUse `<b>` and &lt;i&gt; &mdash; **now**.")
    assert text == "Refund & credit Use <b> and <i> — now."


def test_text_separates_blocks_and_collapses_whitespace():
    text = markdown_to_text("Line one\n\n\n- first\n- second\n\n| a | b |\n|---|---|\n| c | d |")
    assert text == "Line one first second a b c d"


def test_text_does_not_split_thai_words_at_inline_markup():
    assert markdown_to_text("ลูก**ค้า**ต้อง*รอ*") == "ลูกค้าต้องรอ"


def test_text_keeps_zero_width_non_joiner_in_persian():
    assert markdown_to_text("هزینه\u200cها") == "هزینه\u200cها"


def test_text_drops_script_content():
    assert markdown_to_text("<script>alert(1)</script>Reset the modem") == "Reset the modem"


def test_text_includes_image_alt_text():
    assert markdown_to_text("Press ![the reset button](https://img.example/r.png) twice") == (
        "Press the reset button twice"
    )


def test_text_of_empty_source_is_empty():
    assert markdown_to_text("") == ""


# --- How-to template and the customer section -------------------------------------------------

HOWTO_LANGUAGES = ["en", "fa", "ar", "th"]


@pytest.mark.parametrize("lang", HOWTO_LANGUAGES)
def test_howto_template_has_five_headings_with_hints(lang):
    lines = howto_template(lang).splitlines()
    headings = [line for line in lines if line.startswith("## ")]
    assert len(headings) == 5
    for heading in headings:
        hint = lines[lines.index(heading) + 1]
        assert hint.startswith("<!-- ") and hint.endswith(" -->") and len(hint) > 20


@pytest.mark.parametrize("lang", HOWTO_LANGUAGES)
def test_howto_template_renders_headings_without_hints(lang):
    parsed = parse(render_markdown(howto_template(lang)))
    assert [tag for tag in parsed.tags() if tag != "p"] == ["h2"] * 5
    assert parsed.comments == []


@pytest.mark.parametrize("lang", HOWTO_LANGUAGES)
def test_howto_template_headings_are_distinct_per_language(lang):
    headings = [line for line in howto_template(lang).splitlines() if line.startswith("## ")]
    others = {line for other in HOWTO_LANGUAGES if other != lang
              for line in howto_template(other).splitlines() if line.startswith("## ")}
    assert len(set(headings)) == 5
    assert not set(headings) & others


@pytest.mark.parametrize("lang, expected", [
    ("fa", "## مشکل / علائم"),
    ("ar", "## المشكلة / الأعراض"),
    ("th", "## ปัญหา / อาการ"),
    ("en", "## Problem / Symptoms"),
    ("fa-IR", "## مشکل / علائم"),
    ("th_TH", "## ปัญหา / อาการ"),
    ("de", "## Problem / Symptoms"),
])
def test_howto_template_opens_with_problem_heading_in_language(lang, expected):
    assert howto_template(lang).splitlines()[0] == expected


def test_english_template_constant_is_the_english_howto():
    # HOWTO_TEMPLATE is defined as howto_template("en"), so comparing the two could never fail:
    # the English headings are written out instead.
    headings = [line[3:] for line in HOWTO_TEMPLATE.splitlines() if line.startswith("## ")]
    assert headings == [
        "Problem / Symptoms", "Cause", "Steps to resolve", "What to tell the customer",
        "When to escalate",
    ]


@pytest.mark.parametrize("lang", HOWTO_LANGUAGES)
def test_customer_heading_of_each_template_is_recognised(lang):
    lines = howto_template(lang).splitlines()
    headings = [line[3:] for line in lines if line.startswith("## ")]
    assert headings[3] in CUSTOMER_SECTION_HEADINGS


def fill_customer_section(lang, answer):
    """A how-to in ``lang`` with ``answer`` written under the customer heading."""
    lines = howto_template(lang).splitlines()
    headings = [index for index, line in enumerate(lines) if line.startswith("## ")]
    lines.insert(headings[3] + 2, answer)
    return "\n".join(lines)


@pytest.mark.parametrize("lang, answer", [
    ("en", "Your refund arrives in 3 working days, at no cost."),
    ("fa", "مبلغ ظرف ۳ روز کاری بدون هزینه به حساب شما برمی‌گردد."),
    ("ar", "سيصلك المبلغ خلال ٣ أيام عمل دون أي رسوم."),
    ("th", "เงินคืนจะเข้าบัญชีภายใน 3 วันทำการ ไม่มีค่าใช้จ่าย"),
])
def test_customer_section_is_extracted_in_each_language(lang, answer):
    section = extract_section(fill_customer_section(lang, answer), CUSTOMER_SECTION_HEADINGS)
    assert section is not None
    assert answer in section
    assert "##" not in section


def test_section_heading_match_ignores_case_and_trailing_colon():
    source = "## WHAT TO TELL THE CUSTOMER:\nThree days.\n\n## When to escalate\nNever."
    assert extract_section(source, CUSTOMER_SECTION_HEADINGS) == "Three days."


@pytest.mark.parametrize("heading", [
    "## What to tell the customer ##",
    "##What to tell the customer",
    "## What to tell the customer (time frame, cost, next step)",
    "## **What to tell the  customer** :",
    "## \u200fماذا تقول للعميل\u200f",
    "## ماذا تَقُولُ لِلعَمِيلِ؟",
    "## آنچه باید به مشتری بگویید?",
])
def test_customer_heading_variants_are_recognised(heading):
    assert extract_section(f"{heading}\nThree days.", CUSTOMER_SECTION_HEADINGS) == "Three days."


@pytest.mark.parametrize("heading_line", [
    "## " + " " * 50_000 + "x",
    "## x" + ":" * 50_000 + "y",
    "## " + " " * 50_000 + "(",
    "## " + "#" * 50_000 + "x",
    "## x" + " /" * 25_000,
])
def test_pathological_heading_lines_are_scanned_quickly(heading_line):
    started = time.thread_time()
    assert extract_section(heading_line + "\nbody", CUSTOMER_SECTION_HEADINGS) is None
    assert time.thread_time() - started < 2.0


def test_many_unclosed_comments_in_a_section_are_scanned_quickly():
    started = time.thread_time()
    section = extract_section("## Cause\n" + "<!--" * 50_000, ["Cause"])
    assert section.startswith("<!--")
    assert time.thread_time() - started < 2.0


def test_persian_heading_typed_with_arabic_letters_is_recognised():
    source = "## آنچه باید به مشتري بگوييد\nسه روز کاری."
    assert extract_section(source, CUSTOMER_SECTION_HEADINGS) == "سه روز کاری."


def test_section_keeps_its_subsections_and_stops_at_next_section():
    source = (
        "## What to tell the customer\nThree days.\n### If they ask about cost\nFree.\n"
        "## When to escalate\nNever."
    )
    assert extract_section(source, CUSTOMER_SECTION_HEADINGS) == (
        "Three days.\n### If they ask about cost\nFree."
    )


def test_heading_inside_fenced_code_does_not_end_the_section():
    source = "## What to tell the customer\n```\n## Cause\n```\nThree days.\n## Cause\nBug."
    assert extract_section(source, CUSTOMER_SECTION_HEADINGS) == "```\n## Cause\n```\nThree days."


def test_heading_inside_fenced_code_is_not_a_section():
    source = "```\n## What to tell the customer\nfake\n```\n"
    assert extract_section(source, CUSTOMER_SECTION_HEADINGS) is None


def test_third_level_heading_is_not_a_section():
    source = "### What to tell the customer\nThree days."
    assert extract_section(source, CUSTOMER_SECTION_HEADINGS) is None


def test_missing_section_is_none():
    assert extract_section("## Cause\nA bug.", CUSTOMER_SECTION_HEADINGS) is None


@pytest.mark.parametrize("lang", HOWTO_LANGUAGES)
def test_unfilled_template_section_is_none(lang):
    assert extract_section(howto_template(lang), CUSTOMER_SECTION_HEADINGS) is None


def test_extracted_section_renders_safely():
    source = "## What to tell the customer\n[call back](javascript:alert(1)) in **2 days**"
    parsed = parse(render_markdown(extract_section(source, CUSTOMER_SECTION_HEADINGS)))
    assert "strong" in parsed.tags()
    assert all("href" not in dict(attributes) for _, attributes in parsed.start_tags)


def test_section_can_be_found_by_any_heading_name():
    source = "## Cause\nA bug.\n## Steps to resolve\nRestart."
    assert extract_section(source, ["cause"]) == "A bug."

