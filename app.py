"""Application factory: `flask --app app` and gunicorn "app:create_app()" both start here."""
import os
import threading
from datetime import date

from flask import Flask, request
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from config import RTL_LANGUAGES, check_production_config, check_sign_in_config, load_config


def create_app(config=None):
    """Create and configure a Knowhow application.

    :param config: mapping of settings that override defaults and the environment (tests).
    """
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get(
        "KNOWHOW_INSTANCE_PATH", os.path.join(os.path.dirname(os.path.abspath(__file__)), "instance")
    )
    app = Flask(__name__, instance_path=os.path.abspath(instance_path))
    app.config.from_mapping(load_config(app.instance_path, config))
    check_production_config(app.config)
    check_sign_in_config(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    _trust_proxies(app)

    from core.boundary import IdConverter, StorableJSONProvider
    app.url_map.converters["int"] = IdConverter  # before any route: ids a database row can have
    app.json = StorableJSONProvider(app)
    _init_extensions(app)
    _init_domains(app)
    _register_request_hooks(app)

    from errors import register_error_handlers
    register_error_handlers(app)
    if not app.testing and app.config["WARM_UP"]:
        threading.Thread(target=warm_up, args=(app,), name="warm-up", daemon=True).start()
    return app


def warm_up(app):
    """Load now what the first requests would otherwise load, each its own second or more on a
    busy machine: the mappers' configuration, every template compiled, each language's catalog
    and locale data. gunicorn's master calls it before forking (gunicorn.conf.py), so that every
    worker starts warm; a single process (`make run`) does it in a thread as it starts."""
    from babel import Locale
    from flask_babel import force_locale, gettext
    from sqlalchemy.orm import configure_mappers

    from core.locale_format import format_date, format_percent

    with app.app_context():
        configure_mappers()
    for name in app.jinja_env.list_templates(extensions=("html", "txt")):
        app.jinja_env.get_template(name)
    with app.test_request_context():
        for language in app.config["LANGUAGES"]:
            Locale.parse(language)
            with force_locale(language):
                gettext("Home")
                format_date(date(2026, 1, 1), "long")
                format_percent(0.5)


def _trust_proxies(app):
    """The client's address from X-Forwarded-For, through as many proxies as are trusted (none by
    default: anyone can forge that header, and sign-in limits are kept per address)."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _init_extensions(app):
    from accounts.locale import select_locale
    from database import init_database
    from extensions import babel, csrf, db, limiter, login_manager, migrate
    from jobs import jobs

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=os.path.join(os.path.dirname(__file__), "translations"))
    limiter.init_app(app)
    init_database(app)
    jobs.init_app(app)


def _init_domains(app):
    """Each layer in order, bottom to top: its routes, commands, rules and signal receivers."""
    import accounts
    import core
    import demo
    import kb
    import mentoring
    import recognition
    import search

    for domain in (core, accounts, search, kb, recognition, mentoring, demo):
        domain.init_app(app)


def _register_request_hooks(app):
    from core.boundary import refuse_unstorable_arguments
    from core.views import local_draft_key, saved_local_drafts
    from database import may_write, set_write_intent
    from security import limit_request_body, protect_against_csrf, set_security_headers

    @app.before_request
    def _before_request():
        # GET requests read; a deferred BEGIN lets them run beside a writer (database.py).
        view = app.view_functions.get(request.endpoint)
        set_write_intent(may_write(request.method, view))
        limit_request_body(view)
        protect_against_csrf()
        refuse_unstorable_arguments()

    app.after_request(set_security_headers)
    # Editors keep a local copy of what is typed (static/js/drafts.js); see core/views.py.
    app.add_template_global(local_draft_key)
    app.add_template_global(saved_local_drafts)

    @app.template_global()
    def endpoint_exists(endpoint):
        """Lets the layout link to pages of domains that may not be installed yet."""
        return endpoint in app.view_functions

    @app.context_processor
    def _layout_context():
        locale = str(get_locale() or "en")
        return {
            "current_locale": locale,
            "text_direction": "rtl" if locale in RTL_LANGUAGES else "ltr",
            "languages": app.config["LANGUAGES"],
        }
