"""Question pages through the client: lists, asking without JavaScript, answering, the form actions."""
import re

import pytest
from sqlalchemy import func, select

from extensions import db
from kb.models import Article
from mentoring.questions import services as questions
from mentoring.questions.models import Answer, Question, Vote
from tests.conftest import DEMO_PASSWORD
from tests.factories import flush_reads
from tests.factories_awards import make_title
from tests.factories_qa import (
    ANSWER_BODY,
    QUESTION_BODY,
    QUESTION_TITLE,
    make_accepted_answer,
    make_answer,
    make_people,
    make_question,
)


@pytest.fixture
def people(app):
    with app.app_context():
        make_people()
    return app


def user(name):
    from accounts.services import get_user
    return get_user(name)


def new_question(app, author="asker", **kw):
    with app.app_context():
        return make_question(user(author), **kw).id


def new_answer(app, question_id, author="answerer", body=ANSWER_BODY):
    with app.app_context():
        return make_answer(db.session.get(Question, question_id), user(author), body).id


def counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count(model.id))) for model in (Question, Answer, Vote))


def load(app, question_id):
    with app.app_context():
        question = db.session.get(Question, question_id)
        return {"status": question.status, "accepted": question.accepted_answer_id,
                "views": question.view_count, "article": question.article_id,
                "scores": {answer.id: answer.score for answer in question.answers}}


def ask_form(**fields):
    return {"title": QUESTION_TITLE, "body": QUESTION_BODY, "category": "internet", "lang": "en",
            "tags": "PON", "submit": "Ask the experts", **fields}


def test_the_questions_list_shows_questions_and_links_to_them(people, client, auth):
    question_id = new_question(people)
    auth.login("other")
    page = client.get("/questions").get_data(as_text=True)
    assert QUESTION_TITLE in page and 'href="/questions/%d"' % question_id in page
    assert 'href="/questions/ask"' in page


def test_the_nav_links_to_questions(people, client, auth):
    auth.login("other")
    assert 'href="/questions"' in client.get("/questions/mine").get_data(as_text=True)


def test_my_questions_lists_only_mine(people, client, auth):
    new_question(people, "asker")
    new_question(people, "other", title="Another agent asks about billing")
    auth.login("other")
    page = client.get("/questions/mine").get_data(as_text=True)
    assert "Another agent asks about billing" in page and QUESTION_TITLE not in page


def test_the_unanswered_queue_lists_unanswered_questions_oldest_first(people, client, auth):
    first = new_question(people, title="First question still waiting")
    second = new_question(people, title="Second question still waiting")
    new_answer(people, new_question(people, title="A question that has an answer"))
    auth.login("other")
    page = client.get("/questions/unanswered?category=internet").get_data(as_text=True)
    assert "A question that has an answer" not in page
    assert page.index("/questions/%d\"" % first) < page.index("/questions/%d\"" % second)


def test_questions_in_my_categories_is_for_experts(people, client, auth):
    new_question(people, title="Internet question for the experts")
    new_question(people, title="Billing question for others", category="billing")
    with people.app_context():
        from core.categories import get_category
        make_title(user("other"), get_category("internet"), user("lead"))
    auth.login("voter")
    assert client.get("/questions/my-categories").status_code == 403
    auth.logout()
    auth.login("other")
    page = client.get("/questions/my-categories").get_data(as_text=True)
    assert "Internet question for the experts" in page and "Billing question for others" not in page


def test_asking_through_the_form_redirects_to_the_question(people, client, auth):
    auth.login("asker")
    response = client.post("/questions/ask", data=ask_form())
    assert response.status_code == 302
    question_id = int(re.search(r"/questions/(\d+)$", response.headers["Location"]).group(1))
    page = client.get("/questions/%d" % question_id).get_data(as_text=True)
    assert "<strong>red PON light</strong>" in page and "Lena Lead" in page  # asked: the lead


