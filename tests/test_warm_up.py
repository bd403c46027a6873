"""The warm-up (app.warm_up): what a first request would load is loaded as the app starts."""
from app import warm_up
from extensions import db


def compiled_templates(app):
    return {key[1] for key in app.jinja_env.cache.keys()} if app.jinja_env.cache is not None else set()


def test_the_warm_up_compiles_every_template_and_configures_the_mappers(app):
    app.jinja_env.cache.clear()
    warm_up(app)
    every = set(app.jinja_env.list_templates(extensions=("html", "txt")))
    assert {"base.html", "accounts/login.html", "kb/read.html", "questions/question.html"} <= every
    assert every <= compiled_templates(app)
    assert not db.Model.registry._new_mappers  # nothing left for a first query to configure


def test_gunicorns_master_warms_up_before_forking_and_its_workers_do_not_again():
    with open("gunicorn.conf.py", encoding="utf-8") as settings:
        text = settings.read()
    when_ready = text.split("def when_ready", 1)[1].split("\ndef ", 1)[0]
    assert "warm_up(app)" in when_ready
    assert '"KNOWHOW_WARM_UP=0"' in text
