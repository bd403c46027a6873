"""Top performers with planted data in the database: eligibility, robustness, experts, API, candidates."""
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from accounts.models import AuditEntry
from accounts.services import get_user
from errors import Invalid
from extensions import db
from recognition.awards.services import award_title
from recognition.services import (
    category_strength,
    load_ranking_settings,
    rank_performers,
    title_candidates,
    update_ranking_settings,
)
from tests.factories import bearer, make_token, make_user
from tests.factories_recognition import csv_file, days_ago, make_category, planted_rows, run_import

SINCE, UNTIL = date(2025, 1, 1), date(2025, 3, 31)
START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


def plant(*groups, start=START):
    """Import (agent, category, contacts, resolved, handle_seconds[, options]) groups."""
    rows = []
    for agent, category, contacts, resolved, seconds, *options in groups:
        rows += planted_rows(agent, category, contacts, resolved, seconds, start=start,
                             **(options[0] if options else {}))
    run_import(csv_file(rows))


def ranking(category, since=SINCE, until=UNTIL):
    return [(row.username, row.breakdown.rank, row.breakdown.eligible)
            for row in rank_performers(category, since, until).rows]


@pytest.fixture
def people(ctx):
    for name in ("ana", "ben", "cy", "dee", "eve", "fay"):
        make_user(name)
    make_category("billing")
    make_category("internet")
    return ctx


def test_five_perfect_contacts_are_not_eligible(people):
    plant(("ana", "billing", 5, 5, 120), ("ben", "billing", 400, 300, 300), ("cy", "billing", 60, 40, 300))
    board = rank_performers("billing", SINCE, UNTIL)
    assert ranking("billing") == [("ben", 1, True), ("cy", 2, True), ("ana", None, False)]
    assert "fewer than the 30 required" in str(board.unranked[0].breakdown.reason)


def test_high_fcr_at_normal_speed_outranks_slightly_lower_fcr_at_three_times_the_aht(people):
    plant(("ana", "billing", 400, 372, 300),  # FCR 0.93
          ("ben", "billing", 400, 360, 900),  # FCR 0.90, three times the category's AHT
          ("cy", "billing", 200, 160, 300), ("dee", "billing", 200, 160, 300))
    assert ranking("billing")[0] == ("ana", 1, True)
    assert [name for name, _rank, _eligible in ranking("billing")].index("ben") > 0


def test_speed_does_not_pay_when_customers_call_back(people):
    plant(("ana", "billing", 300, 270, 400),  # FCR 0.90 at a normal pace
          ("ben", "billing", 300, 180, 120, {"reopened": 90}),  # fast, FCR 0.60, 30 % reopened
          ("cy", "billing", 300, 240, 400), ("dee", "billing", 300, 240, 400))
    board = rank_performers("billing", SINCE, UNTIL)
    fast = next(row for row in board.rows if row.username == "ben")
    assert fast.breakdown.aht_quality_gate == 0 and fast.breakdown.notes
    assert fast.breakdown.rank == 4


def test_experts_differ_per_category(people):
    plant(("ana", "billing", 200, 190, 300), ("ben", "billing", 200, 140, 300),
          ("ana", "internet", 200, 130, 300), ("ben", "internet", 200, 188, 300),
          ("cy", "billing", 100, 75, 300), ("cy", "internet", 100, 75, 300))
    assert ranking("billing")[0][0] == "ana"
    assert ranking("internet")[0][0] == "ben"


def test_ranking_is_deterministic_whatever_the_import_order(people):
    groups = [("ana", "billing", 50, 40, 300), ("ben", "billing", 50, 40, 300), ("cy", "billing", 80, 60, 280)]
    rows = []
    for agent, category, contacts, resolved, seconds in groups:
        rows += planted_rows(agent, category, contacts, resolved, seconds, start=START)
    run_import(csv_file(list(reversed(rows))))
    first = ranking("billing")
    assert first == ranking("billing")
    # ana and ben are identical: the tie goes to the username in alphabetical order.
    assert [name for name, *_ in first].index("ana") < [name for name, *_ in first].index("ben")


