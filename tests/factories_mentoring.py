"""Builders for mentoring tests: teams, mentor profiles, planted contacts and mentorships."""
from datetime import date, timedelta

from accounts.services import save_team
from core.clock import utcnow
from extensions import db
from mentoring.mentorships import services as mentorships
from mentoring.mentorships.models import MentorProfile
from recognition.awards.services import ensure_default_badges
from tests.factories import make_user
from tests.factories_recognition import csv_file, make_category, planted_rows, run_import

__all__ = ["as_date", "make_category", "make_desk", "make_profile", "plant", "plant_at", "start_mentorship"]


def make_desk():
    """Team "Desk" (lead `lead`; agents mia, ana, ben, cy), team "Far" (lead `lead2`; agent fay), an admin.

    Default badges exist; returns {username: user}.
    """
    people = {"lead": make_user("lead", role="lead", team="Desk"),
              "lead2": make_user("lead2", role="lead", team="Far"),
              "admin": make_user("admin", role="admin")}
    for name in ("mia", "ana", "ben", "cy"):
        people[name] = make_user(name, team="Desk", display_name=name.capitalize())
    people["fay"] = make_user("fay", team="Far", display_name="Fay")
    save_team("Desk", "lead")
    save_team("Far", "lead2")
    ensure_default_badges()
    db.session.commit()
    return people


def make_profile(user, categories, capacity=3, approved=True, active=True):
    """Store a mentor profile directly (approved unless told otherwise) and commit."""
    profile = MentorProfile(user=user, categories=list(categories), capacity=capacity, active=active,
                            approved_at=utcnow() if approved else None, approved_by=user if approved else None)
    db.session.add(profile)
    db.session.commit()
    return profile


def plant(agent, category, contacts, resolved, days_back=40, handle_seconds=300, prefix=None, **options):
    """Import `contacts` contacts for one agent, one an hour from `days_back` days ago (current period)."""
    start = utcnow().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days_back)
    run_import(csv_file(planted_rows(agent, category, contacts, resolved, handle_seconds, start=start,
                                     prefix=prefix or f"{agent}-{category}-{days_back}", **options)))


def plant_at(agent, category, moments, resolved, handle_seconds=300, prefix="edge"):
    """Import one contact per aware datetime in `moments`; the first `resolved` resolved on first contact."""
    rows = []
    for number, moment in enumerate(moments):
        rows += planted_rows(agent, category, 1, 1 if number < resolved else 0, handle_seconds, start=moment,
                             prefix=f"{prefix}-{agent}-{number}")
    run_import(csv_file(rows))


def start_mentorship(mentor, mentee, category, goal=None, started_on=None, planned_end_on=None, today=None,
                     capacity=3):
    """A mentorship begun through the service (the mentor gets a profile when missing); committed."""
    if mentorships.get_profile(mentor) is None:
        make_profile(mentor, [category], capacity=capacity)
    item = mentorships.begin_mentorship(mentor, mentor, mentee, category, goal or {"text": "Get better"},
                                        started_on, planned_end_on, today)
    db.session.commit()
    return item


def as_date(text):
    return date.fromisoformat(text)
