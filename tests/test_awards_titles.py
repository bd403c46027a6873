"""Expert titles: awarding, terms, renewal, revocation, expiry and the expert permissions."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import AuditEntry, Notification
from accounts.permissions import can, is_expert
from accounts.services import get_user
from core.categories import get_category
from core.clock import utcnow
from errors import Conflict, Invalid, PermissionDenied
from extensions import db
from recognition.awards import services
from recognition.awards.models import Title
from recognition.awards.terms import default_term, quarter_bounds, term_after
from recognition.services import holds_title
from tests.factories_awards import make_category, make_people, make_title


@pytest.fixture
def people(ctx):
    people = make_people()
    make_category("billing")
    make_category("internet")
    return people


def award(lead="lead", who="sara", category="billing", reason="Best FCR this quarter", **kw):
    title = services.award_title(get_user(lead), get_user(who), category, reason, **kw)
    db.session.commit()
    return title


def test_lead_awards_title_for_the_term_with_evidence(people):
    title = award()
    label, expires_at = default_term(title.awarded_at)
    assert title.expires_at == expires_at and title.term == label
    assert services.title_label(title) == "Billing Expert — %s" % label
    assert title.evidence["category"] == "billing" and "since" in title.evidence
    assert title.awarded_by.username == "lead" and title.is_current()


@pytest.mark.parametrize("now, label, end", [
    (datetime(2026, 11, 1, tzinfo=UTC), "2026 Q4", datetime(2027, 1, 1, tzinfo=UTC)),
    (datetime(2026, 12, 20, tzinfo=UTC), "2027 Q1", datetime(2027, 4, 1, tzinfo=UTC)),
    (datetime(2026, 2, 1, tzinfo=UTC), "2026 Q1", datetime(2026, 4, 1, tzinfo=UTC)),
])
def test_default_term_is_the_quarter_or_the_next_one_near_its_end(now, label, end):
    assert default_term(now) == (label, end)


def test_renewal_term_follows_the_current_one():
    start, end = quarter_bounds(datetime(2026, 11, 5, tzinfo=UTC))
    assert term_after(end) == ("2027 Q1", end, datetime(2027, 4, 1, tzinfo=UTC))
    assert start == datetime(2026, 10, 1, tzinfo=UTC)


def test_current_title_makes_its_holder_an_expert_of_that_category_only(people):
    sara = get_user("sara")
    billing, internet = get_category("billing"), get_category("internet")
    assert not is_expert(sara, billing.id)
    award()
    assert is_expert(sara, billing.id) and not is_expert(sara, internet.id)
    assert can(sara, "article.publish", billing)
    assert holds_title(sara.id, billing.id)  # the resolution-data candidates skip her


def test_expired_title_stops_granting_expert_permissions(people):
    sara = get_user("sara")
    billing = get_category("billing")
    make_title(sara, billing, get_user("lead"), days_left=-1, days_ago=90)
    assert not is_expert(sara, billing.id)
    assert not can(sara, "article.publish", billing)
    assert not holds_title(sara.id, billing.id)


def test_revoked_title_stops_granting_expert_permissions_and_stays_in_history(people):
    title = award()
    services.revoke_title(get_user("lead"), title, "Left the billing queue")
    db.session.commit()
    sara = get_user("sara")
    assert not is_expert(sara, get_category("billing").id)
    assert services.titles_of(sara, include_revoked=True) == [title]
    assert title.revoke_reason == "Left the billing queue" and title.revoked_by.username == "lead"
    assert services.titles_of(sara) == []


def test_agent_cannot_award_or_revoke_titles(people):
    with pytest.raises(PermissionDenied):
        services.award_title(get_user("omid"), get_user("sara"), "billing", "I think so")
    title = award()
    with pytest.raises(PermissionDenied):
        services.revoke_title(get_user("omid"), title, "jealous")


@pytest.mark.parametrize("kwargs, field", [
    ({"reason": "  "}, "reason"),
    ({"category": "astrology"}, "category"),
    ({"expires_at": utcnow() - timedelta(days=1)}, "expires_at"),
    ({"expires_at": utcnow() + timedelta(days=900)}, "expires_at"),
    ({"who": "lead"}, "username"),
    ({"name": "x" * 161}, "title"),
])
def test_bad_title_input_is_refused_and_nothing_is_written(people, kwargs, field):
    with pytest.raises(Invalid) as error:
        award(**kwargs)
    db.session.rollback()
    assert field in error.value.fields
    assert db.session.scalar(select(func.count(Title.id))) == 0
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_duplicate_current_title_is_a_conflict(people):
    award()
    with pytest.raises(Conflict):
        award(lead="admin")
    db.session.rollback()
    assert db.session.scalar(select(func.count(Title.id))) == 1


def test_renewal_starts_when_the_current_term_ends(people):
    title = award()
    renewal = services.renew_title(get_user("lead"), title, "Still the best")
    db.session.commit()
    assert renewal.starts_at == title.expires_at and renewal.renewal_of_id == title.id
    assert not renewal.is_current() and title.is_current()
    assert services.titles_due_for_renewal(within_days=400) == []
    with pytest.raises(Conflict):
        services.renew_title(get_user("lead"), title, "Again")


def test_award_and_revocation_are_audited_and_notified(people):
    title = award()
    services.revoke_title(get_user("lead"), title, "Moved team")
    db.session.commit()
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["title.award", "title.revoke"]
    kinds = db.session.scalars(select(Notification.kind).order_by(Notification.id)).all()
    assert kinds == ["title_awarded", "title_revoked"]


def test_expiring_titles_are_notified_once_from_the_cli(app, runner):
    with app.app_context():
        make_people()
        billing = make_category("billing")
        make_title(get_user("sara"), billing, get_user("lead"), days_left=5)
        make_title(get_user("omid"), billing, get_user("lead"), days_left=60)
    first = runner.invoke(args=["notify-expiring-titles"])
    second = runner.invoke(args=["notify-expiring-titles"])
    assert first.exit_code == 0 and "1 expiring titles notified" in first.output
    assert "0 expiring titles notified" in second.output
    with app.app_context():
        rows = db.session.execute(select(Notification.kind, Notification.recipient_id)).all()
        assert sorted(kind for kind, _ in rows) == ["title_expiring", "title_expiring_lead"]
        assert {recipient for _, recipient in rows} == {get_user("sara").id, get_user("lead").id}