def test_ranking_counts_only_the_period(people):
    plant(("ana", "billing", 100, 95, 300), ("ben", "billing", 100, 50, 300))
    plant(("ben", "billing", 100, 100, 300, {"prefix": "later"}), start=START.replace(month=5))
    assert ranking("billing")[0][0] == "ana"
    assert ranking("billing", date(2025, 5, 1), date(2025, 5, 31)) == [("ben", 1, True)]


def test_min_contacts_setting_changes_eligibility_and_is_audited(people):
    lead = make_user("lead1", role="lead")
    plant(("ana", "billing", 5, 5, 120), ("ben", "billing", 400, 300, 300))
    update_ranking_settings(lead, min_contacts=5)
    db.session.commit()
    eligible = {name: (rank, is_eligible) for name, rank, is_eligible in ranking("billing")}
    assert eligible["ana"][1] is True and eligible["ana"][0] in (1, 2)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "recognition.score_settings"))
    assert entry.actor_id == lead.id and entry.detail["min_contacts_from"] == 30
    assert entry.detail["min_contacts_to"] == 5 and load_ranking_settings().score.min_contacts == 5


@pytest.mark.parametrize("values", [{"fcr_weight": -1}, {"min_contacts": 0}, {"z": 0},
                                    {"fcr_weight": 0, "nps_weight": 0, "csat_weight": 0, "aht_weight": 0},
                                    {"colour": 3}, {"period_days": "90"}])
def test_bad_settings_are_refused(people, values):
    lead = make_user("lead1", role="lead")
    with pytest.raises(Invalid):
        update_ranking_settings(lead, **values)
    assert load_ranking_settings().score.min_contacts == 30


def test_category_strength_gives_rank_and_percentile(people):
    plant(("ana", "billing", 100, 95, 300), ("ben", "billing", 100, 80, 300), ("cy", "billing", 100, 60, 300),
          ("dee", "billing", 3, 3, 300))
    people_by_name = {row.username: row.user for row in rank_performers("billing", SINCE, UNTIL).rows}
    best = category_strength(people_by_name["ana"], "billing", SINCE, UNTIL)
    middle = category_strength(people_by_name["ben"], "billing", SINCE, UNTIL)
    newcomer = category_strength(people_by_name["dee"], "billing", SINCE, UNTIL)
    assert (best.rank, best.percentile, best.ranked_agents) == (1, 100.0, 3)
    assert (middle.rank, middle.percentile) == (2, 50.0)
    assert (newcomer.eligible, newcomer.rank, newcomer.contacts) == (False, None, 3)


def test_candidates_skip_current_title_holders_and_the_ineligible(people):
    recent = days_ago(20)
    plant(("ana", "billing", 100, 95, 300), ("ben", "billing", 100, 90, 300), ("cy", "billing", 100, 85, 300),
          ("dee", "billing", 100, 80, 300), ("eve", "billing", 5, 5, 300), start=recent)
    assert [row.username for row in title_candidates("billing").rows][:1] == ["ana"]
    award_title(make_user("lead", role="lead"), get_user("ana"), "billing", "Best billing FCR")
    assert [row.username for row in title_candidates("billing").rows] == ["ben", "cy", "dee"]


# API

@pytest.fixture
def api(app, client):
    """Planted billing data in the last 90 days, and tokens for a lead and an agent."""
    with app.app_context():
        for name in ("ana", "ben", "cy"):
            make_user(name)
        make_category("billing")
        recent = days_ago(30)
        plant(("ana", "billing", 100, 95, 300, {"nps": 10, "csat": 5}), ("ben", "billing", 100, 70, 400,
                                                                         {"nps": 3, "csat": 2}),
              ("cy", "billing", 10, 10, 300), start=recent)
        plant(("cy", "billing", 100, 100, 300, {"prefix": "old"}), start=days_ago(200))
        tokens = {"lead": make_token(make_user("lead1", role="lead")), "agent": make_token(make_user("agent1"))}
    return client, tokens


