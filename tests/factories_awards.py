"""Builders for recognition-award tests: categories, people, default badges, titles."""
from datetime import timedelta

from core.categories import create_category
from core.clock import utcnow
from extensions import db
from recognition.awards import services
from recognition.awards.models import Title
from tests.factories import make_user


def make_category(slug="billing", name=None):
    """Create and commit a category."""
    category = create_category(name or slug.capitalize(), slug=slug)
    db.session.commit()
    return category


def make_people():
    """A team "Desk" led by `lead`, with agents `sara` and `omid`, an `admin`, and the badges."""
    lead = make_user("lead", role="lead", team="Desk")
    from accounts.services import save_team
    save_team("Desk", "lead")
    people = {"lead": lead, "sara": make_user("sara", team="Desk", display_name="Sara K"),
              "omid": make_user("omid", team="Desk"), "admin": make_user("admin", role="admin")}
    services.ensure_default_badges()
    db.session.commit()
    return people


def make_title(user, category, lead, days_left=30, days_ago=10, reason="Best FCR"):
    """Store a title directly (bypassing checks), e.g. one that has already expired."""
    now = utcnow()
    title = Title(user=user, category=category, name="", term="test", reason=reason,
                  evidence={}, awarded_by=lead, awarded_at=now - timedelta(days=days_ago),
                  starts_at=now - timedelta(days=days_ago), expires_at=now + timedelta(days=days_left))
    db.session.add(title)
    db.session.commit()
    return title
