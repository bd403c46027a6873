"""The questions part of /api/v1: shapes, permissions and every error case, nothing written on errors."""
import json

import pytest
from sqlalchemy import func, select

from extensions import db
from mentoring.questions.models import Answer, Question, Vote
from tests.factories import bearer, flush_reads, make_token
from tests.factories_qa import ANSWER_BODY, QUESTION_BODY, QUESTION_TITLE, make_answer, make_people, make_question

ERROR_KEYS = {"code", "message", "fields"}
QUESTION_KEYS = {"id", "title", "body", "html", "category", "tags", "lang", "status", "author",
                 "accepted_answer_id", "asked_experts", "url", "created_at", "answers"}
ANSWER_KEYS = {"id", "body", "html", "author", "score", "accepted", "created_at"}


@pytest.fixture(scope="module")
def api(module_transaction):
    """Bearer tokens of the people (built once for the module, each test's changes rolled back)."""
    with module_transaction.app_context():
        people = make_people()
        tokens = {name: bearer(make_token(user)) for name, user in people.items()}
    return tokens


def counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count(model.id))) for model in (Question, Answer, Vote))


def new_question(app, author="asker", **kw):
    from accounts.services import get_user
    with app.app_context():
        return make_question(get_user(author), **kw).id


def new_answer(app, question_id, author="answerer"):
    from accounts.services import get_user
    with app.app_context():
        return make_answer(db.session.get(Question, question_id), get_user(author)).id


