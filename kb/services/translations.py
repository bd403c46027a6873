"""Translations of an article: the translation group (the same how-to in each language), adding
a translation as a prefilled draft, linking an existing article into a group and unlinking it.

A group is numbered by the article that started it (Article.translation_group_id); an article
alone has no number and is its own group. A group holds at most one article per language.
Who may change a group is who may edit its articles (the article.edit rule).
"""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.permissions import can, require
from config import LANGUAGES
from core.boundary import parse_id
from core.text import isolate
from errors import Conflict, Invalid
from extensions import db
from kb.models import Article
from kb.services.articles import clean_lang, create_article, get_article

# "12", "#12", "/kb/12/modem-reset" or the page's whole address.
_ARTICLE_REFERENCE = re.compile(r"^\s*#?(\d{1,12})\s*$|/kb/(\d{1,12})(?:[/?#]|$)")
# A language's name in the reader's interface language ("the English original changed").
LANGUAGE_NAMES = {"en": _l("English"), "fa": _l("Persian"), "ar": _l("Arabic"), "th": _l("Thai")}
# The statuses a translation is offered in to readers; archived ones are out of use.
OFFERED_STATUSES = ("published", "draft", "in_review")


def article_from_reference(reference):
    """The article an editor named by its number or the address of its page.

    :raises Invalid: neither a number nor an article's address.
    :raises NotFound: no article has that number.
    """
    found = _ARTICLE_REFERENCE.search(reference) if isinstance(reference, str) else None
    article_id = parse_id(next(group for group in found.groups() if group)) if found else None
    if article_id is None:
        raise Invalid("article_id", _l("Give the number of an article or the address of its page."))
    return get_article(article_id)


def _language_order(article):
    return (list(LANGUAGES).index(article.lang) if article.lang in LANGUAGES else len(LANGUAGES), article.id)


def translation_group(article):
    """Every article of `article`'s translation group, itself included, in language order."""
    if article.translation_group_id is None:
        return [article]
    members = db.session.scalars(select(Article).where(
        Article.translation_group_id == article.translation_group_id)).all()
    return sorted(members, key=_language_order)


def visible_translations(article, user):
    """The other language versions of `article` that `user` may read: published ones, and
    drafts or articles in review to those who may see them; in language order."""
    return [member for member in translation_group(article)
            if member.id != article.id and member.status in OFFERED_STATUSES
            and can(user, "article.view", member)]


def free_languages(article):
    """The languages `article`'s group has no version in yet, as (code, name in that language)."""
    taken = {member.lang for member in translation_group(article)}
    return [(code, name) for code, name in LANGUAGES.items() if code not in taken]


def outdated_original(article, user):
    """The article `article` was translated from, when it changed since and `user` may read it."""
    original = article.translated_from if article.translation_outdated_at is not None else None
    return original if original is not None and can(user, "article.view", original) else None


def translation_in(translations, lang):
    """The published translation in `lang` among `translations`, or None."""
    return next((member for member in translations
                 if member.lang == lang and member.status == "published"), None)


def _language_name(lang):
    return LANGUAGES.get(lang, lang)


def _check_language_free(group, lang):
    taken = next((member for member in group if member.lang == lang), None)
    if taken is not None:
        raise Conflict("lang", _l("This article already has a version in %(language)s: “%(title)s”. "
                                  "A translation group holds one article per language.",
                                  language=isolate(_language_name(lang)), title=isolate(taken.title)))


def _join(group, original, translation):
    """Put `translation` into the group of `original`, following its current revision."""
    number = original.translation_group_id or original.id
    for member in group:
        member.translation_group_id = number
    translation.translation_group_id = number
    translation.translated_from = original
    translation.translated_from_revision = original.revision_number
    translation.translation_outdated_at = None


def add_translation(original, user, lang, review_interval_days=None):
    """A new draft of `original` in `lang`, prefilled with its title, summary, body, category
    and tags, linked to its group; the writer translates it and submits it as usual.

    :raises PermissionDenied: the user may not edit the original.
    :raises Conflict: the group already has an article in `lang`.
    """
    require(user, "article.edit", original)
    lang = clean_lang(lang)
    group = translation_group(original)
    _check_language_free(group, lang)
    extra = {} if review_interval_days is None else {"review_interval_days": review_interval_days}
    translation = create_article(
        user, original.title, original.body, original.category, tags=[tag.name for tag in original.tags],
        lang=lang, summary=original.summary, status="draft",
        note=str(_l("Translation of revision %(number)d of article %(id)d",
                    number=original.revision_number, id=original.id)), **extra)
    _join(group, original, translation)
    db.session.flush()
    return translation


def link_translation(original, translation, user):
    """Link an existing article, standing alone, as a translation of `original`.

    :raises PermissionDenied: the user may not edit both articles.
    :raises Invalid: the article is `original` itself.
    :raises Conflict: it already belongs to another group, or the group has its language.
    """
    require(user, "article.edit", original)
    require(user, "article.edit", translation)
    if translation.id == original.id:
        raise Invalid("article_id", _l("An article cannot be a translation of itself."))
    group = translation_group(original)
    if any(member.id == translation.id for member in group):
        raise Conflict("article_id", _l("That article is already a translation of this one."))
    if len(translation_group(translation)) > 1:
        raise Conflict("article_id", _l("That article already belongs to other translations. Unlink "
                                        "it from them first."))
    _check_language_free(group, translation.lang)
    _join(group, original, translation)
    db.session.flush()
    return translation


def unlink_translation(article, translation, user):
    """Take `translation` out of `article`'s group; it stands alone again.

    :raises PermissionDenied: the user may not edit both articles.
    :raises Invalid: it is not in the group (or is `article` itself: unlink it from another one).
    """
    require(user, "article.edit", article)
    require(user, "article.edit", translation)
    group = translation_group(article)
    if translation.id == article.id or all(member.id != translation.id for member in group):
        raise Invalid("article_id", _l("That article is not a translation of this one."))
    rest = [member for member in group if member.id != translation.id]
    for member in rest:
        if member.translated_from_id == translation.id:
            member.translated_from = None
            member.translated_from_revision = member.translation_outdated_at = None
        # Renumbered from the first one left, so that no group is numbered like a lone article.
        member.translation_group_id = min(other.id for other in rest) if len(rest) > 1 else None
    translation.translation_group_id = None
    translation.translated_from = None
    translation.translated_from_revision = translation.translation_outdated_at = None
    db.session.flush()
    return translation
