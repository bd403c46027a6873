"""An article's impact on first-contact resolution, found in planted data (issue 15, Must show).

Each article lives in a category of its own, where three agents of different strength (70, 50
and 30 % first-contact resolution without it) handle 200 contacts each without the article and
some with it. The same suite runs on PostgreSQL with TEST_DATABASE_URL set.
"""
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from accounts.models import Notification
from accounts.notifications import notification_text
from core.periods import Period
from extensions import db
from kb import services as kb
from kb.models import Article, ArticleFlag
from recognition.impact import services
from recognition.impact.estimate import ImpactSettings, Stratum, estimate_impact
from recognition.impact.models import ArticleImpact
from recognition.services.metrics import TOTAL_FIELDS, Totals
from tests.factories import bearer, make_token, make_user
from tests.factories_kb import make_article
from tests.factories_kb import make_category as make_kb_category
from tests.factories_recognition import HEADER, csv_file, planted_rows, run_import

PERIOD = Period(date(2025, 3, 1), date(2025, 3, 31))
START = datetime(2025, 3, 2, 8, tzinfo=UTC)
BASELINE = {"strong": 0.7, "middle": 0.5, "weak": 0.3}
OTHERS = 200  # contacts each agent handles without the article, in each category


def contacts(agent, category, count, rate, prefix, article_id=None, start=START):
    rows = planted_rows(agent, category, count, round(count * rate), start=start, prefix=prefix)
    return [cells + ("" if article_id is None else str(article_id),) for cells in rows]


def plant(article_id, category, linked):
    """Rows of a category: every agent's contacts without the article, and `linked` =
    {agent: (contacts, first-contact resolution rate)} with it."""
    rows = []
    for agent, rate in BASELINE.items():
        rows += contacts(agent, category, OTHERS, rate, f"{category}-{agent}-o")
        count, linked_rate = linked.get(agent, (0, 0))
        rows += contacts(agent, category, count, linked_rate, f"{category}-{agent}-l", article_id,
                         start=datetime(2025, 3, 12, 8, tzinfo=UTC))
    return rows


@pytest.fixture(scope="module")
def planted(module_transaction):
    """Four articles with planted effects, imported through the CSV column (built once)."""
    with module_transaction.app_context():
        author = make_user("author")
        make_user("outsider")
        lead = make_user("lead", role="lead")
        for agent in BASELINE:
            make_user(agent)
        articles = {}
        for name in ("helps", "neutral", "hurts", "few"):
            make_kb_category(name)
            articles[name] = make_article(author, name, f"The {name} trick", status="published",
                                          publisher=lead).id
        rows = (plant(articles["helps"], "helps", {agent: (40, rate + 0.2) for agent, rate in BASELINE.items()})
                # No effect, but used mostly by the strongest agent.
                + plant(articles["neutral"], "neutral", {"strong": (100, 0.7), "middle": (10, 0.5),
                                                         "weak": (10, 0.3)})
                + plant(articles["hurts"], "hurts", {agent: (40, rate - 0.2) for agent, rate in BASELINE.items()})
                + plant(articles["few"], "few", {"strong": (5, 1.0)}))
        summary = run_import(csv_file(rows, header=HEADER + ("articles",), delimiter="\t"))
        assert summary.rows_rejected == 0, summary.errors[:3]
        tokens = {name: make_token(user) for name, user in
                  (("author", author), ("lead", lead), ("outsider", make_user("reader")))}
        return {"articles": articles, "tokens": tokens}


@pytest.fixture
def world(ctx, planted):
    return planted


def impact_of(name, world):
    return services.article_impact(db.session.get(Article, world["articles"][name]), PERIOD)


def test_an_article_that_raises_fcr_by_20_points_helps_with_the_interval_around_20(world):
    impact = impact_of("helps", world)
    low, high = impact.fcr_lift_ci
    assert impact.verdict == "helps"
    assert impact.fcr_lift == pytest.approx(0.20)
    assert 0.1 < low < 0.2 < high < 0.3
    assert (impact.contacts, impact.compared_contacts, impact.agents) == (120, 120, 3)
    assert impact.baseline_fcr == pytest.approx(0.5) and impact.fcr == pytest.approx(0.7)


