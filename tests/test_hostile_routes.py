"""Every route of the URL map, as anonymous, agent and admin, under hostile input: never a 5xx.

The walker fills each rule's converters with rows of the demo (loaded once for the module) and
with ids no database column holds, sends hostile query strings to every route that reads, and
hostile bodies (forms and JSON) to every route that writes. All failures are collected and
reported in one assertion, as "METHOD path -> status", so one run shows everything to fix.
"""
import io
import json
import re
import struct
import zlib
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart
from wtforms import DateField, DecimalField, IntegerField

from accounts.models import User
from core.categories import Category
from core.forms import Form
from demo.loader import DEMO_PASSWORD, load_demo_data
from extensions import db
from kb.models import Article, ArticleFlag
from mentoring.mentorships.models import MentoringRequest, Mentorship
from mentoring.questions.models import Answer
from recognition.awards.models import BadgeDefinition, Title
from recognition.models import ImportBatch

OUT_OF_RANGE_IDS = (0, 2**31, 2**63, 10**30)
HUGE = str(10**30)
LONG_TEXT = "x" * 10_000
NUL, ZERO_WIDTH, RLO = "a\x00b", "\u200b\u200c\u200d\ufeff", "\u202egro.woh\u202c"
# One agent, one admin of the demo; paths that name a user name a third person, so a hostile
# edit cannot sign the walker out.
WALKERS = (None, "emma", "admin")
OTHER_USER = "nima"
SKIPPED_WHILE_SIGNED_IN = {"accounts.logout"}
# /readyz answers 503 "not_ready" by design when a check fails (here: the test schema, built by
# create_all, has no Alembic revision); any other 5xx from it is still a failure.
READINESS_PATH = "/readyz"
_PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")

# Arguments the views read as numbers; text arguments all pass the same check for NUL.
NUMBER_ARGS = ("page", "per_page", "days", "log", "a", "b", "article", "answer", "article_id",
               "answer_id")
HOSTILE_QUERIES = (
    "q=%00&category=a%00b",
    "q=%ED%A0%80&category=%ED%A0%80",  # a lone surrogate as UTF-8 would spell it
    "&".join("%s=%s" % (name, HUGE) for name in NUMBER_ARGS) + "&per_page=1000000000&key=article:" + HUGE,
    "&".join("%s=-1" % name for name in NUMBER_ARGS) + "&per_page=-5&key=article:2147483648",
    "&".join("%s=abc" % name for name in NUMBER_ARGS),
    "until=0001-01-01",
    "since=0001-01-01&until=0001-01-01",
    "since=9999-12-31&until=9999-12-31",
    "&".join("%s=%s" % (name, LONG_TEXT) for name in ("q", "title", "category", "tag", "to")),
)
# Form values by the kind of field they go to: (text, id, number, date).
HOSTILE_FORMS = (
    ("NUL, huge ids and numbers, year 9999", (NUL, HUGE, HUGE, "9999-12-31")),
    ("only zero-width, negative ids and numbers, year 1", (ZERO_WIDTH, "-1", "-1", "0001-01-01")),
    ("RLO, ids past 2**31-1, no numbers or dates", (RLO, "2147483648", "abc", "31/12/2026")),
)
JSON = "application/json"


def form_fields():
    """{name: kind} of every field of every form of the project: "text", "id", "number", "date"."""
    fields = {}
    pending = list(Form.__subclasses__())
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        for name in dir(form_class):
            field_class = getattr(getattr(form_class, name), "field_class", None)
            if field_class is None or name == "csrf_token":
                continue
            if issubclass(field_class, DateField):
                fields[name] = "date"
            elif issubclass(field_class, IntegerField | DecimalField):
                fields[name] = "number"
            else:
                fields.setdefault(name, "text")
    for name in fields:
        if name.endswith("_id") or name in ("id", "base_revision", "value"):
            fields[name] = "id"
    return fields


def hostile_bodies():
    """(description, keyword arguments of client.open) of every hostile body."""
    fields = form_fields() | {"id": "id", "value": "id", "next": "text", "reason": "text"}
    kinds = ("text", "id", "number", "date")
    # Encoded once: the test client would spend more time encoding them than the views reading.
    bodies = [("form: " + label, {"data": urlencode({name: values[kinds.index(kind)]
                                                     for name, kind in fields.items()}),
                                  "content_type": "application/x-www-form-urlencoded"})
              for label, values in HOSTILE_FORMS]
    json_names = sorted(set(fields) | {"username", "role", "message", "helpful", "ticket_id",
                                       "expires_at", "goal", "mentor", "mentee", "to"})
    surrogates = "{%s}" % ", ".join('"%s": "\\ud800"' % name for name in json_names)
    # A CSV upload (resolution data, users) whose name, header and cells hold NUL.
    upload = FileStorage(io.BytesIO(b"ticket_id,agent\x00,category\r\nT\x001,sa\x00ra,billing\r\n"),
                         filename="res\x00olutions.csv", content_type="text/csv")
    boundary, multipart = encode_multipart({"file": upload, "encoding": "utf-8", "username": NUL})
    images = [(label, {"data": body, "content_type": "multipart/form-data; boundary=" + mark})
              for label, (mark, body) in hostile_images()]
    return bodies + images + [
        ("CSV upload with NUL", {"data": multipart, "content_type": "multipart/form-data; boundary=" + boundary}),
        ("JSON lone surrogates", {"data": surrogates, "content_type": JSON}),
        ("JSON array", {"data": "[1, 2]", "content_type": JSON}),
        ("JSON huge ids", {"data": json.dumps({"article_id": 2**63, "answer_id": 10**30, "value": 2**63,
                                               "helpful": True, "title": 10**30}),
                           "content_type": JSON}),
        ("not JSON", {"data": "{title: nope", "content_type": JSON}),
        ("JSON nested deeply", {"data": "[" * 100_000 + "]" * 100_000, "content_type": JSON}),
    ]


