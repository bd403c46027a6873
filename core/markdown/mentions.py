"""@mentions in Markdown: `@username` outside code becomes a link to the person's profile.

The link is made by a Python-Markdown inline pattern, so code spans and code blocks (which
Markdown never runs inline patterns on) keep their "@" as text, and the element goes through
the same nh3 allowlist as every other link: only `class="mention"` is let through on it. Who
was mentioned is read back from the sanitised HTML, so the people told are exactly the people
a reader sees linked.
"""
import re
import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

# The profile page of accounts (`accounts.profile`), kept here as a path because rendering also
# runs outside requests (jobs, the CLI); tests check it against the route.
PROFILE_PATH = "/people/"
MENTION_CLASS = "mention"
# A username as accounts allows it (letters, digits, . _ -; starting with a letter or digit),
# after a character that cannot be part of an e-mail address or a path ("bob@example.com",
# "https://host/@bob" are no mentions). A trailing dot ends a sentence, not the name.
_MENTION = r"(?<![\w@/.+-])@([A-Za-z0-9][A-Za-z0-9._-]{0,62}[A-Za-z0-9_-]|[A-Za-z0-9])"
_MENTION_LINK = re.compile(r'<a (?=[^>]*\bclass="%s")[^>]*\bhref="%s([A-Za-z0-9._-]{1,64})"'
                           % (MENTION_CLASS, re.escape(PROFILE_PATH)))
# At most this many people are told of one text: a paste of a whole staff list is no call.
MAX_MENTIONS = 50


class _MentionProcessor(InlineProcessor):
    ANCESTOR_EXCLUDES = ("a",)  # "[@bob](…)" is already a link

    def handleMatch(self, match, data):  # noqa: N802 (Python-Markdown's name)
        username = match.group(1).lower()
        link = etree.Element("a")
        link.set("href", PROFILE_PATH + username)
        link.set("class", MENTION_CLASS)
        link.text = "@" + match.group(1)
        return link, match.start(0), match.end(0)


class MentionExtension(Extension):
    """Turn `@username` into a profile link (after links and autolinks, before emphasis)."""

    def extendMarkdown(self, md):  # noqa: N802
        md.inlinePatterns.register(_MentionProcessor(_MENTION, md), "mention", 105)


def mentioned_usernames(sanitised_html):
    """The usernames linked as mentions in rendered HTML, lowercased, in order, each once."""
    seen = {}
    for username in _MENTION_LINK.findall(sanitised_html or ""):
        seen.setdefault(username.lower(), None)
        if len(seen) >= MAX_MENTIONS:
            break
    return list(seen)
