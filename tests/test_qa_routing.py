"""Ask-an-expert: title holders by rank, then top performers, then leads; the limit; never the asker."""
import pytest
from sqlalchemy import select

from accounts.models import Notification
from accounts.services import save_team
from errors import PermissionDenied
from extensions import db
from mentoring.questions import services as questions
from tests.factories import loaded, make_user, refs
from tests.factories_awards import make_title
from tests.factories_qa import make_question
from tests.factories_recognition import csv_file, days_ago, make_category, planted_rows, run_import


@pytest.fixture(scope="module")
def desk_refs(module_transaction):
    with module_transaction.app_context():
        people = {"lena": make_user("lena", role="lead", team="Desk"),
                  "omar": make_user("omar", role="lead", team="Other")}
        for name in ("ana", "ben", "cy", "dee", "eve", "fay", "asker"):
            people[name] = make_user(name, team="Desk")
        save_team("Desk", "lena")
        save_team("Other", "omar")
        db.session.commit()
        people["billing"] = make_category("billing")
        people["internet"] = make_category("internet")
        rows = []
        for agent, resolved in (("ben", 95), ("dee", 88), ("cy", 80), ("eve", 72), ("ana", 60)):
            rows += planted_rows(agent, "billing", 100, resolved, 300, start=days_ago(20))
        rows += planted_rows("fay", "billing", 5, 5, 300, start=days_ago(20))
        run_import(csv_file(rows))
        return refs(people)


@pytest.fixture
def desk(ctx, desk_refs):
    """Leads lena (team Desk) and omar (team Other), agents ana…fay in Desk, and a ranking
    (built once for the module, loaded again in each test, whose changes are rolled back).

    In billing, over the current period: ben ranks 1, dee 2, cy 3, eve 4, ana 5 (fay has too
    few contacts to be ranked). In internet nobody has contacts.
    """
    return loaded(desk_refs)


def asked(question):
    return [(routing.expert.username, routing.rank, routing.reason) for routing in question.routings]


def test_title_holders_are_asked_best_ranked_first(desk):
    for name in ("cy", "ana", "dee"):
        make_title(desk[name], desk["billing"], desk["lena"])
    question = make_question(desk["asker"], category="billing", expert_limit=3)
    assert asked(question) == [("dee", 1, "title"), ("cy", 2, "title"), ("ana", 3, "title")]


def test_the_limit_caps_how_many_are_asked(desk):
    for name in ("cy", "ana", "dee"):
        make_title(desk[name], desk["billing"], desk["lena"])
    question = make_question(desk["asker"], category="billing", expert_limit=2)
    assert [name for name, _rank, _reason in asked(question)] == ["dee", "cy"]


def test_unranked_title_holders_come_after_ranked_ones(desk):
    make_title(desk["fay"], desk["billing"], desk["lena"])
    make_title(desk["eve"], desk["billing"], desk["lena"])
    question = make_question(desk["asker"], category="billing", expert_limit=2)
    assert asked(question) == [("eve", 1, "title"), ("fay", 2, "title")]


def test_top_performers_fill_in_after_the_title_holders(desk):
    make_title(desk["cy"], desk["billing"], desk["lena"])
    question = make_question(desk["asker"], category="billing", expert_limit=3)
    assert asked(question) == [("cy", 1, "title"), ("ben", 2, "performer"), ("dee", 3, "performer")]


def test_expired_titles_do_not_count(desk):
    make_title(desk["ana"], desk["billing"], desk["lena"], days_left=-1, days_ago=100)
    question = make_question(desk["asker"], category="billing", expert_limit=1)
    assert asked(question) == [("ben", 1, "performer")]


def test_without_experts_or_performers_the_askers_lead_is_asked_first(desk):
    question = make_question(desk["asker"], category="internet", expert_limit=3)
    assert asked(question) == [("lena", 1, "lead"), ("omar", 2, "lead")]


def test_the_asker_is_never_asked_about_their_own_question(desk):
    make_title(desk["ben"], desk["billing"], desk["lena"])
    question = make_question(desk["ben"], category="billing", expert_limit=2)
    assert [name for name, _rank, _reason in asked(question)] == ["dee", "cy"]


def test_deactivated_people_are_skipped(desk):
    desk["ben"].active = False
    db.session.commit()
    question = make_question(desk["asker"], category="billing", expert_limit=1)
    assert asked(question) == [("dee", 1, "performer")]


def test_each_asked_expert_is_notified_with_a_link_to_the_question(desk):
    question = make_question(desk["asker"], category="billing", expert_limit=2)
    notices = db.session.scalars(select(Notification).where(
        Notification.kind == "question_in_category").order_by(Notification.id)).all()
    assert [(notice.recipient.username, notice.url) for notice in notices] == [
        ("ben", question.path), ("dee", question.path)]
    assert notices[0].params["title"] == question.title and notices[0].params["actor"] == "asker"


def test_asking_more_experts_asks_the_next_ones_in_order(desk):
    question = make_question(desk["asker"], category="billing", expert_limit=2)
    routings = questions.ask_more_experts(question, desk["asker"], limit=2)
    assert [routing.expert.username for routing in routings] == ["cy", "eve"]
    assert asked(question)[2:] == [("cy", 3, "performer"), ("eve", 4, "performer")]


def test_only_the_asker_or_a_lead_asks_more_experts(desk):
    question = make_question(desk["asker"], category="billing", expert_limit=1)
    with pytest.raises(PermissionDenied):
        questions.ask_more_experts(question, desk["ana"], limit=2)
    assert len(question.routings) == 1


def test_a_limit_of_zero_asks_nobody(desk):
    question = make_question(desk["asker"], category="billing", expert_limit=0)
    assert question.routings == []
