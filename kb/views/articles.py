"""Article pages: the list, reading, writing and editing with preview."""
from functools import wraps

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from accounts.permissions import can, require
from config import LANGUAGES
from core.boundary import page_arg
from core.categories import category_choices, get_category, list_categories
from core.markdown import howto_template, render_markdown
from core.text import clean_text
from core.views import forget_local_draft, local_draft_key
from database import begin_write, reads_first
from errors import Conflict, Invalid, PermissionDenied, json_error, show_on_form
from extensions import db
from kb import services
from kb.forms import ArticleForm
from kb.models import ARTICLE_STATUSES
from kb.views import kb
from kb.views.context import load_article, review_interval_days
from security import body_limit, csrf_checked_by_form

ARTICLES_PER_PAGE = 20
LIST_STATUSES = ARTICLE_STATUSES + ("all",)
@kb.errorhandler(413)
def article_too_large(error):
    """A form over the request limit: say what the limit is, not just "too large" (a route's own
    message when it has one, security.body_limit)."""
    own = getattr(error, "description", None)
    message = own if own and own != RequestEntityTooLarge.description else services.too_much_text()
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
    article = load_article(article_id)
    services.record_article_view(article, current_user)  # buffered: reading takes no write lock
    customer_section = services.customer_section(article)
    experts_view = can(current_user, "article.see_feedback", article)
    return render_template(
        "kb/read.html", article=article, article_html=Markup(article.html),
        customer_html=render_markdown(customer_section) if customer_section else None,
        my_feedback=services.get_feedback(article, current_user),
        open_flags=services.open_flags_of(article) if experts_view else [],
        feedback_comments=services.feedback_comments(article, 20) if experts_view else [],
        review_comments=services.review_comments(article) if experts_view else [],
        experts_view=experts_view, saved=services.is_saved(current_user, article))


def _render_editor(form, article, preview_html=None, refusal=None, status=200):
    """The editor page; `refusal` says why what was posted was not saved (it is all still there)."""
    if _form_expired(form):
        refusal = _("Nothing was saved: the form had expired. Your text is still here; press the "
                    "button again to save it.")
    publish_slugs = _publish_category_slugs()
    category = form.category.data or (article.category.slug if article else "")
    may_publish = publish_slugs is None or category in publish_slugs
    templates = {lang: howto_template(lang) for lang in LANGUAGES}
    draft_key = local_draft_key("article", article.id if article else "new")
    return render_template("kb/edit.html", form=form, article=article, preview_html=preview_html,
                           may_publish=may_publish, publish_slugs=publish_slugs,
                           may_publish_anywhere=publish_slugs is None or bool(publish_slugs),
                           howto_templates=templates, refusal=refusal, draft_key=draft_key,
                           posted=request.method == "POST",
                           body_limit=services.body_max_chars(),
                           image_max_mb=services.image_max_megabytes()), status


def _preview_or_error(form, article):
    """The editor showing the rendered body, or the body's error (too long, too deep)."""
    try:
        body = services.clean_body(form.body.data)
    except Invalid as error:
        show_on_form(form, error)
        return _render_editor(form, article)
    return _render_editor(form, article, render_markdown(body))


def _render_before_saving(body):
    """Render the body before the write lock is taken: the save finds it in the render cache."""
    try:
        render_markdown(services.clean_body(body))
    except Invalid:
        pass  # the save itself refuses it, with the message on the form
    begin_write()


def _form_expired(form):
    """True when the form came back without a valid CSRF token (an old page, a new session)."""
    token = getattr(form, "csrf_token", None)  # no such field while CSRF checks are off (tests)
    return bool(token is not None and token.errors)


def _publish_category_slugs():
    """Slugs of the categories the current user may publish in; None means all (leads)."""
    if services.expert_category_ids(current_user) is None:
        return None
    return [category.slug for category in list_categories()
            if can(current_user, "article.publish", category)]


def _keeps_text_when_signed_out(view):
    """login_required, except that an editor posted after the session ended comes back with
    everything typed in it, and how to save it, instead of a redirect that drops the text."""
    @wraps(view)
    def guarded(**kwargs):
        if current_user.is_authenticated:
            return view(**kwargs)
        if request.method != "POST":
            return current_app.login_manager.unauthorized()
        form = ArticleForm(meta={"csrf": False})  # nothing is saved: there is no one to save it for
        known = get_category(form.category.data or "")
        form.category.choices = [(known.slug, known.name)] if known else []
        return render_template("kb/edit.html", form=form, article=None, signed_out=True,
                               refusal=_("Nothing was saved: you were signed out. Sign in again "
                                         "in another tab, then come back and save: your text is "
                                         "still here."),
                               may_publish=False, publish_slugs=[], may_publish_anywhere=False,
                               howto_templates={}, draft_key=None, posted=True,
                               body_limit=services.body_max_chars()), 401
    return guarded


@kb.route("/kb/new", methods=["GET", "POST"])
@csrf_checked_by_form
@body_limit(services.article_request_bytes)
@reads_first
@_keeps_text_when_signed_out
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
            return _preview_or_error(form, None)
        _render_before_saving(form.body.data)
        return _save(form, None, lambda: services.create_article(
            current_user, form.title.data, form.body.data, form.category.data,
            tags=form.tags.data or "", lang=form.lang.data, summary=form.summary.data or "",
            status=form.requested_status(), note=form.note.data or "",
            review_interval_days=review_interval_days()))
    return _render_editor(form, None, status=400 if _form_expired(form) else 200)


@kb.route("/kb/<int:article_id>/edit", methods=["GET", "POST"])
@csrf_checked_by_form
@body_limit(services.article_request_bytes)
@reads_first
@_keeps_text_when_signed_out
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
            return _preview_or_error(form, article)
        _render_before_saving(form.body.data)
        return _save(form, article, lambda: services.update_article(
            article, current_user, title=form.title.data, body=form.body.data,
            summary=form.summary.data or "", category=form.category.data,
            tags=form.tags.data or "", lang=form.lang.data, status=form.requested_status(),
            note=form.note.data or "", base_revision=_base_revision(form),
            review_interval_days=review_interval_days()))
    return _render_editor(form, article, status=400 if _form_expired(form) else 200)


def _save(form, article, save_article):
    """Run the create or update, then go to the article; a refusal (bad input, a conflict, no
    right to publish) shows the editor again with everything typed and the reason."""
    try:
        saved = save_article()
    except (Invalid, Conflict) as error:
        db.session.rollback()
        show_on_form(form, error)
        return _render_editor(form, article)
    except PermissionDenied as error:
        db.session.rollback()
        return _render_editor(form, article, refusal=error.message, status=403)
    db.session.commit()
    forget_local_draft(local_draft_key("article", article.id if article else "new"))
    flash(_saved_message(saved), "success")
    return redirect(url_for("kb.read", article_id=saved.id, slug=saved.slug))


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
@body_limit(services.article_request_bytes)
@reads_first  # seconds of rendering must not hold the write lock: it only reads
@login_required
def preview():
    """The sanitised rendering of posted Markdown, for the editor's live preview."""
    require(current_user, "article.create")
    body = clean_text(request.form.get("body", ""))
    if body.strip():
        try:
            body = services.clean_body(body)
        except Invalid as error:
            return json_error(error.status, error.message, error.code, error.fields)
    return jsonify({"html": str(render_markdown(body))})
