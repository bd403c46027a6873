"""The load benchmark's requests are ones the app answers, and its report counts what it recorded
(the benchmark itself, `make bench-load`, serves the app with gunicorn)."""
import random
from dataclasses import replace

import pytest

from bench.load import MIX, Plan, failed, next_request, summarise
from tests.factories import make_token, make_user
from tests.factories_kb import make_article, make_category
from tests.factories_qa import make_question


@pytest.fixture
def plan(app, auth):
    # Its own application context: each request below then has its own, and its own signed-in user.
    with app.app_context():
        agent, lead = make_user("agent"), make_user("lead", role="lead")
        make_category("internet")
        article = make_article(agent, status="published", publisher=lead)
        plan = Plan(port=0, agent_token=make_token(agent), lead_token=make_token(lead), cookie="",
                    searches=[{"q": "modem", "lang": "en"}, {"q": '"light blinking"'}], prefixes=["mod"],
                    article_ids=[article.id], question_ids=[make_question(agent).id],
                    texts=[("Router restarts", "Unplug it for ten seconds.", "en", "internet")])
    auth.login("agent")  # the test client keeps the session cookie itself
    return plan


@pytest.mark.parametrize("kind", [kind for kind, _weight in MIX])
def test_every_kind_of_request_is_answered(app, client, plan, kind):
    rng = random.Random(1)
    for serial in range(3):
        chosen, method, path, headers, body = next_request(rng, replace(plan, mix=((kind, 1),)), serial)
        # Pages go through the signed-in client, API calls with their token alone.
        caller = client if "Cookie" in headers else app.test_client()
        headers = {name: value for name, value in headers.items() if name != "Cookie"}
        response = caller.open(path, method=method, headers=headers, data=body)
        assert chosen == kind
        assert not failed(response.status_code), (path, response.status_code, response.get_data(as_text=True))


def test_the_mix_is_seventy_percent_searches_twenty_pages_ten_writes(plan):
    rng = random.Random(2)
    kinds = [next_request(rng, plan, serial)[0] for serial in range(4000)]
    share = {group: sum(kind in group for kind in kinds) / len(kinds)
             for group in (("search", "suggest"), ("article", "question"), ("create", "edit"))}
    assert share[("search", "suggest")] == pytest.approx(0.7, abs=0.03)
    assert share[("article", "question")] == pytest.approx(0.2, abs=0.03)
    assert share[("create", "edit")] == pytest.approx(0.1, abs=0.02)


def test_report_counts_errors_and_percentiles_per_kind():
    records = [("search", 200, float(ms), None) for ms in range(1, 101)]
    records += [("edit", 409, 5.0, "conflict"), ("edit", 0, 7.0, "reset"), ("edit", 302, 9.0, None)]
    rows = {row[0]: row for row in summarise(records, seconds=10)}
    assert rows["search"] == ("search", 100, 0, 10.0, 50.5, 95.0, 99.0)
    assert rows["edit"][:3] == ("edit", 3, 2)
    assert rows["all"][:4] == ("all", 103, 2, 10.3)
