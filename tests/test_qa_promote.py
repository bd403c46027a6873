"""Promoting an accepted answer to a how-to article draft: attribution, template, link, once only."""
import pytest
from sqlalchemy import func, select

from accounts.models import AuditEntry, Notification
from core.categories import get_category
from core.markdown import extract_section
from errors import Conflict, PermissionDenied
from extensions import db
from kb.models import Article
from mentoring.questions import services as questions
from tests.factories import loaded, refs
from tests.factories_awards import make_title
from tests.factories_qa import ANSWER_BODY, make_accepted_answer, make_answer, make_people, make_question


@pytest.fixture(scope="module")
def people_refs(module_transaction):
    with module_transaction.app_context():
        return refs(make_people())


@pytest.fixture
def people(ctx, people_refs):
    """factories_qa.make_people's people
    (built once for the module, loaded again in each test, whose changes are rolled back)."""
    return loaded(people_refs)


def article_count():
    return db.session.scalar(select(func.count(Article.id)))


def test_a_lead_promotes_an_accepted_answer_to_a_draft_credited_to_the_answerer(people):
    question, answer = make_accepted_answer(people["asker"], people["answerer"], tags="PON, fibre")
    article = questions.promote_answer(answer, people["lead"])
    db.session.commit()
    assert (article.status, article.author, article.source_answer_id) == (
        "draft", people["answerer"], answer.id)
    assert (article.title, article.category, article.lang) == (question.title, question.category, "en")
    assert [tag.name for tag in article.tags] == ["fibre", "PON"]
    assert question.article_id == article.id
    assert "Promoted by Lena Lead" in article.revisions[0].note


def test_the_draft_follows_the_howto_template_with_question_and_answer_in_place(people):
    question, answer = make_accepted_answer(people["asker"], people["answerer"])
    article = questions.promote_answer(answer, people["lead"])
    assert "red PON light" in extract_section(article.body, ["Problem / Symptoms"])
    assert extract_section(article.body, ["Steps to resolve"]) == ANSWER_BODY.strip()
    assert extract_section(article.body, ["What to tell the customer"]) is None  # only the hint
    assert "## When to escalate" in article.body


def test_a_persian_question_is_promoted_into_the_persian_template(people):
    question, answer = make_accepted_answer(people["asker"], people["answerer"], lang="fa",
                                            title="چراغ PON مودم بعد از قطع برق قرمز است")
    article = questions.promote_answer(answer, people["lead"])
    assert article.lang == "fa"
    assert extract_section(article.body, ["مراحل رفع مشکل"]) == ANSWER_BODY.strip()


def test_headings_inside_the_question_and_answer_stay_inside_their_section(people):
    question, answer = make_accepted_answer(people["asker"], people["answerer"])
    questions.edit_answer(answer, people["answerer"], "## Steps\n\n```\n# not a heading\n```\n# Then")
    article = questions.promote_answer(answer, people["lead"])
    steps = extract_section(article.body, ["Steps to resolve"])
    assert steps == "#### Steps\n\n```\n# not a heading\n```\n### Then"


def test_answer_headings_naming_template_sections_keep_their_sections(people):
    question, answer = make_accepted_answer(people["asker"], people["answerer"])
    questions.edit_answer(answer, people["answerer"],
                          "1. Restart the ONT.\n2. Check the fibre.\n\n"
                          "### What to tell the customer:\n\nA visit within 48 hours, free of charge.\n\n"
                          "**When to escalate**\n\n# When to escalate\n\nThree in one street: network team.")
    article = questions.promote_answer(answer, people["lead"])
    assert article.title == question.title
    assert "red PON light" in extract_section(article.body, ["Problem / Symptoms"])
    assert extract_section(article.body, ["Steps to resolve"]) == (
        "1. Restart the ONT.\n2. Check the fibre.")
    assert extract_section(article.body, ["What to tell the customer"]) == (  # bold is no heading
        "A visit within 48 hours, free of charge.\n\n**When to escalate**")
    assert extract_section(article.body, ["When to escalate"]) == "Three in one street: network team."
    assert extract_section(article.body, ["Cause"]) is None  # the hint is left for the author
    assert article.body.count("## What to tell the customer") == 1


def test_a_promoted_draft_is_refused_for_publishing_until_the_hints_are_replaced(people):
    from errors import Invalid
    from kb import services as kb

    _question, answer = make_accepted_answer(people["asker"], people["answerer"])
    article = questions.promote_answer(answer, people["lead"])
    with pytest.raises(Invalid) as refused:
        kb.publish_article(article, people["lead"])
    assert set(refused.value.fields) == {"body"}
    for heading in ("Cause", "What to tell the customer", "When to escalate"):
        assert heading in str(refused.value.fields["body"])
    assert "Steps to resolve" not in str(refused.value.fields["body"])


def test_a_title_holder_of_the_category_may_promote(people):
    make_title(people["other"], get_category("internet"), people["lead"])
    _question, answer = make_accepted_answer(people["asker"], people["answerer"])
    article = questions.promote_answer(answer, people["other"])
    assert article.author == people["answerer"]


@pytest.mark.parametrize("who", ["asker", "answerer", "other"])
def test_agents_without_a_title_cannot_promote(people, who):
    question, answer = make_accepted_answer(people["asker"], people["answerer"])
    with pytest.raises(PermissionDenied, match="expert of this category"):
        questions.promote_answer(answer, people[who])
    db.session.rollback()
    assert article_count() == 0 and question.article_id is None


def test_an_expert_of_another_category_cannot_promote(people):
    make_title(people["other"], get_category("billing"), people["lead"])
    _question, answer = make_accepted_answer(people["asker"], people["answerer"])
    with pytest.raises(PermissionDenied):
        questions.promote_answer(answer, people["other"])


def test_an_answer_that_is_not_accepted_cannot_be_promoted(people):
    answer = make_answer(make_question(people["asker"]), people["answerer"])
    with pytest.raises(Conflict, match="accepted answer"):
        questions.promote_answer(answer, people["lead"])
    db.session.rollback()
    assert article_count() == 0


def test_promoting_twice_returns_the_existing_article(people):
    _question, answer = make_accepted_answer(people["asker"], people["answerer"])
    first = questions.promote_answer(answer, people["lead"])
    db.session.commit()
    assert questions.promote_answer(answer, people["lead"]) is first
    assert article_count() == 1


def test_the_answerer_is_notified_and_the_promotion_audited(people):
    _question, answer = make_accepted_answer(people["asker"], people["answerer"])
    article = questions.promote_answer(answer, people["lead"])
    db.session.commit()
    notice = db.session.scalar(select(Notification).where(Notification.kind == "answer_promoted"))
    assert (notice.recipient, notice.url) == (people["answerer"], article.path)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "answer.promote"))
    assert entry.actor == people["lead"] and entry.detail["article_id"] == article.id


def test_a_deactivated_answerers_answer_is_promoted_under_the_promoter(people):
    _question, answer = make_accepted_answer(people["asker"], people["answerer"])
    people["answerer"].active = False
    article = questions.promote_answer(answer, people["lead"])
    assert article.author == people["lead"] and article.source_answer_id == answer.id
