"""Finding the agents and categories that resolution data and reports refer to."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from accounts.models import Team, User
from errors import Invalid, NotFound
from extensions import db
from kb.models import Category


def find_category(text):
    """The category whose slug or name is `text` (any case), or None."""
    text = (text or "").strip()
    if not text:
        return None
    folded = text.lower()
    return db.session.scalars(
        select(Category)
        .where(or_(func.lower(Category.slug) == folded, func.lower(Category.name) == folded))
        .order_by(Category.id)
    ).first()


def get_category_or_404(text):
    """The category named by slug or name, or NotFound; Invalid when none is named."""
    if not (text or "").strip():
        raise Invalid("category", _l("Choose a category (its slug or name)."))
    category = find_category(text)
    if category is None:
        raise NotFound(_l("No category called %(category)s.", category=text))
    return category


def list_categories():
    """Every category, by name."""
    return list(db.session.scalars(select(Category).order_by(Category.name, Category.id)))


def list_teams():
    """Every team, by name."""
    return list(db.session.scalars(select(Team).order_by(Team.name, Team.id)))


def team_led_by(user):
    """The first team (by name) that `user` leads, or None."""
    return db.session.scalars(select(Team).where(Team.lead_id == user.id).order_by(Team.name)).first()


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


def load_category_keys():
    """{folded slug or name: category id} for matching the category column of a file."""
    rows = db.session.execute(select(Category.id, Category.slug, Category.name).order_by(Category.id)).all()
    keys = {name.casefold(): category_id for category_id, _slug, name in rows}
    # A slug wins over another category's identical name.
    keys.update({slug.casefold(): category_id for category_id, slug, _name in rows})
    return keys


def load_usernames():
    """{username: user id} of every account (usernames are stored lower-case)."""
    return dict(db.session.execute(select(User.username, User.id)).all())

