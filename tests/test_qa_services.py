"""Question and answer services: asking, answering, voting, accepting, editing, closing, hooks."""
import pytest
from sqlalchemy import func, select

from accounts.models import Notification
from core.signals import question_changed
from errors import Conflict, Invalid, NotFound, PermissionDenied
from extensions import db
from mentoring.questions import services as questions
from mentoring.questions.models import Answer, Question, QuestionRevision, Vote
from tests.factories import loaded, refs
from tests.factories_qa import (
    ANSWER_BODY,
    QUESTION_BODY,
    QUESTION_TITLE,
    make_accepted_answer,
    make_answer,
    make_people,
    make_question,
)


@pytest.fixture(scope="module")
def people_refs(module_transaction):
    with module_transaction.app_context():
        return refs(make_people())


@pytest.fixture
def people(ctx, people_refs):
    """factories_qa.make_people's people
    (built once for the module, loaded again in each test, whose changes are rolled back)."""
    return loaded(people_refs)


def row_counts():
    return tuple(db.session.scalar(select(func.count(model.id)))
                 for model in (Question, QuestionRevision, Answer, Vote, Notification))


def notifications_of(user, kind):
    return db.session.scalars(select(Notification).where(
        Notification.recipient_id == user.id, Notification.kind == kind)).all()


def test_asking_stores_the_question_with_rendered_markdown_tags_and_first_revision(people):
    question = make_question(people["asker"], tags="PON, fibre, pon", lang="en")
    assert (question.status, question.author, question.category.slug) == ("open", people["asker"], "internet")
    assert "<strong>red PON light</strong>" in question.html
    assert question.tag_names == ["fibre", "PON"]
    assert [(rev.number, rev.title) for rev in question.revisions] == [(1, QUESTION_TITLE)]


def test_question_language_defaults_to_the_askers_interface_language(people):
    people["asker"].locale = "fa"
    question = make_question(people["asker"], title="چراغ PON مودم قرمز چشمک می‌زند")
    assert question.lang == "fa"


@pytest.mark.parametrize("field, kwargs", [
    ("title", {"title": ""}),
    ("title", {"title": "Too short"}),
    ("title", {"title": "x" * 201}),
    ("body", {"body": "   \n "}),
    ("body", {"body": "x" * 50_001}),
    ("body", {"body": "x" * 2 * 1024 * 1024}),
    ("body", {"body": 12}),
    ("category", {"category": "no-such-category"}),
    ("category", {"category": ""}),
    ("tags", {"tags": ["ok", 3]}),
    ("tags", {"tags": ",".join("tag%d" % n for n in range(11))}),
    ("tags", {"tags": ["x" * 51]}),
    ("lang", {"lang": "de"}),
])
def test_bad_question_input_is_refused_naming_the_field_and_writes_nothing(people, field, kwargs):
    before = row_counts()
    arguments = {"title": QUESTION_TITLE, "body": QUESTION_BODY, "category": "internet", **kwargs}
    with pytest.raises(Invalid) as refused:
        questions.ask_question(people["asker"], arguments.pop("title"), arguments.pop("body"),
                               arguments.pop("category"), expert_limit=3, **arguments)
    db.session.rollback()
    assert field in refused.value.fields and str(refused.value.fields[field])
    assert row_counts() == before


def test_a_body_of_exactly_fifty_thousand_characters_is_accepted(people):
    question = make_question(people["asker"], body="a" * 50_000)
    assert len(question.body) == 50_000


def test_answering_notifies_the_asker_and_counts_the_answer(people):
    question = make_question(people["asker"])
    answer = make_answer(question, people["answerer"])
    assert question.answer_count == 1 and answer.score == 0 and not answer.accepted
    assert "<ol>" in answer.html
    [notice] = notifications_of(people["asker"], "answer_posted")
    assert notice.url == "/questions/%d#answer-%d" % (question.id, answer.id)


@pytest.mark.parametrize("body", ["", "  \n\t", "x" * 50_001, "x" * 2 * 1024 * 1024])
def test_bad_answers_are_refused_and_write_nothing(people, body):
    question = make_question(people["asker"])
    before = row_counts()
    with pytest.raises(Invalid) as refused:
        questions.answer_question(question, people["answerer"], body)
    db.session.rollback()
    assert "body" in refused.value.fields
    assert row_counts() == before and question.answer_count == 0


def test_a_closed_question_takes_no_answers(people):
    question = make_question(people["asker"])
    questions.close_question(question, people["asker"], "Found it in the article on PON lights.")
    db.session.commit()
    before = row_counts()
    with pytest.raises(Conflict, match="closed"):
        questions.answer_question(question, people["answerer"], ANSWER_BODY)
    db.session.rollback()
    assert row_counts() == before


def test_reopening_restores_answered_when_an_answer_was_accepted(people):
    question, _answer = make_accepted_answer(people["asker"], people["answerer"])
    questions.close_question(question, people["lead"])
    questions.reopen_question(question, people["asker"])
    assert question.status == "answered" and question.closed_at is None


