"""Categories: the problem areas shared by articles, questions, resolution data and titles."""
import re
from datetime import datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from config import LANGUAGES
from core.clock import utcnow
from errors import Conflict, Invalid, NotFound
from extensions import db

CATEGORY_SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
CATEGORY_NAME_MAX_CHARS = 120
DESCRIPTION_MAX_CHARS = 2000


class Category(db.Model):
    """A problem area such as billing or internet; names may be translated per UI language."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    def display_name(self, locale):
        """The category's name in `locale`, falling back to its main name."""
        return (self.translations or {}).get(str(locale)) or self.name

    @property
    def local_name(self):
        """The name in the current request's language (a message shown at once: an error, a flash)."""
        return self.display_name(get_locale())

    def __repr__(self):
        return f"<Category {self.slug}>"


def select_categories():
    """Select statement of every category, by name (paginate it)."""
    return select(Category).order_by(Category.name, Category.id)


def list_categories():
    """Every category, by name."""
    return list(db.session.scalars(select_categories()))


def get_category(slug_or_name):
    """The category whose slug or name is `slug_or_name`, in any case, or None.

    The one lookup rule for pages, the API and resolution data alike.
    """
    key = (slug_or_name or "").strip() if isinstance(slug_or_name, str) else ""
    if not key:
        return None
    folded = key.lower()
    return db.session.scalars(
        select(Category)
        .where((Category.slug == folded) | (func.lower(Category.name) == folded))
        .order_by(Category.id)
    ).first()


def require_category(category, field="category"):
    """A Category given as an object, slug or name; Invalid naming `field` when unknown."""
    if isinstance(category, Category):
        return category
    if not isinstance(category, str) or not category.strip():
        raise Invalid(field, _l("Choose a category."))
    found = get_category(category)
    if found is None:
        raise Invalid(field, _l("Unknown category “%(category)s”.", category=category[:80]))
    return found


def get_category_or_404(slug_or_name):
    """The category named by slug or name; Invalid when none is named, NotFound when unknown."""
    if not isinstance(slug_or_name, str) or not slug_or_name.strip():
        raise Invalid("category", _l("Choose a category (its slug or name)."))
    category = get_category(slug_or_name)
    if category is None:
        raise NotFound(_l("No category “%(category)s”.", category=slug_or_name[:80]))
    return category


def category_of(category):
    """Accept a Category, its id or its slug/name, and return the Category (NotFound otherwise)."""
    if isinstance(category, Category):
        return category
    if isinstance(category, int):
        found = db.session.get(Category, category)
        if found is None:
            raise NotFound(_l("No category with id %(id)d.", id=category))
        return found
    return get_category_or_404(category)


def category_choices(blank=None):
    """(slug, name in the reader's language) for select boxes, optionally after a blank choice."""
    locale = str(get_locale() or "en")
    choices = [("", blank)] if blank is not None else []
    return choices + [(category.slug, category.display_name(locale)) for category in list_categories()]


def slug_from_name(name):
    """A URL slug from an English name ("Billing & refunds" → "billing-refunds")."""
    return re.sub(r"[^a-z0-9]+", "-", (name or "").lower()).strip("-")[:64]


def _clean_translations(translations):
    cleaned = {}
    for locale, value in (translations or {}).items():
        if locale not in LANGUAGES:
            raise Invalid("translations", _l("Unknown language %(locale)s: choose one of %(choices)s.",
                                             locale=str(locale)[:8], choices=", ".join(LANGUAGES)))
        if not isinstance(value, str):
            raise Invalid("translations", _l("Translated names must be strings."))
        value = " ".join(value.split())
        if len(value) > CATEGORY_NAME_MAX_CHARS:
            raise Invalid("translations", _l("A name may have at most %(n)d characters.",
                                             n=CATEGORY_NAME_MAX_CHARS))
        if value:
            cleaned[locale] = value
    return cleaned


def _validate_name_and_description(name, description, category=None):
    name = " ".join((name or "").split())
    if not name:
        raise Invalid("name", _l("Enter a name."))
    if len(name) > CATEGORY_NAME_MAX_CHARS:
        raise Invalid("name", _l("A name may have at most %(n)d characters.", n=CATEGORY_NAME_MAX_CHARS))
    if len(description or "") > DESCRIPTION_MAX_CHARS:
        raise Invalid("description", _l("The description may have at most %(n)d characters.",
                                        n=DESCRIPTION_MAX_CHARS))
    same_name = db.session.scalar(select(Category).where(func.lower(Category.name) == name.lower()))
    if same_name is not None and same_name is not category:
        raise Conflict("name", _l("There is already a category called “%(name)s”.", name=name))
    return name


def create_category(name, slug=None, description="", translations=None):
    """Create a category; the slug is derived from the name when not given."""
    name = _validate_name_and_description(name, description)
    slug = (slug or "").strip().lower() or slug_from_name(name)
    if not slug:
        raise Invalid("slug", _l("Enter a slug of Latin letters, digits and dashes (e.g. billing)."))
    if not CATEGORY_SLUG_PATTERN.match(slug):
        raise Invalid("slug", _l("A slug has 1 to 64 lower-case Latin letters, digits and dashes."))
    if db.session.scalar(select(Category).where(Category.slug == slug)) is not None:
        raise Conflict("slug", _l("The slug “%(slug)s” is taken.", slug=slug))
    category = Category(slug=slug, name=name, description=(description or "").strip(),
                        translations=_clean_translations(translations))
    db.session.add(category)
    db.session.flush()
    return category


def update_category(category, name, description="", translations=None):
    """Rename a category or change its description and translated names (the slug stays)."""
    category.name = _validate_name_and_description(name, description, category)
    category.description = (description or "").strip()
    category.translations = _clean_translations(translations)
    db.session.flush()
    return category
