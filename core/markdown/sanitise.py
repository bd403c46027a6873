"""The allowlist every rendered text passes: nh3, the links and images Knowhow lets through."""
import html
import logging
import re
from urllib.parse import urlsplit

import nh3
from flask import current_app, has_app_context

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
    "a": {"class": {"mention"}},  # core/markdown/mentions.py's profile links
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