@pytest.mark.parametrize("closer", ["asker", "lead"])
def test_the_asker_or_a_lead_closes_a_question(people, closer):
    question = make_question(people["asker"])
    questions.close_question(question, people[closer], "duplicate")
    assert (question.status, question.closed_by, question.close_reason) == (
        "closed", people[closer], "duplicate")


def test_another_agent_cannot_close_a_question(people):
    question = make_question(people["asker"])
    with pytest.raises(PermissionDenied):
        questions.close_question(question, people["other"])
    assert question.status == "open"


def test_the_asker_accepts_an_answer_and_the_question_becomes_answered(people):
    question = make_question(people["asker"])
    answer = make_answer(question, people["answerer"])
    questions.accept_answer(answer, people["asker"])
    db.session.commit()
    assert answer.accepted and question.accepted_answer_id == answer.id and question.status == "answered"
    assert len(notifications_of(people["answerer"], "answer_accepted")) == 1


def test_a_lead_may_accept_on_behalf_of_the_asker(people):
    question = make_question(people["asker"])
    answer = make_answer(question, people["answerer"])
    questions.accept_answer(answer, people["lead"])
    assert question.accepted_answer_id == answer.id


@pytest.mark.parametrize("who", ["answerer", "other"])
def test_nobody_else_may_accept(people, who):
    question = make_question(people["asker"])
    answer = make_answer(question, people["answerer"])
    with pytest.raises(PermissionDenied, match="Only the person who asked"):
        questions.accept_answer(answer, people[who])
    db.session.rollback()
    assert not answer.accepted and question.status == "open" and question.accepted_answer_id is None


def test_changing_the_accepted_answer_releases_the_first(people):
    question = make_question(people["asker"])
    first = make_answer(question, people["answerer"])
    second = make_answer(question, people["other"], "Swap the patch cord for a new one.")
    questions.accept_answer(first, people["asker"])
    questions.accept_answer(second, people["asker"])
    db.session.commit()
    assert (first.accepted, second.accepted) == (False, True)
    assert question.accepted_answer_id == second.id
    assert [answer.id for answer in question.sorted_answers()] == [second.id, first.id]


def test_accepting_an_answer_of_another_question_is_refused(people):
    question = make_question(people["asker"])
    elsewhere = make_question(people["asker"], title="Billing date moved after a plan change")
    answer = make_answer(elsewhere, people["answerer"])
    with pytest.raises(Invalid, match="another question"):
        questions.accept_answer(answer, people["asker"], question=question)
    db.session.rollback()
    assert question.accepted_answer_id is None and elsewhere.accepted_answer_id is None
    assert not answer.accepted


def test_an_answer_of_a_closed_question_cannot_be_accepted(people):
    question = make_question(people["asker"])
    answer = make_answer(question, people["answerer"])
    questions.close_question(question, people["asker"])
    with pytest.raises(Conflict, match="reopen"):
        questions.accept_answer(answer, people["asker"])


def test_accepting_ten_answers_earns_the_trusted_answerer_badge(people):
    from recognition.awards.services import badges_of, ensure_default_badges
    ensure_default_badges()
    for number in range(10):
        make_accepted_answer(people["asker"], people["answerer"],
                             title="Question number %d about the modem" % number)
    assert [award.badge.slug for award in badges_of(people["answerer"])] == ["trusted-answerer"]
    assert questions.count_accepted_answers(people["answerer"]) == 10


def test_a_vote_counts_and_can_be_changed_and_taken_back(people):
    question = make_question(people["asker"])
    answer = make_answer(question, people["answerer"])
    questions.vote_on_answer(answer, people["voter"], 1)
    questions.vote_on_answer(answer, people["other"], 1)
    assert answer.score == 2
    questions.vote_on_answer(answer, people["voter"], -1)
    assert answer.score == 0
    assert questions.votes_of(people["voter"], [answer]) == {answer.id: -1}
    questions.vote_on_answer(answer, people["voter"], 0)
    db.session.commit()
    assert answer.score == 1 and questions.votes_of(people["voter"], [answer]) == {}
    assert db.session.scalar(select(func.count(Vote.id))) == 1


def test_voting_twice_the_same_way_counts_once(people):
    answer = make_answer(make_question(people["asker"]), people["answerer"])
    questions.vote_on_answer(answer, people["voter"], 1)
    questions.vote_on_answer(answer, people["voter"], 1)
    assert answer.score == 1


def test_nobody_votes_on_their_own_answer(people):
    answer = make_answer(make_question(people["asker"]), people["answerer"])
    with pytest.raises(PermissionDenied, match="your own answer"):
        questions.vote_on_answer(answer, people["answerer"], 1)
    db.session.rollback()
    assert answer.score == 0 and db.session.scalar(select(func.count(Vote.id))) == 0


@pytest.mark.parametrize("value", [7, 2, -2, "1", 1.0, True, None, [1]])
def test_a_vote_other_than_plus_or_minus_one_is_refused(people, value):
    answer = make_answer(make_question(people["asker"]), people["answerer"])
    with pytest.raises(Invalid) as refused:
        questions.vote_on_answer(answer, people["voter"], value)
    db.session.rollback()
    assert "value" in refused.value.fields
    assert answer.score == 0 and db.session.scalar(select(func.count(Vote.id))) == 0


