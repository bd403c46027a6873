"""Hostile Markdown and hostile bodies: size and nesting limits, the render cache, the image
hosts and the Content-Security-Policy that follows them, and 413 before anything is parsed."""
from html.parser import HTMLParser

import pytest

import core.markdown
import database
from accounts.models import User
from config import parse_image_hosts
from core.markdown import (
    MAX_NESTING_DEPTH,
    check_markdown,
    nesting_depth,
    render_markdown,
    restrict_images,
    sanitise_html,
)
from errors import Invalid
from extensions import db
from kb.models import Article
from tests.factories import make_user
from tests.factories_kb import HOWTO_BODY, make_article, make_category


class Tags(HTMLParser):
    """The start tags of an HTML fragment, as (name, attributes dict), and its text."""

    def __init__(self, fragment):
        super().__init__()
        self.tags, self.text = [], ""
        self.feed(str(fragment))

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data

    def named(self, name):
        return [attributes for tag, attributes in self.tags if tag == name]


@pytest.fixture
def people(ctx):
    make_user("agent")
    make_user("lead", role="lead")
    make_category("internet")
    db.session.commit()


# --- nesting ----------------------------------------------------------------------------------

HOSTILE_NESTS = {
    "100,000 nested quotes": ">" * 100_000 + " deep",
    "30,000 nested divs": "<div>" * 30_000 + "x" + "</div>" * 30_000,
    "30,000 unclosed divs": "<div>" * 30_000,
    "quotes and lists on one line": "> - " * 50 + "x",
    "300 indented list levels": "\n".join("    " * level + "- item" for level in range(300)),
}


@pytest.mark.parametrize("source", HOSTILE_NESTS.values(), ids=HOSTILE_NESTS.keys())
def test_deep_nest_is_measured_past_the_limit(source):
    assert nesting_depth(source) > MAX_NESTING_DEPTH


@pytest.mark.parametrize("source", HOSTILE_NESTS.values(), ids=HOSTILE_NESTS.keys())
def test_deep_nest_renders_as_flat_text(source, caplog):
    parsed = Tags(render_markdown(source))
    assert {tag for tag, _ in parsed.tags} <= {"p", "br"}
    assert "nested more than" in caplog.text


@pytest.mark.parametrize("source", HOSTILE_NESTS.values(), ids=HOSTILE_NESTS.keys())
def test_deep_nest_is_refused_with_a_field_message(source):
    with pytest.raises(Invalid, match="levels deep") as refused:
        check_markdown("body", source, 1_000_000)
    assert refused.value.field == "body"


@pytest.mark.parametrize("source", [
    "> quoted\n> > answer quoted\n> > > and again",
    "- one\n    - two\n        - three\n            - four",
    "1. step\n    1. sub-step\n\n```\n" + "        indented code\n" * 5 + "```",
    "<div><p>Hello <sup>2</sup></p></div>" * 500,
    "Use `<div>` and <br> freely. " * 200,
    "```html\n" + "<div>\n" * 200 + "```\n\nAfter the code.",
])
def test_ordinary_nesting_is_accepted_and_rendered(source):
    check_markdown("body", source, 1_000_000)
    assert nesting_depth(source) <= 5


def test_text_over_the_limit_is_refused_with_its_length():
    with pytest.raises(Invalid, match="1001 characters, at most 1000"):
        check_markdown("body", "x" * 1001, 1000)


# --- the render cache -------------------------------------------------------------------------

@pytest.fixture
def conversions(monkeypatch):
    """Records each real Markdown conversion, with the write intent it ran under."""
    core.markdown._render_cache.clear()
    seen = []
    convert = core.markdown._convert_markdown

    def recording(source):
        seen.append(database._write_intent.get())
        return convert(source)
    monkeypatch.setattr(core.markdown, "_convert_markdown", recording)
    yield seen
    core.markdown._render_cache.clear()


def test_same_text_is_converted_once(conversions):
    first = render_markdown("## Cached\n\n| a |\n|---|\n| 1 |")
    assert render_markdown("## Cached\n\n| a |\n|---|\n| 1 |") == first
    assert len(conversions) == 1


def test_text_too_costly_is_not_cached(conversions, monkeypatch):
    monkeypatch.setattr(core.markdown, "RENDER_CPU_BUDGET_SECONDS", 0.0)
    render_markdown("[" * 2_000)
    render_markdown("[" * 2_000)
    assert len(conversions) == 2  # the next attempt may find the machine less busy


