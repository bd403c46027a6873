"""Translations that fall out of date when the article they were translated from changes.

A translation records the article and revision it was made from (translated_from_id,
translated_from_revision). When that article publishes a newer revision, the translation is
marked (translation_outdated_at) and falls due for review at once, so that it is listed with the
overdue articles; publishing or verifying the translation again clears the mark.
"""
from sqlalchemy import select

from core.clock import utcnow
from extensions import db
from kb.models import Article


def original_changed(article, now=None):
    """Mark the translations made from an older revision of `article`, which has just published
    a newer one; returns the translations marked now."""
    if article.status != "published" or article.id is None:
        return []
    now = now or utcnow()
    marked = db.session.scalars(select(Article).where(
        Article.translated_from_id == article.id,
        Article.translated_from_revision < article.revision_number,
        Article.translation_outdated_at.is_(None))).all()
    for translation in marked:
        translation.translation_outdated_at = now
        if translation.status == "published":
            translation.review_due = now
    return marked


def translation_updated(article):
    """The translation was published or checked again: it follows its original's current revision."""
    original = article.translated_from
    if original is not None:
        article.translated_from_revision = original.revision_number
    article.translation_outdated_at = None