def hostile_images():
    """(description, (boundary, multipart body)) of image uploads meant to hurt (the editor's
    /kb/images and the API's /api/v1/images read them; every other route ignores them)."""
    def png(width, height, data=b"\x00" * 16):
        def chunk(kind, body):
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(data)) + chunk(b"IEND", b""))

    whole = png(64, 64, b"".join(b"\x00" + b"\x7f" * 192 for _row in range(64)))
    files = (
        ("image upload: a decompression bomb (100000 × 100000 pixels)", png(100_000, 100_000), "bomb.png"),
        ("image upload: truncated", whole[:len(whole) // 2], "cut.png"),
        ("image upload: zero bytes", b"", "empty.png"),
        ("image upload: SVG with script", b"<svg onload='alert(1)'><script>alert(2)</script></svg>", "x.svg"),
        ("image upload: a header and nothing else", b"\x89PNG\r\n\x1a\n", "x.png"),
    )
    return [(label, encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name, content_type="image/png")}))
            for label, data, name in files]


@pytest.fixture(scope="module")
def demo(module_transaction, module_clock):
    """The demo (smaller resolution data) and the ids of one row of each kind a URL names."""
    app = module_transaction
    app.config["DEMO_CONTACTS"] = 200
    with app.app_context():
        load_demo_data()
        db.session.commit()
        first = {model: db.session.scalar(select(model.id).order_by(model.id).limit(1))
                 for model in (Article, ArticleFlag, Title, ImportBatch, Mentorship, MentoringRequest)}
        answer = db.session.scalars(select(Answer).order_by(Answer.id).limit(1)).first()
        badge = db.session.scalar(select(BadgeDefinition.slug).limit(1))
        category = db.session.scalar(select(Category.slug).limit(1))
        assert db.session.scalar(select(User.id).where(User.username == OTHER_USER))
    values = {
        "article_id": first[Article], "flag_id": first[ArticleFlag] or 1, "title_id": first[Title] or 1,
        "batch_id": first[ImportBatch] or 1, "mentorship_id": first[Mentorship] or 1,
        "request_id": first[MentoringRequest] or 1, "question_id": answer.question_id,
        "answer_id": answer.id, "number": 1, "username": OTHER_USER, "slug": badge, "category": category,
        "token": "no-such-upload", "filename": "css/app.css",
    }
    return app, values


def rules_of(app):
    """(rule, methods) of every rule of the URL map, the methods it allows but HEAD and OPTIONS."""
    return [(rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
            for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)]


def converters_of(rule):
    """{argument: converter name} of a rule, as its text spells them ("int", "path", "default")."""
    return {name: converter or "default" for converter, name in _PLACEHOLDER.findall(rule.rule)}


def build_path(rule, values, big_id=None):
    """The rule's path with its converters filled from `values` (`big_id` for the int ones)."""

    def fill(match):
        converter, name = match.group(1), match.group(2)
        if big_id is not None and converter == "int":
            return str(big_id)
        if name == "slug" and rule.endpoint.startswith("kb."):
            return values["category"] if "categor" in rule.endpoint else "some-title"
        return str(values.get(name, 1))

    return _PLACEHOLDER.sub(fill, rule.rule)


def walk(app, values, walker):
    """Send every hostile request as `walker` (a username, or None for anonymous); the failures."""
    client = app.test_client()
    if walker:
        response = client.post("/login", data={"username": walker, "password": DEMO_PASSWORD})
        assert response.status_code == 302, "the walker %s could not sign in" % walker
    bodies, failures = hostile_bodies(), []

    def send(method, path, **kwargs):
        """The response's status (a failure is recorded), and whether it sends to sign in."""
        try:
            response = client.open(path, method=method, **kwargs)
        except Exception as error:  # an error that escaped the error handlers is a 500 too
            failures.append("%s %s [%s] -> %s: %s" % (method, path[:100], walker or "anonymous",
                                                     type(error).__name__, str(error)[:80]))
            return False
        response.close()  # a static file's response holds the file open
        not_ready = (response.status_code == 503 and path.split("?")[0] == READINESS_PATH
                     and (response.get_json(silent=True) or {}).get("status") == "not_ready")
        if response.status_code >= 500 and not not_ready:
            failures.append("%s %s [%s] -> %d" % (method, path[:100], walker or "anonymous",
                                                 response.status_code))
        return response.status_code == 401 or (
            response.status_code == 302 and response.location.startswith("/login"))

    for rule, methods in rules_of(app):
        if walker and rule.endpoint in SKIPPED_WHILE_SIGNED_IN:
            continue
        has_ids = "int" in converters_of(rule).values()
        for method in methods:
            for big_id in OUT_OF_RANGE_IDS if has_ids else ():
                send(method, build_path(rule, values, big_id))
            path = build_path(rule, values)
            # Signed out, a route that sends to the sign-in page reads nothing else of the request.
            if send(method, path) and walker is None:
                continue
            if method == "GET":
                for query in HOSTILE_QUERIES:
                    send(method, path + "?" + query)
            else:
                for _label, body in bodies:
                    send(method, path, **body)
    return failures


@pytest.mark.parametrize("walker", WALKERS)
def test_no_route_answers_5xx_to_hostile_input(app, demo, walker):
    _app, values = demo
    failures = walk(app, values, walker)
    assert not failures, "%d hostile requests answered 5xx:\n%s" % (len(failures), "\n".join(failures))
