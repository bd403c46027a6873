"""The demo questions: the file format, real votes, accepted answers, one promotion, idempotence."""
import os

import pytest
from sqlalchemy import func, select

from core.categories import create_category
from extensions import db
from mentoring.questions.models import Question, Vote

SAMPLE = """\
title: Modem PON light: red after a storm
category: internet
lang: en
author: sara
tags: pon, fibre
promote: yes
---
The light is red.

Any idea?
=== answer: reza | accepted | votes: 3
Reseat the **fibre** cord.
=== answer: nima | votes: 0
Book a technician.
"""


@pytest.fixture(scope="module")
def demo_questions(module_transaction, module_clock):
    """The demo people and categories, without resolution data or titles, and the demo questions
    loaded once for the module (at FROZEN_NOW; each test's changes are rolled back)."""
    from demo.kb import CONTENT_DIR, read_categories
    from demo.loader import DEMO_PASSWORD
    from demo.people import load_people
    from demo.questions import load_questions
    with module_transaction.app_context():
        load_people(DEMO_PASSWORD)
        for category in read_categories(os.path.join(CONTENT_DIR, "categories.txt")):
            create_category(category["name"], category["slug"], category["description"],
                            category["translations"])
        db.session.commit()
        load_questions()
        db.session.commit()


def test_a_question_file_is_read_into_header_question_and_answers():
    from demo.questions import parse_question_file
    headers, body, answers = parse_question_file(SAMPLE)
    assert headers["title"] == "Modem PON light: red after a storm" and headers["promote"] == "yes"
    assert body == "The light is red.\n\nAny idea?\n"
    assert answers == [
        {"username": "reza", "accepted": True, "votes": 3, "body": "Reseat the **fibre** cord.\n"},
        {"username": "nima", "accepted": False, "votes": 0, "body": "Book a technician.\n"}]


def test_a_question_file_without_separator_is_refused():
    from demo.questions import parse_question_file
    with pytest.raises(ValueError):
        parse_question_file("title: No separator\nThe body.\n")


def test_every_demo_question_is_loaded_with_votes_accepts_and_one_promotion(demo_questions, ctx):
    from demo.questions import QUESTIONS_DIR, parse_question_file
    files = sorted(name for name in os.listdir(QUESTIONS_DIR) if name.endswith(".md"))
    assert len(files) >= 20
    for name in files:
        with open(os.path.join(QUESTIONS_DIR, name), encoding="utf-8") as source:
            headers, _body, specs = parse_question_file(source.read())
        question = db.session.scalar(select(Question).where(Question.title == headers["title"]))
        assert question.author.username == headers["author"] and question.lang == headers["lang"]
        answers = sorted(question.answers, key=lambda answer: answer.id)
        assert [(answer.author.username, answer.accepted, answer.score) for answer in answers] == [
            (spec["username"], spec["accepted"], spec["votes"]) for spec in specs], name
        assert all(len(answer.votes) == answer.score for answer in answers)
        assert question.status == ("answered" if any(spec["accepted"] for spec in specs) else "open")
        assert question.routings, name
        if headers.get("promote") == "yes":
            accepted = next(answer for answer in answers if answer.accepted)
            assert question.article.status == "draft" and question.article.author == accepted.author
            assert question.article.source_answer_id == accepted.id
        else:
            assert question.article_id is None
    assert {question.lang for question in db.session.scalars(select(Question))} == {"en", "fa", "ar", "th"}


def test_loading_the_demo_questions_twice_adds_nothing(demo_questions, ctx):
    from demo.questions import load_questions
    before = (db.session.scalar(select(func.count(Question.id))),
              db.session.scalar(select(func.count(Vote.id))))
    assert load_questions()[0].startswith("questions: 0 asked")
    db.session.commit()
    assert (db.session.scalar(select(func.count(Question.id))),
            db.session.scalar(select(func.count(Vote.id)))) == before
