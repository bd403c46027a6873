"""GET /api/v1/search and /api/v1/suggest: the SPEC's shape, permissions, filters and bad input."""

import pytest
from sqlalchemy import update

from extensions import db
from kb import services
from kb.models import Article
from search.models import SearchLog
from tests.factories import flush_reads
from tests.factories_search import BODY, api_token, found, make_people, publish, search_api


@pytest.fixture(scope="module")
def corpus(committed_module):
    """Published billing and internet articles in two languages, a draft, and the agent's headers.

    Committed once for the module (the index sync reads what was committed); each test runs in
    a transaction rolled back on top of it.
    """
    with committed_module.app_context():
        people = make_people()
        ids = {
            "card": publish(people, "Card declined at the till", "Ask for another card."),
            "card_fa": publish(people, "کارت رد شد", "کارت دیگری بخواهید", lang="fa"),
            "modem": publish(people, "Modem card slot", "Reseat the SIM card.", category="internet"),
        }
        draft = services.create_article(people["agent"], "Card declined draft", BODY, "billing")
        db.session.commit()
        ids["draft"] = draft.id
        ids["headers"] = api_token(people["agent"])
        ids["lead_headers"] = api_token(people["lead"])
    return ids


def test_search_returns_the_spec_shape(client, corpus):
    body = search_api(client, corpus["headers"], "declined")
    assert set(body) >= {"query", "total", "took_ms", "suggestion", "results"}
    assert (body["query"], body["total"], body["suggestion"]) == ("declined", 1, None)
    assert body["took_ms"] > 0
    [result] = body["results"]
    assert set(result) == {"type", "id", "title", "url", "snippet", "category", "lang", "score", "note"}
    assert (result["type"], result["id"], result["title"], result["category"], result["lang"]) == \
        ("article", corpus["card"], "Card declined at the till", "billing", "en")
    assert result["url"] == f"/kb/{corpus['card']}/card-declined-at-the-till"
    assert result["score"] > 0


@pytest.mark.parametrize("params, expected", [
    ({"category": "internet"}, ["modem"]),
    ({"lang": "fa"}, []),
    ({"type": "question"}, []),
    ({"type": "article", "category": "billing"}, ["card"]),
])
def test_filters_restrict_the_results(client, corpus, params, expected):
    assert found(client, corpus["headers"], "card", **params) == [("article", corpus[name]) for name in expected]


def test_draft_is_never_found_even_by_its_reviewers(client, corpus):
    for headers in (corpus["headers"], corpus["lead_headers"]):
        assert ("article", corpus["draft"]) not in found(client, headers, "declined")


def test_article_archived_in_the_database_but_still_indexed_is_filtered_out(app, client, corpus):
    with app.app_context():
        db.session.execute(update(Article).where(Article.id == corpus["card"]).values(status="archived"))
        db.session.commit()
    body = search_api(client, corpus["headers"], "declined")
    assert (body["results"], body["total"]) == ([], 0)


def test_search_requires_login(client, corpus):
    response = client.get("/api/v1/search?q=card")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_search_is_logged_with_the_normalised_text(app, client, corpus):
    search_api(client, corpus["headers"], "  كارت  ", lang="fa")
    flush_reads(app)
    with app.app_context():
        entry = db.session.scalars(db.select(SearchLog)).one()
        assert (entry.text, entry.lang_filter, entry.result_count, entry.category, entry.channel) == \
            ("کارت", "fa", 1, "billing", "api")
        assert entry.user.username == "agent" and entry.took_ms > 0


@pytest.mark.parametrize("params", [
    {"q": ""}, {"q": "   "}, {"q": "x" * 10240}, {"q": "card", "type": "video"},
    {"q": "card", "lang": "de"}, {"q": "card", "category": "nope"},
    {"q": "card", "page": "0"}, {"q": "card", "page": "-1"}, {"q": "card", "page": str(10 ** 9)},
    {"q": "card", "page": "two"}, {"q": "card", "per_page": str(10 ** 6)}, {"q": "card", "per_page": "0"},
])
def test_bad_parameters_are_a_400_with_a_message(client, corpus, params):
    response = client.get("/api/v1/search", query_string=params, headers=corpus["headers"])
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and error["message"] and error["fields"]


