"""@mentions: rendered as safe profile links, and each person told once, when first mentioned."""
import re

import pytest
from flask import url_for
from sqlalchemy import select

from accounts.models import Notification
from core.markdown import render_markdown
from core.markdown.mentions import PROFILE_PATH, mentioned_usernames
from extensions import db
from kb import services as kb
from mentoring.questions import services as questions
from tests.factories import loaded, make_user, refs
from tests.factories_qa import make_people


@pytest.fixture(scope="module")
def people_refs(module_transaction):
    with module_transaction.app_context():
        people = make_people()
        people["gone"] = make_user("gone", display_name="Gone")
        people["gone"].active = False
        db.session.commit()
        return refs(people)


@pytest.fixture
def people(ctx, people_refs):
    return loaded(people_refs)


def mentioned(kind="mentioned"):
    """[(recipient username, url, place)] of the mention notifications so far."""
    return [(n.recipient.username, n.url, n.params.get("place")) for n in db.session.scalars(
        select(Notification).where(Notification.kind == kind).order_by(Notification.id))]


def test_profile_path_is_the_profile_route(app):
    with app.test_request_context():
        assert url_for("accounts.profile", username="bob") == PROFILE_PATH + "bob"


def test_question_mention_tells_the_person_once(people):
    question = questions.ask_question(people["asker"], "Router keeps rebooting", "@answerer any idea?",
                                      "internet", expert_limit=0)
    assert mentioned() == [("answerer", question.path, "Router keeps rebooting")]
    questions.edit_question(question, people["asker"], body="@answerer any idea? I tried a reset.")
    assert len(mentioned()) == 1  # the same mention again: nobody is told twice
    questions.edit_question(question, people["asker"], body="@answerer @voter any idea?")
    assert [name for name, _url, _place in mentioned()] == ["answerer", "voter"]


def test_answer_mentions_only_new_people_and_never_the_author(people):
    question = questions.ask_question(people["asker"], "Billing question", "Why is the bill high?",
                                      "billing", expert_limit=0)
    answer = questions.answer_question(question, people["answerer"], "Ask @LEAD and @answerer.")
    assert mentioned() == [("lead", "%s#answer-%d" % (question.path, answer.id), "Billing question")]
    questions.edit_answer(answer, people["answerer"], "Ask @lead, @answerer and @other.")
    assert [name for name, _url, _place in mentioned()] == ["lead", "other"]


@pytest.mark.parametrize("body", [
    "Ask `@voter` in a code span.",
    "Code block:\n\n    @voter restart\n",
    "Fenced:\n\n```\n@voter\n```\n",
    "Mail voter@example.com or see https://example.com/@voter",
    "@nobody and @gone are not people here.",
    "[@voter](https://example.com) is a link already.",
])
def test_no_mention_in_code_mail_links_or_of_unknown_people(people, body):
    questions.ask_question(people["asker"], "Nothing to mention", body, "internet", expert_limit=0)
    assert mentioned() == []


def test_article_mention_tells_only_who_may_read_it(people):
    draft = kb.create_article(people["asker"], "Draft tricks", "Thanks @voter", "internet")
    assert mentioned() == []  # a draft is its author's alone
    article = kb.create_article(people["lead"], "Fibre reset", "By @voter", "internet",
                                status="published")
    assert mentioned() == [("voter", article.path, "Fibre reset")]
    kb.update_article(article, people["lead"], title="Fibre reset, again")
    kb.update_article(article, people["lead"], body="By @voter with @asker")
    assert [name for name, _url, _place in mentioned()] == ["voter", "asker"]
    assert draft.id


def test_mentions_are_capped():
    html = str(render_markdown(" ".join("@user%d" % n for n in range(80))))
    assert len(mentioned_usernames(html)) == 50


@pytest.mark.parametrize("source", [
    '@bob"><script>alert(1)</script>',
    "@bob<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)" class="mention">@bob</a>',
    '<a class="mention evil" href="/people/bob" onclick="x">@bob</a>',
    "@bob' onmouseover='x",
])
def test_mention_links_cannot_carry_markup(people, source):
    html = str(render_markdown(source))
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    for tag in re.findall(r"<a [^>]*>", html):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        assert set(attributes) <= {"class", "href", "rel"}, tag
        assert attributes.get("class", "mention") == "mention", tag
        assert attributes.get("href", PROFILE_PATH).startswith(PROFILE_PATH), tag
