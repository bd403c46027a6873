"""Processes for tests/test_search_outbox.py: writers changing articles, appliers of the outbox.

Run as `python -m tests.outbox_processes MODE SETTINGS_JSON`. Each process builds an application
on the test's database and search index (SETTINGS_JSON: database url, engine options, search
dir, instance path, user ids). Modes:
- "write N SEED": N random changes (publish, retitle, archive, republish), each committed (one
  the database refuses, as a deadlock between two writers, is rolled back, outbox rows with it);
- "apply": apply the outbox until it is empty, again and again, until killed;
- "die-after-index-write": apply one batch and die after the index is written, before its rows
  are deleted;
- "die-while-reading": die while reading the documents, with the index writer held.
"""
import json
import os
import random
import sys
import time

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from accounts.models import User
from extensions import db
from kb import services
from kb.models import Article
from kb.services.lifecycle import change_status
from search import outbox
from search.index import current_search
from search.outbox import apply_batch, apply_outbox
from tests.conftest import make_app

CATEGORIES = ("billing", "internet")


def _die(*_args, **_kwargs):
    os._exit(9)


def _write(app, settings, count, seed):
    rng = random.Random(seed)
    with app.app_context():
        author, lead = db.session.get(User, settings["agent"]), db.session.get(User, settings["lead"])
        for number in range(count):
            try:
                _change(rng, author, lead, seed, number)
                db.session.commit()
            except OperationalError as error:  # two writers on one article: a deadlock or a busy lock
                db.session.rollback()  # the change and its outbox rows are gone together
                print("change %d rolled back: %s" % (number, error.orig), file=sys.stderr)


def _change(rng, author, lead, seed, number):
    ids = db.session.scalars(select(Article.id).order_by(Article.id)).all()
    action = rng.choice(("publish", "publish", "retitle", "archive", "republish")) if ids else "publish"
    if action == "publish":
        article = services.create_article(author, "Writer %d note %d" % (seed, number), "Some steps.",
                                          rng.choice(CATEGORIES))
        services.submit_for_review(article, author)
        services.publish_article(article, lead)
        return
    article = db.session.get(Article, rng.choice(ids))
    if action == "retitle" and article.status == "published":
        services.update_article(article, lead, title="Retitled %d by %d" % (number, seed))
    elif action == "archive" and article.status == "published":
        services.archive_article(article, lead)
    elif action == "republish" and article.status == "archived":
        change_status(article, lead, "published")


def _apply_forever(app):
    with app.app_context():
        search = current_search()
        while True:
            try:
                apply_outbox(search)
            except Exception:  # busy index, rebuild, locked database: try again, as the consumer does
                pass
            time.sleep(0.01)


def _apply_once(app):
    with app.app_context():
        search = current_search()
        with search.applying():
            apply_batch(search)


def main():
    mode, settings = sys.argv[1], json.loads(sys.argv[2])
    app = make_app(settings["instance"], settings["url"], settings["options"], SEARCH_DIR=settings["search_dir"],
                   JOBS_IMMEDIATE=settings.get("immediate", False))
    if mode == "write":
        _write(app, settings, int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "apply":
        _apply_forever(app)
    elif mode == "die-after-index-write":
        outbox._forget = _die
        _apply_once(app)
    elif mode == "die-while-reading":
        outbox.load_documents = _die
        _apply_once(app)
    else:
        raise SystemExit("unknown mode %r" % mode)


if __name__ == "__main__":
    main()
