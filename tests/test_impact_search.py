"""Search gives articles proven to help customers a small, explained lift, never enough to put a
barely matching article above a relevant one (issue 15)."""
import pytest

from extensions import db
from kb.models import Article
from tests.factories_search import api_token, make_people, publish

pytestmark = pytest.mark.committed  # the index sync reads committed articles


def prove(article_id, lift):
    """What the impact recompute writes for an article with a `helps` verdict."""
    article = db.session.get(Article, article_id)
    article.impact_lift = lift
    db.session.commit()


def search(client, headers, text):
    response = client.get("/api/v1/search", query_string={"q": text}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def test_a_proven_article_ranks_above_an_equal_one_and_says_why(app, client):
    with app.app_context():
        people = make_people()
        headers = api_token(people["agent"])
        ids = {publish(people, "Router restart steps", "Unplug the router for thirty seconds."),
               publish(people, "Router restart guide", "Unplug the router for thirty seconds.")}
        before = [result["id"] for result in search(client, headers, "router restart")]
        plain, proven = before  # the one that came second is proven to help
        prove(proven, 0.15)
    results = search(client, headers, "router restart")
    assert set(before) == ids
    assert [result["id"] for result in results] == [proven, plain]
    assert results[0]["note"] == "Proven: first-contact resolution +15 points when used"
    assert results[1]["note"] is None


def test_the_lift_never_puts_a_barely_matching_article_above_a_relevant_one(app, client):
    with app.app_context():
        people = make_people()
        headers = api_token(people["agent"])
        relevant = publish(people, "Refund a double card charge",
                           "Refund the double charge on the card from the billing tool.")
        barely = publish(people, "Password reset for the customer portal",
                         "Send the reset link. Some customers also ask about a refund.")
        prove(barely, 0.5)
    results = search(client, headers, "refund double charge")
    assert [result["id"] for result in results][0] == relevant
    results = search(client, headers, "refund")
    assert [result["id"] for result in results] == [relevant, barely]


def test_the_lift_is_a_setting(app, client):
    app.config["IMPACT_SEARCH_BOOST"] = 0.0
    with app.app_context():
        people = make_people()
        headers = api_token(people["agent"])
        first = publish(people, "Router restart steps", "Unplug the router for thirty seconds.")
        second = publish(people, "Router restart guide", "Unplug the router for thirty seconds.")
        before = [result["id"] for result in search(client, headers, "router restart")]
        prove(before[1], 0.15)
    assert [result["id"] for result in search(client, headers, "router restart")] == before
    assert {first, second} == set(before)
