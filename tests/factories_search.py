"""Search test helpers: publishing through kb services, API calls, what the index itself holds.

Tests that look at search results are marked `committed` (see tests/conftest.py): the index
sync reads what was committed on a connection of its own.
"""
from extensions import db
from kb import services
from search.index import current_search
from tests.factories import bearer, make_token, make_user
from tests.factories_kb import make_category

BODY = "## Problem\n\nThe customer cannot pay.\n\n## Steps to resolve\n\n1. Check the account.\n"


def make_people():
    """A lead (expert everywhere) and an agent, and the categories billing and internet."""
    people = {"lead": make_user("lead", role="lead"), "agent": make_user("agent")}
    make_category("billing")
    make_category("internet")
    return people


def publish(people, title, body=BODY, category="billing", lang="en", tags=()):
    """Write an article as the agent, have the lead publish it, commit; returns its id."""
    article = services.create_article(people["agent"], title, body, category, tags=tags, lang=lang)
    services.submit_for_review(article, people["agent"])
    services.publish_article(article, people["lead"])
    article_id = article.id  # read before the commit expires it: reloading would open a transaction
    db.session.commit()
    return article_id


def make_corpus():
    """make_people, and two published billing articles; {"card": id, "refund": id}."""
    people = make_people()
    return {"card": publish(people, "Card declined at the till",
                            "Ask the customer for another card; never paste `<b>` tags."),
            "refund": publish(people, "Customer refund policy", "Refunds are paid within seven days.")}


def publish_all(app, *articles):
    """Make the people, publish each (title, body[, lang]) article; (agent's API headers, ids)."""
    with app.app_context():
        people = make_people()
        headers = api_token(people["agent"])
        ids = [publish(people, *article[:2], lang=article[2] if len(article) > 2 else "en")
               for article in articles]
    return headers, ids


def api_token(user):
    """Authorization headers for `user`."""
    return bearer(make_token(user))


def search_api(client, headers, q, **params):
    """The JSON of GET /api/v1/search (asserting a 200)."""
    response = client.get("/api/v1/search", query_string={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def found(client, headers, q, **params):
    """(type, id) of each result of an API search, best first."""
    return [(result["type"], result["id"]) for result in search_api(client, headers, q, **params)["results"]]


def index_keys(app, q, **filters):
    """Keys the engine itself returns, bypassing the database check."""
    with app.app_context():
        return [hit.key for hit in current_search(app).engine.search(q, **filters).hits]