@pytest.mark.parametrize("q", [
    "*", "a*", "card*", "[a TO z]", "{a TO z}", "field:value", "title:card", "category:billing",
    '"unbalanced', 'card "declined', "((", "(card", "card)", "card^5", "card~2",
    "/ca.*/", "+", "-", "--card", "AND OR NOT", "<script>alert(1)</script>", "%s %(x)s", "\u200c",
    "x" * 1000,
])
def test_odd_queries_are_searched_as_text(client, corpus, q):
    body = search_api(client, corpus["headers"], q)
    assert isinstance(body["results"], list) and body["total"] >= 0
    assert len(body["query"]) <= 200


@pytest.mark.parametrize("q, expected", [("field:value", 0), ("title:card", 2), ("category:billing", 0)])
def test_query_syntax_does_not_reach_fields(client, corpus, q, expected):
    assert search_api(client, corpus["headers"], q)["total"] == expected


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/suggest"])
@pytest.mark.parametrize("q", ["\x00", "car\x00d"])
def test_a_nul_in_the_query_is_refused_with_the_field_named(client, corpus, path, q):
    response = client.get(path, query_string={"q": q}, headers=corpus["headers"])
    assert response.status_code == 400
    assert "NUL" in response.get_json()["error"]["fields"]["q"]


def test_page_beyond_the_results_is_empty(client, corpus):
    body = search_api(client, corpus["headers"], "card", page="100")
    assert (body["results"], body["total"]) == ([], 2)


def test_pages_split_the_results(client, corpus):
    first = search_api(client, corpus["headers"], "card", per_page="1")
    second = search_api(client, corpus["headers"], "card", per_page="1", page="2")
    assert len(first["results"]) == 1 and len(second["results"]) == 1
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])


def test_suggest_returns_titles_with_urls(client, corpus):
    response = client.get("/api/v1/suggest?q=decl", headers=corpus["headers"])
    assert response.status_code == 200
    assert response.get_json() == {"results": [
        {"type": "article", "id": corpus["card"], "title": "Card declined at the till",
         "url": f"/kb/{corpus['card']}/card-declined-at-the-till"}]}


def test_suggest_never_offers_a_draft(client, corpus):
    answer = client.get("/api/v1/suggest?q=card", headers=corpus["lead_headers"]).get_json()
    titles = [r["title"] for r in answer["results"]]
    assert "Card declined draft" not in titles


@pytest.mark.parametrize("q", ["", "c", "*", "x" * 10240, "[a TO z]"])
def test_suggest_tolerates_odd_input(client, corpus, q):
    response = client.get("/api/v1/suggest", query_string={"q": q}, headers=corpus["headers"])
    assert response.status_code == 200 and response.get_json() == {"results": []}


def test_suggest_requires_login(client, corpus):
    assert client.get("/api/v1/suggest?q=card").status_code == 401


def test_search_without_q_is_a_400_naming_it(client, corpus):
    response = client.get("/api/v1/search", headers=corpus["headers"])
    assert response.status_code == 400 and "q" in response.get_json()["error"]["fields"]


def test_empty_filters_count_as_not_sent(client, corpus):
    body = search_api(client, corpus["headers"], "card", type="", category="", lang="", page="", per_page="")
    assert (body["total"], body["page"], body["per_page"]) == (2, 1, 10)


@pytest.mark.parametrize("params, field", [
    ({"q": "card", "page": "1.5"}, "page"), ({"q": "card", "per_page": "51"}, "per_page"),
    ({"q": "card", "page": "101"}, "page"), ({"q": "card", "type": "Article"}, "type"),
])
def test_out_of_range_parameters_name_the_parameter(client, corpus, params, field):
    response = client.get("/api/v1/search", query_string=params, headers=corpus["headers"])
    assert response.status_code == 400 and field in response.get_json()["error"]["fields"]


def test_search_operations_are_in_the_document(client, corpus):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    search = paths["/api/v1/search"]["get"]
    parameters = {parameter["name"]: parameter for parameter in search["parameters"]}
    assert set(parameters) == {"q", "type", "category", "lang", "page", "per_page"}
    assert parameters["q"]["required"] and parameters["per_page"]["schema"]["maximum"] == 50
    assert {"200", "400", "401", "503"} <= set(search["responses"])
    assert [p["name"] for p in paths["/api/v1/suggest"]["get"]["parameters"]] == ["q"]
