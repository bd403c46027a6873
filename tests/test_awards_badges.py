"""Badges: automatic rules fire exactly once (also concurrently), manual awards, definitions."""
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.models import AuditEntry, Notification
from accounts.services import get_user
from errors import Conflict, Invalid, PermissionDenied
from extensions import db
from kb.services import create_article, publish_article
from recognition.awards import badges as badge_module
from recognition.awards import services
from recognition.awards.models import BadgeAward, BadgeDefinition, Kudos
from recognition.awards.rules import longest_streak
from tests.factories_awards import make_category, make_people


@pytest.fixture
def people(ctx):
    people = make_people()
    make_category("billing")
    return people


def awards_of(username, slug):
    return db.session.scalar(select(func.count(BadgeAward.id)).join(BadgeDefinition).where(
        BadgeAward.user_id == get_user(username).id, BadgeDefinition.slug == slug))


def test_automatic_badge_fires_once_however_often_its_event_happens(people):
    for _ in range(3):
        services.evaluate_badges(get_user("sara"), "mentee_goal_reached")
        db.session.commit()
    assert awards_of("sara", "goal-reached") == 1
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == "badge_awarded")) == 1
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "badge.auto_award")) == 1


def test_publishing_a_first_article_awards_its_author_once(people):
    sara, lead = get_user("sara"), get_user("lead")
    for title in ("Modem lights", "PPPoE errors"):
        article = create_article(sara, title, "## Steps\nReset it.", "billing")
        publish_article(article, lead)
        db.session.commit()
    assert awards_of("sara", "first-article") == 1


def test_helpful_article_badge_needs_a_hundred_helpful_votes(people):
    sara = get_user("sara")
    article = create_article(get_user("lead"), "Refund a double charge", "Body", "billing", status="published")
    article.author = sara
    article.helpful_count = 99
    db.session.commit()
    assert services.evaluate_badges(sara, "article_feedback", article=article) == []
    article.helpful_count = 100
    assert len(services.evaluate_badges(sara, "article_feedback", article=article)) == 1
    assert services.evaluate_badges(get_user("omid"), "article_feedback", article=article) == []


@pytest.mark.parametrize("count, awarded", [(9, 0), (10, 1), (25, 1)])
def test_trusted_answerer_needs_ten_accepted_answers(people, count, awarded):
    services.evaluate_badges(get_user("sara"), "answer_accepted", accepted_answers=count)
    assert awards_of("sara", "trusted-answerer") == awarded


@pytest.mark.parametrize("days, expected", [
    ([], 0),
    ([date(2026, 1, 1)], 1),
    ([date(2026, 1, 1) + timedelta(days=n) for n in range(30)], 30),
    ([date(2026, 1, 3), date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 2), date(2026, 1, 9)], 3),
])
def test_longest_streak_counts_consecutive_days(days, expected):
    assert longest_streak(days) == expected


def test_verification_streak_badge_after_thirty_days_in_a_row(people):
    days = [date(2026, 3, 1) + timedelta(days=n) for n in range(30)]
    services.evaluate_badges(get_user("sara"), "article_verified", verification_days=days[:-1])
    assert awards_of("sara", "verification-streak") == 0
    services.evaluate_badges(get_user("sara"), "article_verified", verification_days=days)
    assert awards_of("sara", "verification-streak") == 1


def test_verifying_on_the_thirtieth_day_in_a_row_earns_the_streak_badge(people):
    from kb.models import ArticleVerification
    from kb.services import verify_article

    lead = get_user("lead")
    article = publish_article(create_article(lead, "Card declined", "Check the limit.", "billing"), lead)
    today = article.verified_at
    for days_ago in range(1, 30):  # the twenty-nine days before today
        db.session.add(ArticleVerification(article=article, user=lead, verified_at=today - timedelta(days=days_ago)))
    db.session.flush()
    assert awards_of("lead", "verification-streak") == 0
    verify_article(article, lead)
    assert awards_of("lead", "verification-streak") == 1


def test_a_gap_in_the_days_breaks_the_streak(people):
    from kb.models import ArticleVerification
    from kb.services import verify_article

    lead = get_user("lead")
    article = publish_article(create_article(lead, "Card declined", "Check the limit.", "billing"), lead)
    for days_ago in range(2, 31):  # yesterday missing
        db.session.add(ArticleVerification(article=article, user=lead,
                                           verified_at=article.verified_at - timedelta(days=days_ago)))
    db.session.flush()
    verify_article(article, lead)
    assert awards_of("lead", "verification-streak") == 0


def test_top_performer_is_awarded_once_per_category_and_period(people):
    from core.categories import get_category
    billing = get_category("billing")
    for period in ("2026-Q3", "2026-Q3", "2026-Q4"):
        services.evaluate_badges(get_user("sara"), "period_ranked", category=billing,
                                 period=period, rank=1)
    services.evaluate_badges(get_user("omid"), "period_ranked", category=billing,
                             period="2026-Q3", rank=2)
    assert awards_of("sara", "top-performer") == 2 and awards_of("omid", "top-performer") == 0