def test_saving_an_article_renders_it_before_the_write_lock(client, auth, people, conversions):
    auth.login("agent")
    body = HOWTO_BODY + "\n| plan | cost |\n|---|---|\n| Pro | 12 |\r\n"
    response = client.post("/kb/new", data={
        "title": "Router lights", "summary": "", "category": "internet", "lang": "en",
        "tags": "", "body": body, "note": "", "save": "Save"})
    assert response.status_code == 302
    # One conversion, before the write transaction: the save and the index found it cached.
    assert conversions == [False]
    assert "<table>" in db.session.scalar(db.select(Article)).html


# --- the preview ------------------------------------------------------------------------------

def test_preview_of_a_deep_nest_answers_the_reason(client, auth, people):
    auth.login("agent")
    response = client.post("/kb/preview", data={"body": ">" * 100_000 + " deep"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "levels deep" in error["message"] and "body" in error["fields"]


def test_preview_of_an_over_long_body_answers_the_limit(app, client, auth, people):
    app.config["MAX_ARTICLE_CHARS"] = 5_000
    auth.login("agent")
    response = client.post("/kb/preview", data={"body": "x" * 5_001})
    assert response.status_code == 422
    assert "at most 5000" in response.get_json()["error"]["message"]


def test_preview_begins_without_the_write_lock(client, auth, people, conversions):
    auth.login("agent")
    response = client.post("/kb/preview", data={"body": "**fresh** text"})
    assert response.status_code == 200 and "<strong>fresh</strong>" in response.get_json()["html"]
    assert conversions == [False]


def test_preview_button_of_a_deep_nest_shows_the_error_on_the_form(client, auth, people):
    auth.login("agent")
    page = client.post("/kb/new", data={
        "title": "Deep", "category": "internet", "lang": "en", "body": "> " * 40 + "x",
        "preview": "Preview"}).get_data(as_text=True)
    assert "levels deep" in page


# --- images -----------------------------------------------------------------------------------

def test_tracking_pixel_from_another_host_becomes_a_link():
    parsed = Tags(render_markdown("Hi ![pixel](https://tracker.example/p.gif?u=7)"))
    assert parsed.named("img") == []
    assert parsed.named("a") == [{"href": "https://tracker.example/p.gif?u=7",
                                  "rel": "noopener noreferrer nofollow"}]
    assert parsed.text == "Hi pixel"


def test_image_without_alt_text_links_with_its_address():
    parsed = Tags(render_markdown('<img src="https://tracker.example/p.gif">'))
    assert parsed.text == "https://tracker.example/p.gif"


@pytest.mark.parametrize("source", [
    "![reset](/static/img/reset.png)", "![reset](img/reset.png)", "![reset](../files/reset.png)",
])
def test_own_images_stay_images(source):
    assert len(Tags(render_markdown(source)).named("img")) == 1


@pytest.mark.parametrize("src, kept", [
    ("https://img.example.com/a.png", True),
    ("http://img.example.com/a.png", True),
    ("https://IMG.example.com/a.png", True),
    ("https://img.example.com:8443/a.png", False),  # CSP lets only the default port through
    ("https://img.example.com.evil.test/a.png", False),
    ("https://evil.test/?img.example.com", False),
    ("https://a.cdn.example/x.png", True),
    ("https://cdn.example/x.png", False),  # "*.cdn.example" means its subdomains
    ("//img.example.com/a.png", True),
])
def test_listed_hosts_stay_images(app, src, kept):
    app.config["IMAGE_HOSTS"] = parse_image_hosts("img.example.com, *.cdn.example")
    with app.app_context():
        parsed = Tags(render_markdown(f"![chart]({src})"))
    assert bool(parsed.named("img")) is kept
    assert bool(parsed.named("a")) is not kept


def test_small_data_image_stays_an_image():
    pixel = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
             "AAAABJRU5ErkJggg==")
    source = f"![dot](data:image/png;base64,{pixel})"
    images = Tags(render_markdown(source)).named("img")
    assert images and images[0]["src"].startswith("data:image/png;base64,")


def test_huge_data_image_is_dropped_keeping_its_alt_text():
    source = "See ![the form](data:image/png;base64," + "A" * 200_000 + ")"
    parsed = Tags(render_markdown(source))
    assert parsed.named("img") == [] and parsed.named("a") == []
    assert parsed.text == "See the form"


@pytest.mark.parametrize("source", [
    "[open](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:image/png;base64,AAAA">open</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" alt="svg">',
    '<img src="data:text/html,<script>alert(1)</script>" alt="x">',
])
def test_data_urls_other_than_small_raster_images_are_removed(source):
    assert "data:" not in str(render_markdown(source))


def test_alt_text_of_a_refused_image_cannot_inject_markup():
    rendered = str(render_markdown('<img src="https://t.example/p.gif" alt="<script>x()</script>">'))
    assert "<script" not in rendered
    assert Tags(rendered).text == "<script>x()</script>"


def test_sanitise_html_takes_explicit_hosts():
    fragment = '<img src="https://img.example.com/a.png" alt="a">'
    assert "<img" in sanitise_html(fragment, image_hosts=("img.example.com",))
    assert "<img" not in sanitise_html(fragment, image_hosts=("other.example",))


def test_images_saved_before_a_host_was_dropped_become_links(app, people):
    app.config["IMAGE_HOSTS"] = ("img.example.com",)
    with app.app_context():
        author = db.session.scalar(db.select(User).where(User.username == "agent"))
        article = make_article(author, body="![chart](https://img.example.com/c.png)\n")
        assert "<img" in article.html
        app.config["IMAGE_HOSTS"] = ()
        assert "<img" not in article.html and "https://img.example.com/c.png" in article.html


def test_restrict_images_leaves_html_without_images_alone():
    assert restrict_images("<p>plain</p>") == "<p>plain</p>"


def test_content_security_policy_lets_only_own_and_data_images_by_default(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy
    assert "https:" not in policy


def test_content_security_policy_follows_the_image_hosts(app, client):
    app.config["IMAGE_HOSTS"] = ("img.example.com", "*.cdn.example")
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: img.example.com *.cdn.example;" in policy


@pytest.mark.parametrize("value", ["https://img.example.com", "img.example.com/path",
                                   "img.example.com; script-src *", "'unsafe-inline'", "a b"])
def test_image_hosts_setting_refuses_what_is_not_a_host(value):
    with pytest.raises(ValueError, match="KNOWHOW_IMAGE_HOSTS"):
        parse_image_hosts(value)


# --- request bodies ---------------------------------------------------------------------------

THREE_MB = "x" * (3 * 1024 * 1024)


@pytest.mark.parametrize("path", ["/login", "/recognition/kudos/new", "/questions/ask", "/admin/users/new"])
def test_large_form_is_refused_before_it_is_read(client, path):
    response = client.post(path, data={"message": THREE_MB, "body": THREE_MB})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "xxxxxxxx" not in page and len(page) < 50_000


def test_large_form_is_413_even_with_csrf_checks_on(csrf_app):
    response = csrf_app.test_client().post("/recognition/kudos/new", data={"message": THREE_MB})
    assert response.status_code == 413  # not the CSRF check's 400: it never parses the form


def test_large_api_body_is_413_json(client):
    response = client.post("/api/v1/kudos", json={"to": "agent", "message": THREE_MB})
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "too_large" and "1024 KB" in error["message"]


def test_request_limit_follows_the_setting(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 10 * 1024
    response = client.post("/login", data={"username": "x" * 20_000, "password": "p"})
    assert response.status_code == 413 and "at most 10 KB" in response.get_data(as_text=True)


def test_csv_upload_pages_accept_large_files(client, auth, people):
    auth.login("lead")
    csv = b"ticket_id,agent\r\n" + b"T1,agent\r\n" * 300_000  # 3 MB
    # Encoded here: the test client would spool a body this large to a file it never closes.
    body = (b"--limit\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\n" + csv + b"\r\n--limit--\r\n")
    response = client.post("/recognition/imports/new", data=body,
                           content_type="multipart/form-data; boundary=limit")
    assert response.status_code == 302  # saved, on to its preview


@pytest.mark.parametrize("body", [">" * 1_000 + " deep", "<div>" * 1_000])
def test_question_and_answer_bodies_refuse_deep_nests(body):
    from mentoring.questions.services.asking import clean_body
    with pytest.raises(Invalid, match="levels deep"):
        clean_body(body)


def test_ten_megabyte_api_body_is_413_without_reading_it(client):
    response = client.post("/api/v1/users", json={"username": "x", "password": "x" * (10 * 1024 * 1024)})
    assert response.status_code == 413
    assert "xxxx" not in response.get_data(as_text=True)
