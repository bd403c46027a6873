"""What an article needs before readers get it: a real title and no untouched template section.

Checked when an article is published or submitted for review, never when a draft is saved, so
that an author can keep unfinished work. Each problem is reported on its own field.
"""
from flask_babel import lazy_gettext as _l

from core.markdown import untouched_sections
from errors import Invalid
from search.analysis import split_words

MIN_TITLE_WORDS = 2
_LISTED_SECTIONS = 5


def publish_problems(title: str, body: str) -> dict:
    """{field: reason} of what keeps an article with this title and body from being published."""
    problems = {}
    # Words as search reads them, so that a Thai title, written without spaces, counts its words.
    words = [word for word in split_words(title or "") if any(char.isalnum() for char in word.text)]
    if not words:
        problems["title"] = _l("Give the article a title before publishing it.")
    elif len(words) < MIN_TITLE_WORDS:
        problems["title"] = _l("The title needs at least %(n)d words that say what the article "
                               "solves, e.g. “Reset a customer's password”.", n=MIN_TITLE_WORDS)
    untouched = untouched_sections(body or "")
    if untouched:
        # Each heading isolated (FSI … PDI, the text form of <bdi>): a Persian heading inside
        # an English sentence keeps its own direction.
        names = ", ".join("\u2068%s\u2069" % heading for heading in untouched[:_LISTED_SECTIONS])
        problems["body"] = _l("These sections still hold only the template's hint: %(sections)s. "
                              "Write them, or delete the ones this article does not need.",
                              sections=names)
    return problems


def check_publishable(title: str, body: str) -> None:
    """Raise unless an article with this title and body may be published or reviewed.

    :raises Invalid: with a reason for each field at fault ("title", "body").
    """
    problems = publish_problems(title, body)
    if problems:
        raise Invalid(None, fields=problems)