def test_the_unique_constraint_catches_a_race_the_precheck_misses(people, monkeypatch):
    sara = get_user("sara")
    services.give_kudos(get_user("omid"), sara, "Thanks for the refund trick")
    monkeypatch.setattr(badge_module, "_holds", lambda *args: False)
    first = services.evaluate_badges(sara, "mentee_goal_reached")
    second = services.evaluate_badges(sara, "mentee_goal_reached")
    db.session.commit()
    assert len(first) == 1 and second == []
    # The savepoint rolled back only the duplicate: the kudos of the same transaction survived.
    assert db.session.scalar(select(func.count(Kudos.id))) == 1
    assert awards_of("sara", "goal-reached") == 1


def test_a_second_copy_of_a_once_only_badge_violates_the_constraint(people):
    badge = services.get_badge("first-article")
    db.session.add_all([BadgeAward(user=get_user("sara"), badge=badge),
                        BadgeAward(user=get_user("sara"), badge=badge)])
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.committed  # two threads, two connections
def test_two_concurrent_triggers_award_exactly_once(app):
    """Two threads, each with its own app context and session, fire the same event at once."""
    with app.app_context():
        make_people()
        sara_id = get_user("sara").id
    barrier = threading.Barrier(2)
    results, errors = [], []

    def trigger():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                user = db.session.get(type(get_user("sara")), sara_id)
                results.append(len(services.evaluate_badges(user, "mentee_goal_reached")))
                db.session.commit()
                db.session.remove()
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=trigger) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == [0, 1]
    with app.app_context():
        assert awards_of("sara", "goal-reached") == 1
        assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_lead_awards_a_manual_badge_with_reason_notification_and_audit(people):
    award = services.award_badge(get_user("lead"), get_user("sara"), "customer-hero",
                                 "Stayed on the line until the fibre came back")
    db.session.commit()
    assert award.awarded_by.username == "lead"
    notification = db.session.scalar(select(Notification))
    assert notification.kind == "badge_awarded_by" and notification.recipient.username == "sara"
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "badge.award" and entry.detail["badge"] == "customer-hero"


def test_repeatable_manual_badge_can_be_given_again(people):
    for reason in ("First rescue", "Second rescue"):
        services.award_badge(get_user("lead"), get_user("sara"), "customer-hero", reason)
    assert awards_of("sara", "customer-hero") == 2


def test_non_repeatable_manual_badge_is_given_once(people):
    services.save_badge_definition(get_user("admin"), "night-owl", "Night owl", icon="star")
    services.award_badge(get_user("lead"), get_user("sara"), "night-owl", "Covered nights")
    with pytest.raises(Conflict):
        services.award_badge(get_user("lead"), get_user("sara"), "night-owl", "Again")


def test_manual_badges_need_a_lead(people):
    with pytest.raises(PermissionDenied):
        services.award_badge(get_user("omid"), get_user("sara"), "customer-hero", "She rocks")
    assert db.session.scalar(select(func.count(BadgeAward.id))) == 0


@pytest.mark.parametrize("badge, reason, who, field", [
    ("no-such-badge", "Good", "sara", "badge"),
    ("first-article", "Good", "sara", "badge"),
    ("customer-hero", "   ", "sara", "reason"),
    ("customer-hero", "Me!", "lead", "username"),
])
def test_bad_manual_awards_are_refused_and_nothing_is_written(people, badge, reason, who, field):
    with pytest.raises(Invalid) as error:
        services.award_badge(get_user("lead"), get_user(who), badge, reason)
    db.session.rollback()
    assert field in error.value.fields
    assert db.session.scalar(select(func.count(BadgeAward.id))) == 0
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_default_badges_are_created_once_and_admin_edits_are_kept(people):
    hero = services.get_badge("customer-hero")
    services.save_badge_definition(get_user("admin"), None, "Customer champion",
                                   "Edited", "hero", True, True, badge=hero)
    assert services.ensure_default_badges() == 0
    assert services.get_badge("customer-hero").name == "Customer champion"
    assert db.session.scalar(select(func.count(BadgeDefinition.id))) == len(services.DEFAULT_BADGES)
    assert db.session.scalar(select(AuditEntry.action)) == "badge.update"


def test_only_admins_manage_definitions(people):
    with pytest.raises(PermissionDenied):
        services.save_badge_definition(get_user("lead"), "x-badge", "X", icon="star")


def test_retired_automatic_badge_is_not_awarded(people):
    services.save_badge_definition(get_user("admin"), None, "Goal reached together", "", "mentor",
                                   active=False, badge=services.get_badge("goal-reached"))
    assert services.evaluate_badges(get_user("sara"), "mentee_goal_reached") == []
