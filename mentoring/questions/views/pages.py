"""Reading pages: the question list, my questions, the unanswered queue, experts' questions, a question."""
from flask import request
from flask_login import current_user, login_required

from accounts.permissions import can, require
from config import LANGUAGES
from core.boundary import page_arg
from core.categories import category_choices, get_category, list_categories, local_order
from extensions import db
from mentoring.questions import services as questions
from mentoring.questions.forms import AnswerForm, CloseForm
from mentoring.questions.views import question_pages
from mentoring.questions.views.context import QUESTIONS_PER_PAGE, SHOW_LABELS, load_question, render_questions_page


def _category_filter():
    slug = request.args.get("category", "").strip()
    return get_category(slug) if slug else None


@question_pages.route("/questions", endpoint="questions")
@login_required
def questions_list():
    """Every question, filtered: open, unanswered, answered or closed; category, tag, language, mine."""
    return _render_list(mine=request.args.get("mine") == "1")


@question_pages.route("/questions/mine")
@login_required
def my_questions():
    """The questions I asked, newest first."""
    return _render_list(mine=True)


def _render_list(mine):
    require(current_user, "question.list")
    show = request.args.get("show", "all")
    show = show if show in questions.SHOW_CHOICES else "all"
    category = _category_filter()
    tag = request.args.get("tag", "").strip()[:50]
    lang = request.args.get("lang", "")
    lang = lang if lang in LANGUAGES else ""
    stmt = questions.list_questions(show=show, category=category, tag=tag, lang=lang or None,
                                    author=current_user if mine else None)
    page = db.paginate(stmt, page=page_arg(), per_page=QUESTIONS_PER_PAGE, error_out=False)
    filters = {"show": show, "category": category.slug if category else "", "tag": tag,
               "lang": lang, "mine": "1" if mine else ""}
    return render_questions_page(
        "questions/list.html", page=page, filters=filters, mine=mine, categories=category_choices(),
        show_labels=SHOW_LABELS,
        asked_to_me=questions.questions_asked_to(current_user, page.items))


@question_pages.route("/questions/unanswered")
@login_required
def unanswered_questions():
    """The queue of open questions nobody has answered yet, per category, longest waiting first."""
    require(current_user, "question.list")
    category = _category_filter()
    page = db.paginate(questions.unanswered_questions(category), page=page_arg(),
                       per_page=QUESTIONS_PER_PAGE, error_out=False)
    counts = questions.count_unanswered_by_category()
    queue = [(each, counts.get(each.id, 0)) for each in local_order(list_categories())]
    return render_questions_page(
        "questions/unanswered.html", page=page, category=category, queue=queue,
        asked_to_me=questions.questions_asked_to(current_user, page.items))


@question_pages.route("/questions/my-categories")
@login_required
def expert_questions():
    """For experts: the open questions of their categories, those they were asked about first."""
    require(current_user, "question.experts_queue")
    category = _category_filter()
    page = db.paginate(questions.questions_for_expert(current_user, category), page=page_arg(),
                       per_page=QUESTIONS_PER_PAGE, error_out=False)
    return render_questions_page(
        "questions/expert.html", page=page, category=category, categories=category_choices(),
        asked_to_me=questions.questions_asked_to(current_user, page.items))


@question_pages.route("/questions/<int:question_id>")
@login_required
def question(question_id):
    """The question with its answers (accepted first, then by score) and who was asked."""
    found = load_question(question_id)
    questions.record_question_view(found, current_user)  # buffered: reading takes no write lock
    return render_question(found, AnswerForm())


def render_question(found, answer_form, status=200):
    """The question page, with `answer_form` (and its errors) at the bottom."""
    answers = found.sorted_answers()
    article = found.article
    return render_questions_page(
        "questions/question.html", question=found, answers=answers, answer_form=answer_form,
        close_form=CloseForm(), my_votes=questions.votes_of(current_user, answers),
        article=article, article_visible=article is not None and can(current_user, "article.view",
                                                                     article)), status


@question_pages.route("/questions/<int:question_id>/history")
@login_required
def question_history(question_id):
    """Every saved version of the question's title and text, newest first."""
    found = load_question(question_id)
    return render_questions_page("questions/history.html", question=found,
                                 revisions=list(reversed(found.revisions)))