def test_performers_api_lists_eligible_agents_first_by_rank(api):
    client, tokens = api
    response = client.get("/api/v1/performers?category=billing", headers=bearer(tokens["lead"]))
    body = response.get_json()
    assert response.status_code == 200
    assert {"category", "since", "until", "min_contacts", "agents"} <= set(body)
    assert body["category"] == "billing" and body["min_contacts"] == 30
    assert date.fromisoformat(body["until"]) == days_ago(0).date()
    assert (date.fromisoformat(body["until"]) - date.fromisoformat(body["since"])).days == 89
    assert [(agent["username"], agent["rank"], agent["eligible"]) for agent in body["agents"]] == [
        ("ana", 1, True), ("ben", 2, True), ("cy", None, False)]
    ana = body["agents"][0]
    assert {"username", "contacts", "fcr", "aht_seconds", "nps", "csat", "score", "rank", "eligible"} <= set(ana)
    assert (ana["contacts"], ana["fcr"], ana["aht_seconds"], ana["nps"], ana["csat"]) == (100, 0.95, 300, 100, 5)
    assert body["agents"][1]["nps"] == -100 and 0 <= ana["score"] <= 100


def test_performers_api_takes_since_and_until(api):
    client, tokens = api
    since, until = days_ago(260).date(), days_ago(100).date()
    body = client.get(f"/api/v1/performers?category=Billing&since={since}&until={until}",
                      headers=bearer(tokens["lead"])).get_json()
    assert (body["since"], body["until"]) == (since.isoformat(), until.isoformat())
    assert [(agent["username"], agent["contacts"]) for agent in body["agents"]] == [("cy", 100)]


@pytest.mark.parametrize(("query", "status", "field"), [
    ("category=billing&since=yesterday", 400, "since"),
    ("category=billing&since=2025-03-01&until=2025-02-01", 422, "since"),
    ("", 400, "category"),
    ("category=", 422, "category"),
    ("category=roaming", 404, None),
    ("category=billing&until=0001-01-01", 400, "until"),
    ("category=billing&since=9999-12-31", 400, "since"),
    ("category=billing&until=2101-01-01", 400, "until"),
    ("category=billing&since=2026-13-01", 400, "since"),
    ("category=billing&since=2020-01-01&until=2025-01-01", 422, "since"),
])
def test_performers_api_explains_bad_parameters(api, query, status, field):
    client, tokens = api
    response = client.get("/api/v1/performers?" + query, headers=bearer(tokens["lead"]))
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["message"] and (field is None or field in error["fields"])


@pytest.mark.parametrize(("query", "status"), [("", 400), ("category=", 422), ("category=roaming", 404)])
def test_candidates_api_explains_bad_parameters(api, query, status):
    client, tokens = api
    response = client.get("/api/v1/recognition/candidates?" + query, headers=bearer(tokens["lead"]))
    assert response.status_code == status
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("path", ["/api/v1/performers?category=billing",
                                  "/api/v1/recognition/candidates?category=billing"])
def test_lead_endpoints_need_a_token_and_a_lead(api, path):
    client, tokens = api
    anonymous = client.get(path)
    agent = client.get(path, headers=bearer(tokens["agent"]))
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"] == "unauthorized"
    assert agent.status_code == 403 and agent.get_json()["error"]["code"] == "forbidden"


def test_candidates_api_lists_the_top_eligible_agents(api):
    client, tokens = api
    body = client.get("/api/v1/recognition/candidates?category=billing", headers=bearer(tokens["lead"])).get_json()
    assert body["category"] == "billing"
    assert [candidate["username"] for candidate in body["candidates"]] == ["ana", "ben"]
    assert body["candidates"][0]["rank"] == 1
