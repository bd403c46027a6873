"""Knowledge base: how-to articles, their revisions, review lifecycle, feedback and flags."""


def init_app(app):
    """Routes, permission rules and the daily job of the knowledge base, and the sink of article views."""
    from core import signals
    from core.read_buffer import COUNT, add_counts, register_sink
    from core.signals import followable_asked
    from kb import jobs as _jobs  # noqa: F401  (the daily review-due reminder)
    from kb import permissions  # noqa: F401  (the rules of article.* and category.*)
    from kb import saved_api as _saved_api  # noqa: F401  (its operations, on kb_api)
    from kb.api import kb_api
    from kb.api_images import upload_image as _upload_image  # noqa: F401  (POST /api/v1/images)
    from kb.models import Article
    from kb.search_source import ARTICLES
    from kb.services.articles import ARTICLE_VIEWS
    from kb.services.following import followable
    from kb.views import articles, categories, feedback, history, home, images, kb, lifecycle, review, saved  # noqa: F401
    from search.sources import register_source

    app.register_blueprint(kb)
    app.register_blueprint(kb_api)
    register_source(ARTICLES)
    followable_asked.connect(followable)
    signals.page_sections_asked.connect(home.page_sections)
    register_sink(app, ARTICLE_VIEWS, add_counts(Article.__table__.c.view_count), combine=COUNT)
