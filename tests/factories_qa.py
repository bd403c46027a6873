"""Builders for question-and-answer tests; each commits so that requests see the data."""
from accounts.services import save_team
from extensions import db
from mentoring.questions import services as questions
from tests.factories import make_user
from tests.factories_kb import make_category

QUESTION_TITLE = "Modem PON light blinks red after a power cut"
QUESTION_BODY = """The customer's fibre modem shows a **red PON light** since last night's power cut.

We restarted it twice; the line test says *no signal*. Is there anything before a technician visit?
"""
ANSWER_BODY = """Check the fibre patch cord first:

1. Ask the customer to unplug the green fibre connector and plug it back until it clicks.
2. Restart the ONT, wait two minutes and run the line test again.

If it is still red, book a technician: tell the customer **within 48 hours**, free of charge.
"""


def make_people():
    """A team "Desk" led by `lead` with agents asker, answerer, voter and other; two categories."""
    people = {"lead": make_user("lead", role="lead", team="Desk", display_name="Lena Lead")}
    for name in ("asker", "answerer", "voter", "other"):
        people[name] = make_user(name, team="Desk", display_name=name.capitalize())
    save_team("Desk", "lead")
    db.session.commit()
    make_category("internet")
    make_category("billing")
    return people


def make_question(author, title=QUESTION_TITLE, body=QUESTION_BODY, category="internet",
                  expert_limit=0, **kw):
    """Ask and commit a question; routed to nobody unless `expert_limit` says otherwise."""
    question = questions.ask_question(author, title, body, category, expert_limit=expert_limit,
                                      **kw)
    db.session.commit()
    return question


def make_answer(question, author, body=ANSWER_BODY):
    """Post and commit an answer."""
    answer = questions.answer_question(question, author, body)
    db.session.commit()
    return answer


def make_accepted_answer(asker, answerer, **kw):
    """A question by `asker` with an answer by `answerer` that the asker accepted."""
    question = make_question(asker, **kw)
    answer = make_answer(question, answerer)
    questions.accept_answer(answer, asker)
    db.session.commit()
    return question, answer
