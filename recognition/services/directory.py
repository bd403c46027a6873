"""Finding the agents, teams and categories that resolution data and reports refer to."""
from sqlalchemy import select

from accounts.models import Team, User
from core.categories import Category
from extensions import db


def list_teams():
    """Every team, by name."""
    return list(db.session.scalars(select(Team).order_by(Team.name, Team.id)))


def team_led_by(user):
    """The first team (by name) that `user` leads, or None."""
    return db.session.scalars(select(Team).where(Team.lead_id == user.id).order_by(Team.name)).first()


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

