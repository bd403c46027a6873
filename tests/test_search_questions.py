"""Answered peer questions are searched with the articles, as type "question"; the ask page's
similar-content lookup finds them."""
import pytest

from accounts.services import get_user
from extensions import db
from mentoring.questions import services as questions
from tests.factories_qa import make_accepted_answer, make_answer, make_people, make_question
from tests.factories_search import api_token, found, index_keys, search_api

# Search results come from the index, which the sync fills from what was committed.
pytestmark = pytest.mark.committed


@pytest.fixture
def answered(app):
    """A question with an accepted answer, and an unanswered one; the headers of a third agent."""
    with app.app_context():
        people = make_people()
        question, answer = make_accepted_answer(people["asker"], people["answerer"])
        waiting = make_question(people["asker"], title="Router PON light blinking after upgrade")
        ids = {"question": question.id, "answer": answer.id, "waiting": waiting.id,
               "headers": api_token(people["other"])}
    return ids


def test_answered_question_is_found_as_a_question_linking_to_its_accepted_answer(client, answered):
    body = search_api(client, answered["headers"], "PON light", type="question")
    [result] = body["results"]
    assert (result["type"], result["id"]) == ("question", answered["question"])
    assert result["url"] == "/questions/%d#answer-%d" % (answered["question"], answered["answer"])


def test_words_only_in_the_answer_find_the_question(client, answered):
    assert found(client, answered["headers"], "patch cord") == [("question", answered["question"])]


def test_unanswered_question_is_not_indexed(app, answered):
    assert f"question:{answered['waiting']}" not in index_keys(app, "PON")


def test_accepting_an_answer_makes_the_question_searchable(app, answered):
    with app.app_context():
        waiting = questions.get_question_or_404(answered["waiting"])
        answer = make_answer(waiting, get_user("other"), "Update the router firmware first.")
        questions.accept_answer(answer, waiting.author)
        db.session.commit()
    assert f"question:{answered['waiting']}" in index_keys(app, "firmware")


def test_deleted_question_leaves_the_index(app, answered):
    with app.app_context():
        questions.delete_question(questions.get_question_or_404(answered["question"]), get_user("lead"))
        db.session.commit()
    assert index_keys(app, "patch cord") == []


def test_edited_answer_is_searchable(app, answered):
    with app.app_context():
        answer = questions.get_answer(answered["answer"])
        questions.edit_answer(answer, answer.author, "Swap the optical transceiver module.")
        db.session.commit()
    assert index_keys(app, "transceiver") == [f"question:{answered['question']}"]
    assert index_keys(app, "patch cord") == []


def test_results_page_labels_questions(client, auth, answered):
    auth.login("other")
    html = client.get("/search?q=patch+cord").get_data(as_text=True)
    assert "Answered question" in html


def test_similar_content_finds_indexed_articles_and_answered_questions_then_waiting_ones(app, client):
    from tests.factories_kb import make_article
    with app.app_context():
        people = make_people()
        headers = api_token(people["other"])
        article = make_article(people["other"], title="Fibre modem PON light red", status="published",
                               publisher=people["lead"])
        answered, _answer = make_accepted_answer(people["asker"], people["answerer"])
        waiting = make_question(people["voter"], title="PON light red again on a new modem")
        expected = {("article", article.id), ("question", answered.id), ("question", waiting.id)}
    body = client.get("/api/v1/questions/similar?q=PON light red", headers=headers).get_json()
    assert {(item["type"], item["id"]) for item in body["results"]} == expected
    assert body["results"][-1]["id"] == waiting.id  # not in the index: listed after its matches
    assert {"type", "id", "title", "url", "lang"} <= set(body["results"][0])
