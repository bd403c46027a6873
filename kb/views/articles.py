"""Article pages: the list, reading, writing and editing with preview."""
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from accounts.permissions import can, require
from config import LANGUAGES
from core.boundary import page_arg
from core.categories import category_choices, get_category
from core.markdown import howto_template, render_markdown
from core.text import clean_text
from database import begin_write
from errors import Conflict, Invalid, json_error, show_on_form
from extensions import db
from kb import services
from kb.forms import ArticleForm
from kb.models import ARTICLE_STATUSES
from kb.views import kb
from kb.views.context import load_article, review_interval_days

ARTICLES_PER_PAGE = 20
LIST_STATUSES = ARTICLE_STATUSES + ("all",)
# Room for a 200 KB article and the other fields even when the browser percent-encodes every
# byte of Persian or Thai text; larger posts are refused before they are parsed.
MAX_FORM_BYTES = 1024 * 1024


@kb.before_request
def _bound_form_size():
    if request.method == "POST":
        request.max_content_length = MAX_FORM_BYTES


@kb.errorhandler(413)
def article_too_large(_error):
    """A form over the request limit: say what the limit is, not just "too large"."""
    message = _("That is too much text for one article: at most %(limit)d KB of Markdown. "
                "Split it into several articles.", limit=services.BODY_MAX_BYTES // 1024)
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return json_error(413, message)
    return render_template("errors/generic.html", message=message, status=413), 413


@kb.route("/kb/")
@login_required
def index():
    """Articles the reader may see, filtered by category, tag, status and language."""
    require(current_user, "article.list")
    category = get_category(request.args.get("category", ""))
    tag_name = request.args.get("tag", "").strip()[:50]
    status = request.args.get("status", "published")
    status = status if status in LIST_STATUSES else "published"
    lang = request.args.get("lang", "")
    lang = lang if lang in LANGUAGES else ""
    mine = request.args.get("mine") == "1"
    stmt = services.list_articles(current_user, category=category, tag=tag_name, status=status,
                                  lang=lang or None, author=current_user if mine else None)
    articles = db.paginate(stmt, page=page_arg(),
                           per_page=ARTICLES_PER_PAGE, error_out=False)
    flags = services.count_open_flags([article.id for article in articles.items])
    filters = {"category": category.slug if category else "", "tag": tag_name, "status": status,
               "lang": lang, "mine": "1" if mine else ""}
    return render_template("kb/index.html", articles=articles, filters=filters,
                           categories=category_choices(), statuses=LIST_STATUSES, flags=flags,
                           show_review_link=can(current_user, "kb.review_queue"))


@kb.route("/kb/<int:article_id>")
@kb.route("/kb/<int:article_id>/<path:slug>")
@login_required
def read(article_id, slug=None):
    """The article, with who wrote and verified it, the customer box and feedback."""
    begin_write()  # counting the view writes: take the write lock before reading
    article = load_article(article_id)
    services.record_article_view(article, current_user)
    db.session.commit()
    customer_section = services.customer_section(article)
    experts_view = can(current_user, "article.see_feedback", article)
    return render_template(
        "kb/read.html", article=article, article_html=Markup(article.html),
        customer_html=render_markdown(customer_section) if customer_section else None,
        my_feedback=services.get_feedback(article, current_user),
        open_flags=services.open_flags_of(article) if experts_view else [],
        feedback_comments=services.feedback_comments(article, 20) if experts_view else [],
        review_comments=services.review_comments(article) if experts_view else [],
        experts_view=experts_view)


def _render_editor(form, article, preview_html=None):
    if article is not None:
        may_publish = can(current_user, "article.publish", article)
    else:
        may_publish = services.expert_category_ids(current_user) != []
    templates = {lang: howto_template(lang) for lang in LANGUAGES}
    return render_template("kb/edit.html", form=form, article=article, preview_html=preview_html,
                           may_publish=may_publish, howto_templates=templates,
                           body_limit_kb=services.BODY_MAX_BYTES // 1024)


@kb.route("/kb/new", methods=["GET", "POST"])
@login_required
def new():
    """Write a new article, starting from the how-to template in the chosen language."""
    require(current_user, "article.create")
    form = ArticleForm()
    form.category.choices = [("", _("Choose a category"))] + category_choices()
    if request.method == "GET":
        lang = request.args.get("lang")
        form.lang.data = lang if lang in LANGUAGES else str(get_locale() or "en")
        form.category.data = request.args.get("category", "")
        form.title.data = request.args.get("title", "")[:200]  # "write an article for this" (content gaps)
        form.body.data = howto_template(form.lang.data)
    if form.validate_on_submit():
        if form.preview.data:
            return _render_editor(form, None, render_markdown(form.body.data or ""))
        saved = _save(form, lambda: services.create_article(
            current_user, form.title.data, form.body.data, form.category.data,
            tags=form.tags.data or "", lang=form.lang.data, summary=form.summary.data or "",
            status=form.requested_status(), note=form.note.data or "",
            review_interval_days=review_interval_days()))
        if saved is not None:
            return saved
    return _render_editor(form, None)


@kb.route("/kb/<int:article_id>/edit", methods=["GET", "POST"])
@login_required
def edit(article_id):
    """Edit an article; saving makes a new revision."""
    article = load_article(article_id, "article.edit")
    form = ArticleForm()
    form.category.choices = category_choices()
    if request.method == "GET":
        form.title.data, form.summary.data, form.body.data = article.title, article.summary, article.body
        form.category.data, form.lang.data = article.category.slug, article.lang
        form.tags.data = ", ".join(tag.name for tag in article.tags)
        form.base_revision.data = str(article.revision_number)
    if form.validate_on_submit():
        if form.preview.data:
            return _render_editor(form, article, render_markdown(form.body.data or ""))
        saved = _save(form, lambda: services.update_article(
            article, current_user, title=form.title.data, body=form.body.data,
            summary=form.summary.data or "", category=form.category.data,
            tags=form.tags.data or "", lang=form.lang.data, status=form.requested_status(),
            note=form.note.data or "", base_revision=_base_revision(form),
            review_interval_days=review_interval_days()))
        if saved is not None:
            return saved
    return _render_editor(form, article)


def _save(form, save_article):
    """Run the create or update; a redirect to the article, or None with errors on the form."""
    try:
        article = save_article()
    except (Invalid, Conflict) as error:
        db.session.rollback()
        show_on_form(form, error)
        return None
    db.session.commit()
    flash(_saved_message(article), "success")
    return redirect(url_for("kb.read", article_id=article.id, slug=article.slug))


def _base_revision(form):
    value = (form.base_revision.data or "").strip()
    return int(value) if value.isdigit() else None


def _saved_message(article):
    messages = {
        "draft": _("Saved as a draft. Submit it for review when it is ready."),
        "in_review": _("Saved. The category's experts have been asked to review it."),
        "published": _("Saved and published."),
        "archived": _("Saved."),
    }
    return messages[article.status]


@kb.post("/kb/preview")
@login_required
def preview():
    """The sanitised rendering of posted Markdown, for the editor's live preview."""
    require(current_user, "article.create")
    body = clean_text(request.form.get("body", ""))
    if len(body.encode("utf-8")) > services.BODY_MAX_BYTES:
        return json_error(413, _("Too long to preview: at most %(limit)d KB of Markdown.",
                                 limit=services.BODY_MAX_BYTES // 1024))
    return jsonify({"html": str(render_markdown(body))})
