"""Recognition: resolution data, metrics, top performers, titles, badges and kudos."""


def init_app(app):
    """Routes, commands, permission rules and signal receivers of recognition."""
    from core import signals
    from recognition import permissions  # noqa: F401  (the rules of recognition.* and awards.*)
    from recognition.api import recognition_api
    from recognition.awards import cli as awards_cli
    from recognition.awards import jobs as _awards_jobs  # noqa: F401  (the daily jobs)
    from recognition.awards import services as awards
    from recognition.awards import views as _awards_views  # noqa: F401  (routes)
    from recognition.awards.api import awards_api
    from recognition.awards.profiles import profile_json
    from recognition.cli import import_resolutions_command, recompute_metrics_command
    from recognition.impact import views as impact_views
    from recognition.impact.api import impact_api
    from recognition.services.work import answer_work_categories
    from recognition.views import imports, performance, recognition, settings  # noqa: F401

    app.register_blueprint(recognition)
    app.register_blueprint(recognition_api)
    app.register_blueprint(awards_api)
    app.register_blueprint(impact_api)
    for command in (import_resolutions_command, recompute_metrics_command, *awards_cli.COMMANDS):
        app.cli.add_command(command)

    signals.article_published.connect(awards.award_for_published_article)
    signals.article_verified.connect(awards.award_for_verified_article)
    signals.feedback_given.connect(awards.award_for_helpful_feedback)
    signals.expertise_asked.connect(awards.answer_expertise)
    signals.profile_requested.connect(profile_json)
    signals.work_categories_asked.connect(answer_work_categories)
    signals.page_sections_asked.connect(_awards_views.page_sections)
    signals.page_sections_asked.connect(impact_views.page_sections)
    signals.database_initialised.connect(awards.create_default_badges)