def test_an_article_used_mostly_by_the_strongest_agent_shows_no_clear_effect(world):
    impact = impact_of("neutral", world)
    # Compared with everyone's other contacts it would look 15 points better (65 % against 50 %).
    assert impact.fcr == pytest.approx(78 / 120)
    assert impact.verdict == "no_clear_effect"
    assert impact.fcr_lift == pytest.approx(0.0, abs=1e-9)
    assert impact.fcr_lift_ci[0] < 0 < impact.fcr_lift_ci[1]


def test_an_article_that_lowers_fcr_hurts(world):
    impact = impact_of("hurts", world)
    assert impact.verdict == "hurts"
    assert impact.fcr_lift == pytest.approx(-0.20) and impact.fcr_lift_ci[1] < 0


def test_an_article_with_a_handful_of_links_is_too_few_to_tell(world):
    impact = impact_of("few", world)
    assert (impact.verdict, impact.contacts) == ("too_few", 5)


def test_the_minimum_of_linked_contacts_is_a_setting(world, app):
    app.config["IMPACT_MIN_CONTACTS"] = 150
    assert impact_of("helps", world).verdict == "too_few"


def test_outside_the_period_there_is_nothing_to_tell(world):
    article = db.session.get(Article, world["articles"]["helps"])
    impact = services.article_impact(article, Period(date(2025, 4, 1), date(2025, 4, 30)))
    assert (impact.contacts, impact.verdict, impact.fcr_lift_ci) == (0, "too_few", None)