def error_of(response, status, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    assert body["error"]["message"]
    if field:
        assert field in body["error"]["fields"], body
    return body["error"]


def payload(**fields):
    return {"title": QUESTION_TITLE, "body": QUESTION_BODY, "category": "internet", **fields}


def test_asking_returns_201_with_the_question(app, client, api):
    response = client.post("/api/v1/questions", json=payload(tags=["PON", "fibre"]),
                           headers=api["asker"])
    assert response.status_code == 201
    body = response.get_json()
    assert QUESTION_KEYS <= set(body)
    assert (body["title"], body["category"], body["author"], body["status"]) == (
        QUESTION_TITLE, "internet", "asker", "open")
    assert body["tags"] == ["fibre", "PON"] and body["answers"] == [] and body["lang"] == "en"
    assert "<strong>red PON light</strong>" in body["html"]
    assert body["url"] == "/questions/%d" % body["id"]
    assert body["created_at"].endswith("Z")


def test_a_new_question_lists_who_was_asked(app, client, api):
    app.config["ASK_EXPERT_LIMIT"] = 1
    body = client.post("/api/v1/questions", json=payload(), headers=api["asker"]).get_json()
    assert [(expert["username"], expert["rank"], expert["reason"]) for expert in body["asked_experts"]] == [
        ("lead", 1, "lead")]


def test_get_question_shows_answers_accepted_first_then_by_score(app, client, api):
    question_id = new_question(app)
    low = new_answer(app, question_id, "answerer")
    high = new_answer(app, question_id, "other")
    accepted = new_answer(app, question_id, "voter")
    client.post("/api/v1/answers/%d/vote" % high, json={"value": 1}, headers=api["answerer"])
    client.post("/api/v1/answers/%d/accept" % accepted, headers=api["asker"])
    body = client.get("/api/v1/questions/%d" % question_id, headers=api["other"]).get_json()
    assert [answer["id"] for answer in body["answers"]] == [accepted, high, low]
    assert ANSWER_KEYS <= set(body["answers"][0])
    assert body["accepted_answer_id"] == accepted and body["status"] == "answered"
    assert [answer["score"] for answer in body["answers"]] == [0, 1, 0]


def test_answering_returns_201_with_the_answer(app, client, api):
    question_id = new_question(app)
    response = client.post("/api/v1/questions/%d/answers" % question_id, json={"body": ANSWER_BODY},
                           headers=api["answerer"])
    assert response.status_code == 201
    body = response.get_json()
    assert (body["author"], body["score"], body["accepted"]) == ("answerer", 0, False)
    assert "<ol>" in body["html"]


def test_accept_returns_the_answered_question(app, client, api):
    question_id = new_question(app)
    answer_id = new_answer(app, question_id)
    response = client.post("/api/v1/answers/%d/accept" % answer_id, headers=api["asker"])
    assert response.status_code == 200
    assert response.get_json()["accepted_answer_id"] == answer_id


def test_vote_returns_the_score_and_my_vote(app, client, api):
    answer_id = new_answer(app, new_question(app))
    response = client.post("/api/v1/answers/%d/vote" % answer_id, json={"value": -1}, headers=api["voter"])
    assert response.status_code == 200
    assert (response.get_json()["score"], response.get_json()["my_vote"]) == (-1, -1)
    changed = client.post("/api/v1/answers/%d/vote" % answer_id, json={"value": 1}, headers=api["voter"])
    assert (changed.get_json()["score"], changed.get_json()["my_vote"]) == (1, 1)


def test_the_list_is_paginated_and_filtered(app, client, api):
    for number in range(3):
        new_question(app, title="Question number %d about modems" % number)
    body = client.get("/api/v1/questions?per_page=2&show=unanswered", headers=api["other"]).get_json()
    assert (body["total"], body["page"], body["per_page"], len(body["questions"])) == (3, 1, 2, 2)
    assert "answers" not in body["questions"][0]


def test_requests_without_a_token_get_401(app, client, api):
    error_of(client.post("/api/v1/questions", json=payload()), 401)
    error_of(client.get("/api/v1/questions/1"), 401)


@pytest.mark.parametrize("fields, field", [
    ({"title": ""}, "title"),
    ({"title": None}, "title"),
    ({"title": "short"}, "title"),
    ({"body": ""}, "body"),
    ({"body": "x" * 50_001}, "body"),
    ({"body": ["not", "text"]}, "body"),
    ({"category": "no-such-category"}, "category"),
    ({"category": None}, "category"),
    ({"tags": "PON"}, "tags"),
    ({"tags": [1]}, "tags"),
    ({"lang": "xx"}, "lang"),
])
def test_bad_questions_are_422_naming_the_field_and_write_nothing(app, client, api, fields, field):
    data = payload(**fields)
    data = {key: value for key, value in data.items() if value is not None}
    error_of(client.post("/api/v1/questions", json=data, headers=api["asker"]), 422, field)
    assert counts(app) == (0, 0, 0)


def test_a_two_megabyte_question_is_413_and_writes_nothing(app, client, api):
    response = client.post("/api/v1/questions", json=payload(body="x" * 2 * 1024 * 1024),
                           headers=api["asker"])
    error = error_of(response, 413)
    # Refused before it is parsed, whatever the route: the message gives the limit.
    assert "1024 KB" in error["message"]
    assert counts(app) == (0, 0, 0)


def test_a_two_megabyte_answer_is_413_and_writes_nothing(app, client, api):
    question_id = new_question(app)
    response = client.post("/api/v1/questions/%d/answers" % question_id,
                           json={"body": "x" * 2 * 1024 * 1024}, headers=api["answerer"])
    error_of(response, 413)
    assert counts(app) == (1, 0, 0)


def test_a_body_that_is_not_json_is_400(app, client, api):
    response = client.post("/api/v1/questions", data="title=x", headers=api["asker"],
                           content_type="application/x-www-form-urlencoded")
    error_of(response, 400)
    malformed = client.post("/api/v1/questions", data="{not json", headers=api["asker"],
                            content_type="application/json")
    error_of(malformed, 400)
    assert counts(app) == (0, 0, 0)


def test_unknown_question_and_answer_are_404(app, client, api):
    error_of(client.get("/api/v1/questions/999", headers=api["asker"]), 404)
    error_of(client.post("/api/v1/questions/999/answers", json={"body": "x"}, headers=api["asker"]), 404)
    error_of(client.post("/api/v1/answers/999/accept", headers=api["asker"]), 404)
    error_of(client.post("/api/v1/answers/999/vote", json={"value": 1}, headers=api["asker"]), 404)


def test_answering_a_closed_question_is_409_and_writes_nothing(app, client, api):
    question_id = new_question(app)
    with app.app_context():
        from accounts.services import get_user
        from mentoring.questions import services as questions
        questions.close_question(db.session.get(Question, question_id), get_user("asker"))
        db.session.commit()
    response = client.post("/api/v1/questions/%d/answers" % question_id, json={"body": ANSWER_BODY},
                           headers=api["answerer"])
    assert "closed" in error_of(response, 409)["message"]
    assert counts(app) == (1, 0, 0)


@pytest.mark.parametrize("who", ["answerer", "other"])
def test_only_the_asker_or_a_lead_accepts(app, client, api, who):
    question_id = new_question(app)
    answer_id = new_answer(app, question_id)
    error_of(client.post("/api/v1/answers/%d/accept" % answer_id, headers=api[who]), 403)
    assert client.get("/api/v1/questions/%d" % question_id, headers=api[who]).get_json()["accepted_answer_id"] is None
    assert client.post("/api/v1/answers/%d/accept" % answer_id, headers=api["lead"]).status_code == 200


def test_accepting_an_answer_of_another_question_is_422(app, client, api):
    question_id = new_question(app)
    other_question = new_question(app, title="Billing date moved after a plan change")
    answer_id = new_answer(app, other_question)
    response = client.post("/api/v1/answers/%d/accept" % answer_id, json={"question_id": question_id},
                           headers=api["asker"])
    error_of(response, 422, "answer_id")
    body = client.get("/api/v1/questions/%d" % other_question, headers=api["asker"]).get_json()
    assert body["accepted_answer_id"] is None


@pytest.mark.parametrize("value", [7, 0.5, "1", True, None, [1]])
def test_a_vote_value_other_than_plus_or_minus_one_is_422(app, client, api, value):
    answer_id = new_answer(app, new_question(app))
    response = client.post("/api/v1/answers/%d/vote" % answer_id, json={"value": value},
                           headers=api["voter"])
    error_of(response, 422, "value")
    assert counts(app) == (1, 1, 0)


def test_a_vote_without_a_value_is_422(app, client, api):
    answer_id = new_answer(app, new_question(app))
    error_of(client.post("/api/v1/answers/%d/vote" % answer_id, json={}, headers=api["voter"]), 422, "value")


def test_voting_on_ones_own_answer_is_403(app, client, api):
    answer_id = new_answer(app, new_question(app))
    response = client.post("/api/v1/answers/%d/vote" % answer_id, json={"value": 1},
                           headers=api["answerer"])
    assert "own answer" in error_of(response, 403)["message"]
    assert counts(app) == (1, 1, 0)


def test_similar_questions_answer_in_the_suggest_shape(app, client, api):
    question_id = new_question(app)
    body = client.get("/api/v1/questions/similar?q=PON+light", headers=api["other"]).get_json()
    assert [(item["type"], item["id"], item["url"]) for item in body["results"]] == [
        ("question", question_id, "/questions/%d" % question_id)]


def test_a_deleted_question_is_hidden_from_agents_but_not_from_leads(app, client, api):
    question_id = new_question(app)
    with app.app_context():
        from accounts.services import get_user
        from mentoring.questions import services as questions
        questions.delete_question(db.session.get(Question, question_id), get_user("lead"))
        db.session.commit()
    error_of(client.get("/api/v1/questions/%d" % question_id, headers=api["other"]), 404)
    assert client.get("/api/v1/questions/%d" % question_id, headers=api["lead"]).status_code == 200


def test_json_is_utf8_for_persian_text(app, client, api):
    response = client.post("/api/v1/questions", headers=api["asker"], content_type="application/json",
                           data=json.dumps(payload(title="چراغ PON مودم قرمز چشمک می‌زند", lang="fa")))
    assert response.status_code == 201
    assert response.get_json()["title"] == "چراغ PON مودم قرمز چشمک می‌زند"


def test_similar_content_lookups_are_not_logged_as_searches(app, client, api):
    from search.models import SearchLog
    client.get("/api/v1/questions/similar?q=PON light red", headers=api["other"])
    flush_reads(app)  # what was buffered (the token's use) is written: no search among it
    with app.app_context():
        assert db.session.scalar(select(func.count(SearchLog.id))) == 0


# --- hostile input -------------------------------------------------------------------------

@pytest.mark.parametrize("title", ["\x00\x00\x00", "\u200b\u200c\u200d\ufeff", " \x07\x1b "])
def test_a_title_of_only_invisible_characters_is_empty(app, client, api, title):
    response = client.post("/api/v1/questions", json=payload(title=title), headers=api["asker"])
    assert "Enter a title" in error_of(response, 422, "title")["message"]
    assert counts(app) == (0, 0, 0)


def test_controls_are_removed_and_bidi_overrides_kept_out_of_the_title(app, client, api):
    response = client.post("/api/v1/questions", headers=api["asker"], json=payload(
        title="\u202eModem\x00 light blinking red", body="Red\x00 light\r\nsince noon", tags=["\u202ePON"]))
    assert response.status_code == 201
    body = response.get_json()
    assert (body["title"], body["body"], body["tags"]) == (
        "Modem light blinking red", "Red light\nsince noon", ["PON"])


@pytest.mark.parametrize("raw", [
    '{"title": "\\ud800 modem light blinking", "body": "x", "category": "internet"}',
    '{"title": "Modem light blinking red", "body": "half \\udfff a pair", "category": "internet"}',
])
def test_a_lone_surrogate_is_400_and_writes_nothing(app, client, api, raw):
    response = client.post("/api/v1/questions", data=raw, content_type="application/json",
                           headers=api["asker"])
    assert "surrogate" in error_of(response, 400)["message"]
    assert counts(app) == (0, 0, 0)


@pytest.mark.parametrize("fields, field", [
    ({"title": 12345678901}, "title"),
    ({"title": {"text": "Modem light blinking red"}}, "title"),
    ({"tags": {"PON": True}}, "tags"),
    ({"lang": ["fa"]}, "lang"),
    ({"colour": "red"}, "colour"),
])
def test_members_of_the_wrong_type_or_unknown_are_422(app, client, api, fields, field):
    error_of(client.post("/api/v1/questions", json=payload(**fields), headers=api["asker"]), 422, field)
    assert counts(app) == (0, 0, 0)


def test_a_body_that_is_not_an_object_is_400(app, client, api):
    question_id = new_question(app)
    for body in (["an", "array"], "a string", 42):
        response = client.post("/api/v1/questions/%d/answers" % question_id, json=body,
                               headers=api["answerer"])
        error_of(response, 400)
    assert counts(app) == (1, 0, 0)


@pytest.mark.parametrize("query, field", [
    ("show=odd", "show"),
    ("page=0", "page"),
    ("page=" + "9" * 30, "page"),
    ("per_page=-5", "per_page"),
    ("per_page=1000", "per_page"),
    ("mine=perhaps", "mine"),
    ("tag=" + "t" * 51, "tag"),
])
def test_bad_list_queries_are_400_naming_the_member(client, api, query, field):
    error_of(client.get("/api/v1/questions?" + query, headers=api["other"]), 400, field)


def test_an_unknown_category_in_the_list_is_422(client, api):
    error_of(client.get("/api/v1/questions?category=nowhere", headers=api["other"]), 422, "category")


def test_mine_lists_only_the_callers_questions(app, client, api):
    new_question(app, author="asker")
    new_question(app, author="other", title="Billing date moved after a plan change")
    body = client.get("/api/v1/questions?mine=1", headers=api["other"]).get_json()
    assert [item["author"] for item in body["questions"]] == ["other"]


def test_a_similar_lookup_longer_than_a_title_is_400(client, api):
    error_of(client.get("/api/v1/questions/similar?q=" + "x" * 201, headers=api["other"]), 400, "q")


@pytest.mark.parametrize("sent", [{}, {"json": {}}, {"json": {"question_id": None}}])
def test_accepting_takes_no_body_or_an_empty_one(app, client, api, sent):
    answer_id = new_answer(app, new_question(app))
    response = client.post("/api/v1/answers/%d/accept" % answer_id, headers=api["asker"], **sent)
    assert response.status_code == 200 and response.get_json()["accepted_answer_id"] == answer_id


@pytest.mark.parametrize("question_id", ["1", 1.5, True, 0, 2**31, 2**63])
def test_accepting_for_a_question_id_that_is_no_id_is_422(app, client, api, question_id):
    answer_id = new_answer(app, new_question(app))
    response = client.post("/api/v1/answers/%d/accept" % answer_id, json={"question_id": question_id},
                           headers=api["asker"])
    error_of(response, 422, "question_id")
    with app.app_context():
        assert db.session.get(Answer, answer_id).accepted is False


def test_accepting_with_a_body_that_is_not_json_is_400(app, client, api):
    answer_id = new_answer(app, new_question(app))
    response = client.post("/api/v1/answers/%d/accept" % answer_id, data="question_id=1",
                           content_type="application/x-www-form-urlencoded", headers=api["asker"])
    error_of(response, 400)


def test_the_document_lists_the_questions_operations(client, api):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/questions"])
    assert paths["/api/v1/answers/{answer_id}/accept"]["post"]["requestBody"]["required"] is False
    assert paths["/api/v1/answers/{answer_id}/vote"]["post"]["requestBody"]["required"] is True
    vote = document["components"]["schemas"]["AnswerVote"]["properties"]["value"]
    assert (vote["type"], vote["minimum"], vote["maximum"]) == ("integer", -1, 1)
    listed = paths["/api/v1/questions"]["get"]
    assert {"page", "per_page", "show", "category", "tag", "lang", "mine"} == {
        parameter["name"] for parameter in listed["parameters"]}
    assert listed["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("QuestionList")
