"""Who may read, write, review and manage knowledge-base content (registered with accounts)."""
from accounts.permissions import expert_category_ids, is_expert, rule
from core.categories import Category
from kb.models import Article


def _category_id(obj):
    """The category an action is about: an article's, a category itself, or an id."""
    if isinstance(obj, Article):
        return obj.category_id
    if isinstance(obj, Category):
        return obj.id
    return obj


def _is_author(user, article):
    return article.author_id is not None and article.author_id == user.id


@rule("article.create")
def _create_article(user, _obj):
    return True


@rule("article.list")
def _list_articles(user, _obj):
    return True


@rule("article.view")
def _view_article(user, article):
    """Published and archived articles are for everyone; work in progress for its reviewers."""
    if article.status in ("published", "archived"):
        return True
    return _is_author(user, article) or is_expert(user, article.category_id)


@rule("article.edit")
def _edit_article(user, article):
    """A draft is its author's alone; once submitted, the category's experts may edit it too."""
    if article.status == "draft":
        return _is_author(user, article)
    if article.status in ("in_review", "published"):
        return _is_author(user, article) or is_expert(user, article.category_id)
    return is_expert(user, article.category_id)


@rule("article.submit")
def _submit_article(user, article):
    return article.status == "draft" and _is_author(user, article)


@rule("article.publish")
def _publish_article(user, obj):
    return is_expert(user, _category_id(obj))


@rule("article.review")
def _review_article(user, obj):
    return is_expert(user, _category_id(obj))


@rule("article.verify")
def _verify_article(user, obj):
    return is_expert(user, _category_id(obj))


@rule("article.archive")
def _archive_article(user, obj):
    return is_expert(user, _category_id(obj))


@rule("article.feedback")
def _give_feedback(user, article):
    """Readers rate published articles; authors do not rate their own."""
    return article.status == "published" and not _is_author(user, article)


@rule("article.flag")
def _flag_article(user, article):
    return article.status == "published"


@rule("article.see_feedback")
def _see_feedback(user, article):
    """The counts and comments are for the author and the category's experts."""
    return _is_author(user, article) or is_expert(user, article.category_id)


@rule("category.manage")
def _manage_categories(user, _obj):
    return user.has_role("lead")


@rule("kb.review_queue")
def _see_review_queue(user, _obj):
    """Leads, admins and anyone who is an expert of at least one category."""
    return expert_category_ids(user) != []