@pytest.mark.committed  # the search index is filled from what was committed
def test_looking_for_existing_answers_lists_articles_and_questions_without_posting(people, client, auth):
    from tests.factories_kb import make_article
    similar_id = new_question(people, title="PON light red on the modem again")
    with people.app_context():
        article = make_article(user("other"), title="Modem PON light red: what to check",
                               status="published", publisher=user("lead"))
        article_path = article.path
    auth.login("asker")
    response = client.post("/questions/ask", data=ask_form(submit="", check="Look"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/questions/%d"' % similar_id in page and 'href="%s"' % article_path in page
    assert counts(people) == (1, 0, 0)


@pytest.mark.parametrize("fields, message", [
    ({"title": "short"}, "at least 10 characters"),
    ({"body": ""}, "it is empty"),
    ({"body": "x" * 50_001}, "at most 50000"),
    ({"category": "nowhere"}, "Unknown category"),
])
def test_bad_input_on_the_ask_form_is_shown_and_nothing_is_written(people, client, auth, fields, message):
    auth.login("asker")
    response = client.post("/questions/ask", data=ask_form(**fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True).replace(",", "")
    assert counts(people) == (0, 0, 0)


def test_a_two_megabyte_form_is_refused_with_the_limit(people, client, auth):
    auth.login("asker")
    response = client.post("/questions/ask", data=ask_form(body="x" * 2 * 1024 * 1024))
    assert response.status_code == 413
    assert "50000" in response.get_data(as_text=True).replace(",", "")
    assert counts(people) == (0, 0, 0)


def test_the_question_page_counts_views_but_not_the_askers(people, client, auth):
    question_id = new_question(people)
    auth.login("asker")
    client.get("/questions/%d" % question_id)
    auth.logout()
    auth.login("other")
    client.get("/questions/%d" % question_id)
    assert load(people, question_id)["views"] == 0  # buffered: reading wrote nothing
    flush_reads(people)
    assert load(people, question_id)["views"] == 1


def test_answering_through_the_page_shows_the_answer(people, client, auth):
    question_id = new_question(people)
    auth.login("answerer")
    response = client.post("/questions/%d/answers" % question_id, data={"body": ANSWER_BODY})
    assert response.status_code == 302 and "#answer-" in response.headers["Location"]
    assert "Ask the customer to unplug" in client.get("/questions/%d" % question_id).get_data(as_text=True)


def test_an_empty_answer_is_shown_on_the_form_and_not_saved(people, client, auth):
    question_id = new_question(people)
    auth.login("answerer")
    response = client.post("/questions/%d/answers" % question_id, data={"body": "  "})
    assert response.status_code == 200 and "it is empty" in response.get_data(as_text=True)
    assert counts(people) == (1, 0, 0)


def test_a_closed_question_shows_no_answer_form_and_refuses_answers(people, client, auth):
    question_id = new_question(people)
    auth.login("asker")
    client.post("/questions/%d/close" % question_id, data={"reason": "Solved by the PON article"})
    auth.logout()
    auth.login("answerer")
    page = client.get("/questions/%d" % question_id).get_data(as_text=True)
    assert "Solved by the PON article" in page and 'action="/questions/%d/answers' % question_id not in page
    response = client.post("/questions/%d/answers" % question_id, data={"body": ANSWER_BODY})
    assert "closed" in response.get_data(as_text=True)
    assert counts(people) == (1, 0, 0)


def test_vote_buttons_vote_change_and_take_back(people, client, auth):
    question_id = new_question(people)
    answer_id = new_answer(people, question_id)
    auth.login("voter")
    client.post("/answers/%d/vote" % answer_id, data={"value": "1"})
    assert load(people, question_id)["scores"] == {answer_id: 1}
    page = client.get("/questions/%d" % question_id).get_data(as_text=True)
    assert 'name="value" value="0"' in page and 'aria-pressed="true"' in page
    client.post("/answers/%d/vote" % answer_id, data={"value": "-1"})
    assert load(people, question_id)["scores"] == {answer_id: -1}
    client.post("/answers/%d/vote" % answer_id, data={"value": "0"})
    assert load(people, question_id)["scores"] == {answer_id: 0}


def test_a_bad_vote_value_from_the_page_is_flashed_and_not_saved(people, client, auth):
    question_id = new_question(people)
    answer_id = new_answer(people, question_id)
    auth.login("voter")
    response = client.post("/answers/%d/vote" % answer_id, data={"value": "7"}, follow_redirects=True)
    assert "Vote with 1" in response.get_data(as_text=True)
    assert counts(people) == (1, 1, 0)


def test_the_answerer_sees_no_vote_buttons_on_their_answer_and_cannot_vote(people, client, auth):
    question_id = new_question(people)
    answer_id = new_answer(people, question_id)
    auth.login("answerer")
    page = client.get("/questions/%d" % question_id).get_data(as_text=True)
    assert "/answers/%d/vote" % answer_id not in page
    assert client.post("/answers/%d/vote" % answer_id, data={"value": "1"}).status_code == 403
    assert counts(people) == (1, 1, 0)


def test_the_asker_sees_the_accept_button_and_accepts(people, client, auth):
    question_id = new_question(people)
    answer_id = new_answer(people, question_id)
    accept_url = "/questions/%d/answers/%d/accept" % (question_id, answer_id)
    auth.login("other")
    assert accept_url not in client.get("/questions/%d" % question_id).get_data(as_text=True)
    assert client.post(accept_url).status_code == 403
    auth.logout()
    auth.login("asker")
    assert accept_url in client.get("/questions/%d" % question_id).get_data(as_text=True)
    client.post(accept_url)
    assert load(people, question_id)["accepted"] == answer_id
    assert load(people, question_id)["status"] == "answered"


def test_accepting_an_answer_through_another_questions_page_is_404(people, client, auth):
    question_id = new_question(people)
    other_answer = new_answer(people, new_question(people, title="Billing date moved after a change"))
    auth.login("asker")
    response = client.post("/questions/%d/answers/%d/accept" % (question_id, other_answer))
    assert response.status_code == 404
    assert load(people, question_id)["accepted"] is None


def test_a_lead_promotes_from_the_page_and_the_question_links_to_the_article(people, client, auth):
    with people.app_context():
        question, answer = make_accepted_answer(user("asker"), user("answerer"))
        question_id, answer_id = question.id, answer.id
    promote_url = "/questions/%d/answers/%d/promote" % (question_id, answer_id)
    auth.login("asker")
    assert promote_url not in client.get("/questions/%d" % question_id).get_data(as_text=True)
    auth.logout()
    auth.login("lead")
    assert promote_url in client.get("/questions/%d" % question_id).get_data(as_text=True)
    response = client.post(promote_url)
    article_id = load(people, question_id)["article"]
    assert response.status_code == 302 and "/kb/%d/" % article_id in response.headers["Location"]
    page = client.get("/questions/%d" % question_id).get_data(as_text=True)
    assert "Promoted to article" in page and 'href="/kb/%d/' % article_id in page
    client.post(promote_url)
    with people.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == 1


def test_who_was_asked_is_listed_on_the_question_page(people, client, auth):
    question_id = new_question(people, expert_limit=3)
    auth.login("other")
    page = client.get("/questions/%d" % question_id).get_data(as_text=True)
    asked = page[page.index("Who was asked"):]
    assert "Lena Lead" in asked and "team lead" in asked


def test_the_asker_edits_and_the_history_keeps_both_versions(people, client, auth):
    question_id = new_question(people)
    auth.login("asker")
    form = ask_form(title="Modem PON light red after the storm")
    response = client.post("/questions/%d/edit" % question_id, data=form)
    assert response.status_code == 302
    history = client.get("/questions/%d/history" % question_id).get_data(as_text=True)
    assert QUESTION_TITLE in history and "Modem PON light red after the storm" in history
    auth.logout()
    auth.login("other")
    assert client.get("/questions/%d/edit" % question_id).status_code == 403


def test_user_markdown_cannot_inject_script(people, client, auth):
    question_id = new_question(people, body="Hello <script>alert(1)</script> [x](javascript:alert(2))")
    new_answer(people, question_id, body="<img src=x onerror=alert(3)>")
    auth.login("other")
    page = client.get("/questions/%d" % question_id).get_data(as_text=True)
    assert "<script>alert" not in page and "javascript:alert" not in page and "onerror" not in page


def test_the_question_page_is_right_to_left_in_persian(people, client, auth):
    question_id = new_question(people, title="چراغ PON مودم قرمز چشمک می‌زند", lang="fa")
    auth.login("other")
    client.post("/language", data={"locale": "fa"})
    page = client.get("/questions/%d" % question_id).get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page
    assert '<h1 dir="auto" lang="fa">چراغ PON مودم قرمز چشمک می‌زند</h1>' in page


def test_a_deleted_question_is_404_for_agents(people, client, auth):
    question_id = new_question(people)
    with people.app_context():
        questions.delete_question(db.session.get(Question, question_id), user("lead"))
        db.session.commit()
    auth.login("other")
    assert client.get("/questions/%d" % question_id).status_code == 404
    assert QUESTION_TITLE not in client.get("/questions").get_data(as_text=True)


def test_vote_forms_carry_a_csrf_token_and_a_post_without_one_is_refused(people, csrf_app):
    question_id = new_question(people)
    answer_id = new_answer(people, question_id)
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"username": "voter", "password": DEMO_PASSWORD, "csrf_token": token})
    page = client.get("/questions/%d" % question_id).get_data(as_text=True)
    form = page[page.index('action="/answers/%d/vote"' % answer_id):]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert client.post("/answers/%d/vote" % answer_id, data={"value": "1"}).status_code == 400
    assert load(people, question_id)["scores"] == {answer_id: 0}
    voted = client.post("/answers/%d/vote" % answer_id, data={"value": "1", "csrf_token": token})
    assert voted.status_code == 302 and load(people, question_id)["scores"] == {answer_id: 1}


def test_counts_on_persian_pages_are_written_in_persian_digits(people, client, auth):
    """Not Latin and Persian digits mixed on one page: the answer count and an answer's score."""
    question_id = new_question(people, title="چراغ PON مودم قرمز چشمک می‌زند", lang="fa")
    new_answer(people, question_id)
    auth.login("other")
    client.post("/language", data={"locale": "fa"})
    listing = client.get("/questions").get_data(as_text=True)
    assert "<strong>۱</strong>" in listing and "<strong>1</strong>" not in listing
    page = client.get("/questions/%d" % question_id).get_data(as_text=True)
    assert "</span> ۰</span>" in page  # the new answer's score
