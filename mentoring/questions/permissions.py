"""Who may ask, answer, vote, accept, edit, close and promote (rules registered with accounts)."""
from accounts.permissions import is_expert, rule
from kb.services import expert_category_ids
from mentoring.questions.models import Answer


def _question_of(obj):
    return obj.question if isinstance(obj, Answer) else obj


def _is_asker(user, question):
    return question.author_id is not None and question.author_id == user.id


def _is_lead(user):
    return user.has_role("lead")


@rule("question.ask")
def _ask_question(user, _obj):
    return True


@rule("question.list")
def _list_questions(user, _obj):
    return True


@rule("question.view")
def _view_question(user, question):
    """A deleted question stays visible to its asker and to leads, for the record."""
    return not question.deleted or _is_asker(user, question) or _is_lead(user)


@rule("question.answer")
def _answer_question(user, question):
    """Anyone answers an open or answered question; a closed or deleted one takes no answers."""
    return not question.deleted and question.status != "closed"


@rule("question.edit")
def _edit_question(user, question):
    """The asker rewords their own question; the history keeps every version."""
    return not question.deleted and _is_asker(user, question)


@rule("question.close")
def _close_question(user, question):
    return not question.deleted and question.status != "closed" and (
        _is_asker(user, question) or _is_lead(user))


@rule("question.reopen")
def _reopen_question(user, question):
    return not question.deleted and question.status == "closed" and (
        _is_asker(user, question) or _is_lead(user))


@rule("question.delete")
def _delete_question(user, question):
    """Leads remove any question; an asker only one nobody has answered yet."""
    if question.deleted:
        return False
    return _is_lead(user) or (_is_asker(user, question) and question.answer_count == 0)


@rule("question.ask_more")
def _ask_more_experts(user, question):
    """While a question waits for an answer, its asker or a lead may ask the next experts."""
    return (not question.deleted and question.status == "open"
            and (_is_asker(user, question) or _is_lead(user)))


@rule("answer.edit")
def _edit_answer(user, answer):
    """The answerer corrects their own answer."""
    own = answer.author_id is not None and answer.author_id == user.id
    return own and not answer.question.deleted


@rule("answer.accept")
def _accept_answer(user, answer):
    """Only the asker, or a team lead, decides which answer solved the problem."""
    question = answer.question
    return (not question.deleted and question.status != "closed"
            and (_is_asker(user, question) or _is_lead(user)))


@rule("answer.vote")
def _vote_on_answer(user, answer):
    """Anyone but the answerer votes on an answer of a question that still exists."""
    own = answer.author_id is not None and answer.author_id == user.id
    return not own and not answer.question.deleted


@rule("answer.promote")
def _promote_answer(user, obj):
    """An expert of the question's category (leads and admins count) turns it into an article."""
    question = _question_of(obj)
    return not question.deleted and is_expert(user, question.category_id)


@rule("question.experts_queue")
def _see_expert_queue(user, _obj):
    """The "questions in my categories" page: anyone expert of at least one category."""
    return expert_category_ids(user) != []


def is_question_expert(user, question):
    """True when `user` may act as an expert on `question` (its category's titles, leads)."""
    return is_expert(user, _question_of(question).category_id)