def test_the_api_gives_the_impact_in_the_spec_shape(world, client):
    response = client.get("/api/v1/articles/%d/impact?since=2025-03-01&until=2025-03-31" % world["articles"]["helps"],
                          headers=bearer(world["tokens"]["author"]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert {"article", "contacts", "fcr", "baseline_fcr", "fcr_lift", "fcr_lift_ci", "aht_seconds",
            "baseline_aht_seconds", "csat", "baseline_csat", "reopen_rate", "baseline_reopen_rate",
            "verdict", "review_requested"} <= set(body)
    assert (body["article"], body["contacts"], body["verdict"]) == (world["articles"]["helps"], 120, "helps")
    assert body["fcr_lift"] == pytest.approx(0.2) and body["fcr_lift_ci"][0] > 0.1
    assert (body["aht_seconds"], body["baseline_aht_seconds"]) == (300.0, 300.0)
    assert body["csat"] is None and body["review_requested"] is False


@pytest.mark.parametrize("who, status", [("lead", 200), ("outsider", 403)])
def test_the_impact_is_for_the_author_the_experts_and_leads(world, client, who, status):
    response = client.get("/api/v1/articles/%d/impact" % world["articles"]["helps"],
                          headers=bearer(world["tokens"][who]))
    assert response.status_code == status


def test_a_reversed_period_is_refused(world, client):
    response = client.get("/api/v1/articles/%d/impact?since=2025-04-01&until=2025-03-01" % world["articles"]["helps"],
                          headers=bearer(world["tokens"]["lead"]))
    assert response.status_code in (400, 422) and "since" in response.get_json()["error"]["fields"]


def totals(contacts, resolved, handle=300, csat_sum=0, csat_responses=0):
    return Totals(contacts=contacts, fcr_count=resolved, handle_sum=handle * contacts,
                  csat_sum=csat_sum, csat_responses=csat_responses)


def stratum(agent_id, linked, others):
    """A stratum of category 1 from its linked contacts and the others."""
    return Stratum(agent_id, 1, linked, Totals(*(getattr(linked, name) + getattr(others, name)
                                                 for name in TOTAL_FIELDS)))


def test_strata_without_other_contacts_are_left_out_of_the_comparison():
    impact = estimate_impact([stratum(1, totals(40, 30), totals(100, 50)),
                              stratum(2, totals(40, 40), totals(0, 0))])
    assert (impact.contacts, impact.compared_contacts, impact.agents) == (80, 40, 1)
    assert impact.fcr_lift == pytest.approx(0.25)


def test_a_stratum_resolved_all_or_nothing_still_counts_as_uncertain():
    impact = estimate_impact([stratum(1, totals(30, 30), totals(30, 0))], ImpactSettings(min_contacts=30))
    low, high = impact.fcr_lift_ci
    assert impact.verdict == "helps" and low < 1.0 < high


def test_a_certain_but_tiny_effect_is_no_clear_effect():
    impact = estimate_impact([stratum(1, totals(100_000, 50_500), totals(1_000_000, 500_000))])
    assert impact.fcr_lift_ci[0] > 0 and impact.verdict == "no_clear_effect"


def test_satisfaction_is_weighted_by_the_linked_answers():
    impact = estimate_impact([stratum(1, totals(40, 20, csat_sum=90, csat_responses=20),
                                      totals(100, 50, csat_sum=120, csat_responses=40)),
                              stratum(2, totals(40, 20), totals(100, 50, csat_sum=500, csat_responses=100))])
    assert (impact.csat, impact.baseline_csat) == (4.5, 3.0)


def notices(kind):
    return db.session.scalars(select(Notification).where(Notification.kind == kind)).all()


def test_a_hurting_article_is_sent_to_review_once_with_the_figures(world, client):
    hurting = db.session.get(Article, world["articles"]["hurts"])
    services.recompute_impacts(PERIOD)
    assert hurting.status == "in_review"
    [flag] = db.session.scalars(select(ArticleFlag).where(ArticleFlag.article_id == hurting.id)).all()
    assert flag.flagged_by_id is None and "30 % of 120 contacts" in flag.reason and "50 %" in flag.reason
    told = notices("impact_review_requested")
    assert {notice.recipient.username for notice in told} == {"lead", "author"}
    assert "−20 points" in notification_text(told[0])
    db.session.commit()
    body = client.get("/api/v1/articles/%d/impact" % hurting.id, headers=bearer(world["tokens"]["lead"])).get_json()
    assert body["review_requested"] is True
    # An expert publishes it again; the next recompute finds the same harm and asks no more.
    kb.publish_article(hurting, db.session.get(Article, world["articles"]["helps"]).verifier)
    services.recompute_impacts(PERIOD)
    assert hurting.status == "published" and len(notices("impact_review_requested")) == 2
    assert db.session.scalar(select(func.count()).select_from(ArticleFlag)) == 1


def test_the_recompute_stores_every_verdict_and_leaves_the_others_alone(world):
    services.recompute_impacts(PERIOD)
    stored = {row.article_id: row.verdict for row in db.session.scalars(select(ArticleImpact))}
    articles = world["articles"]
    assert stored == {articles["helps"]: "helps", articles["neutral"]: "no_clear_effect",
                      articles["hurts"]: "hurts", articles["few"]: "too_few"}
    assert db.session.get(Article, articles["helps"]).status == "published"
    assert db.session.get(Article, articles["neutral"]).status == "published"
    row = services.stored_impact(articles["helps"])
    assert row.fcr_lift == pytest.approx(0.2) and row.fcr_lift_low > 0.1 and row.contacts == 120


def test_a_verdict_that_stops_hurting_may_ask_again_later(world):
    services.recompute_impacts(PERIOD)
    row = services.stored_impact(world["articles"]["hurts"])
    assert row.review_requested_at is not None
    services.recompute_impacts(Period(date(2025, 4, 1), date(2025, 4, 30)))  # nothing linked then
    assert services.stored_impact(world["articles"]["hurts"]) is None


def test_the_authors_profile_says_what_their_articles_did(world, client, auth):
    services.recompute_impacts(PERIOD)
    db.session.commit()
    auth.login("reader")
    page = client.get("/people/author").get_data(as_text=True)
    assert "Their articles were used on 365 contacts." in page
    assert "The helps trick</bdi></a>: first-contact resolution +20 points." in page
    assert "The neutral trick" not in page  # only the articles that help are named


def test_title_candidates_carry_what_their_articles_did(world):
    services.recompute_impacts(PERIOD)
    knowledge = services.knowledge_of_authors([db.session.get(Article, world["articles"]["helps"]).author_id],
                                              db.session.get(Article, world["articles"]["helps"]).category_id)
    [(author_id, found)] = knowledge.items()
    assert found.as_json() == {"articles": 1, "contacts": 120, "helping": [
        {"id": world["articles"]["helps"], "title": "The helps trick", "fcr_lift": 0.2}]}


def test_the_home_page_invites_a_strong_agent_to_capture_the_trick(world, client, auth, clock):
    clock.move_to(datetime(2025, 3, 31, 12, tzinfo=UTC))
    services.recompute_impacts()
    db.session.commit()
    auth.login("strong")
    page = client.get("/").get_data(as_text=True)
    assert "Capture your trick" in page
    for category in ("neutral", "hurts", "few"):
        assert '/kb/new?category=%s' % category in page
    assert "/kb/new?category=helps" not in page  # that category has an article that helps
    auth.logout()
    auth.login("middle")
    assert "Capture your trick" not in client.get("/").get_data(as_text=True)


def test_knowledge_measures_count_links_reuse_and_helped_contacts(world, client):
    services.recompute_impacts(PERIOD)
    db.session.commit()
    response = client.get("/api/v1/knowledge/measures?since=2025-03-01&until=2025-03-31",
                          headers=bearer(world["tokens"]["lead"]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    # 4 categories × 600 contacts without the articles, 365 with.
    assert (body["contacts"], body["linked_contacts"], body["links"]) == (2765, 365, 365)
    assert body["link_rate"] == round(365 / 2765, 4)
    assert body["links_to_existing"] == 0 and body["reuse_rate"] == 0.0  # written after the contacts
    assert body["contacts_in_helped_categories"] == 720 and body["helped_share"] == round(720 / 2765, 4)
    assert sum(week["linked_contacts"] for week in body["weeks"]) == 365
    assert body["weeks"][0]["week"] == "2025-W09"


def test_knowledge_measures_of_one_category_and_only_for_leads(planted, client):
    # No application context around the requests: Flask-Login keeps the caller in `g`.
    world = planted
    url = "/api/v1/knowledge/measures?category=few&since=2025-03-01&until=2025-03-31"
    body = client.get(url, headers=bearer(world["tokens"]["lead"])).get_json()
    assert (body["category"], body["contacts"], body["linked_contacts"]) == ("few", 605, 5)
    assert client.get(url, headers=bearer(world["tokens"]["author"])).status_code == 403
    assert client.get(url + "&team=nowhere", headers=bearer(world["tokens"]["lead"])).status_code == 404


def test_the_knowledge_page_shows_the_measures_and_their_chart(planted, client, auth):
    auth.login("lead")
    response = client.get("/recognition/knowledge?team=all&since=2025-03-01&until=2025-03-31")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Knowledge measures" in page and "Contacts with an article, by week" in page
    assert 'class="chart-canvas"' in page and "365 of 2,765 contacts had an article linked" in page
    auth.logout()
    auth.login("strong")
    assert client.get("/recognition/knowledge").status_code == 403


def test_the_article_analytics_page_explains_the_effect_week_by_week(planted, client, auth):
    article_id = planted["articles"]["helps"]
    auth.login("author")
    response = client.get("/recognition/articles/%d/analytics?since=2025-03-01&until=2025-03-31" % article_id)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Helps customers" in page and "+20 points" in page
    assert "First-contact resolution by week" in page and 'class="chart-canvas"' in page
    assert "How this is measured" in page and "compared with themselves" in page
    auth.logout()
    auth.login("reader")
    assert client.get("/recognition/articles/%d/analytics" % article_id).status_code == 403


def test_the_weekly_impact_adds_up_to_the_period(world):
    article = db.session.get(Article, world["articles"]["helps"])
    weekly = services.weekly_impact(article, PERIOD)
    assert len(weekly) == len(PERIOD.weeks())
    assert sum(found.contacts for _monday, found in weekly) == 120
    # The linked contacts run from 12 March: the weeks before have nothing to tell.
    assert [found.verdict for monday, found in weekly if monday < date(2025, 3, 10)] == ["too_few", "too_few"]
