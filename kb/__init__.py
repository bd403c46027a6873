"""Knowledge base: how-to articles, their revisions, review lifecycle, feedback and flags."""


def init_app(app):
    """Routes and permission rules of the knowledge base."""
    from kb import permissions  # noqa: F401  (the rules of article.* and category.*)
    from kb.api import kb_api
    from kb.search_source import ARTICLES
    from kb.views import articles, categories, feedback, history, kb, lifecycle, review  # noqa: F401
    from search.sources import register_source

    app.register_blueprint(kb)
    app.register_blueprint(kb_api)
    register_source(ARTICLES)