def test_the_asker_edits_and_each_version_is_kept(people):
    question = make_question(people["asker"])
    questions.edit_question(question, people["asker"], title="Modem PON light red after a storm",
                            body="Now it blinks *red* and then goes off.", tags="PON")
    db.session.commit()
    assert [rev.title for rev in question.revisions] == [QUESTION_TITLE, "Modem PON light red after a storm"]
    assert "<em>red</em>" in question.html and question.tag_names == ["PON"]


def test_saving_without_changes_adds_no_revision(people):
    question = make_question(people["asker"])
    questions.edit_question(question, people["asker"], title=QUESTION_TITLE, body=QUESTION_BODY)
    assert len(question.revisions) == 1


@pytest.mark.parametrize("who", ["answerer", "lead"])
def test_only_the_asker_edits_the_question(people, who):
    question = make_question(people["asker"])
    with pytest.raises(PermissionDenied):
        questions.edit_question(question, people[who], title="A different title for this")
    db.session.rollback()
    assert question.title == QUESTION_TITLE and len(question.revisions) == 1


def test_the_answerer_edits_their_answer_but_nobody_else_does(people):
    answer = make_answer(make_question(people["asker"]), people["answerer"])
    questions.edit_answer(answer, people["answerer"], "Replace the **patch cord**.")
    assert "<strong>patch cord</strong>" in answer.html
    with pytest.raises(PermissionDenied):
        questions.edit_answer(answer, people["asker"], "Something else entirely.")


def test_the_asker_may_delete_only_while_nobody_answered(people):
    question = make_question(people["asker"])
    make_answer(question, people["answerer"])
    with pytest.raises(PermissionDenied):
        questions.delete_question(question, people["asker"])
    questions.delete_question(question, people["lead"])
    assert question.deleted
    assert db.session.scalars(questions.list_questions()).all() == []


def test_every_change_sends_question_changed(people):
    heard = []

    def listen(question):
        heard.append(question.id)

    with question_changed.connected_to(listen):
        question = make_question(people["asker"])
        answer = make_answer(question, people["answerer"])
        questions.vote_on_answer(answer, people["voter"], 1)
        questions.accept_answer(answer, people["asker"])
        questions.edit_question(question, people["asker"], title="Modem PON light red after a storm")
        questions.delete_question(question, people["lead"])
    assert heard == [question.id] * 6


def test_searchable_questions_are_the_answered_ones_not_deleted(people):
    answered, _answer = make_accepted_answer(people["asker"], people["answerer"])
    unaccepted = make_question(people["asker"], title="Unaccepted question with an answer")
    make_answer(unaccepted, people["answerer"])
    deleted, _ = make_accepted_answer(people["asker"], people["answerer"], title="Deleted after accepting")
    questions.delete_question(deleted, people["lead"])
    db.session.commit()
    found = db.session.scalars(questions.searchable_questions()).all()
    assert [question.id for question in found] == [answered.id]
    assert db.session.scalars(questions.searchable_questions(ids=[deleted.id])).all() == []


@pytest.mark.parametrize("show, expected", [
    ("all", ["answered", "unanswered", "replied", "closed"]),
    ("open", ["unanswered", "replied"]),
    ("unanswered", ["unanswered"]),
    ("answered", ["answered"]),
    ("closed", ["closed"]),
])
def test_the_list_filters_by_state(people, show, expected):
    closed = make_question(people["asker"], title="closed: a question closed by its asker")
    questions.close_question(closed, people["asker"])
    replied = make_question(people["asker"], title="replied: answered but not accepted")
    make_answer(replied, people["answerer"])
    make_question(people["asker"], title="unanswered: nobody answered yet")
    make_accepted_answer(people["asker"], people["answerer"], title="answered: with an accepted answer")
    db.session.commit()
    listed = db.session.scalars(questions.list_questions(show=show))
    titles = [question.title.split(":")[0] for question in listed]
    assert titles == expected


def test_answer_counts_and_lookup_for_recognition(people):
    question, answer = make_accepted_answer(people["asker"], people["answerer"])
    make_answer(question, people["answerer"], "And check the power supply too.")
    assert questions.count_answers(people["answerer"]) == 2
    assert questions.count_accepted_answers(people["answerer"]) == 1
    assert questions.get_answer(answer.id) is answer
    assert questions.get_answer(999) is None and questions.get_answer("x") is None
    questions.delete_question(question, people["lead"])
    assert questions.get_answer(answer.id) is None and questions.count_answers(people["answerer"]) == 0


def test_similar_questions_match_title_words_answered_first(people):
    make_question(people["asker"], title="Router keeps rebooting every night")
    answered, _ = make_accepted_answer(people["asker"], people["answerer"],
                                       title="Router rebooting after firmware update")
    make_question(people["asker"], title="Refund to a cancelled card")
    found = questions.similar_questions("router rebooting", limit=5)
    assert [question.title for question in found] == [answered.title, "Router keeps rebooting every night"]


def test_missing_question_is_not_found(people):
    with pytest.raises(NotFound):
        questions.get_question_or_404(12345)
