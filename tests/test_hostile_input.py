"""Hostile input at the boundary, rule by rule: form text is cleaned, ids past the database's
integer range are 404, query strings with NUL or broken UTF-8 are 400, pages and dates are in
range, CSV cells with control characters are rejected with their row, the CLI refuses NUL."""
import io

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from accounts import services as accounts
from core.forms import Form
from core.text import UNSTORABLE_MESSAGE
from extensions import db
from kb.forms import ArticleForm
from kb.models import Article
from recognition.models import ImportBatch, ImportRowError, ResolutionRecord
from recognition.reader import read_resolutions
from tests.factories import make_user
from tests.factories_kb import HOWTO_BODY, make_article
from tests.factories_kb import make_category as make_kb_category
from tests.factories_recognition import csv_text, row


@pytest.fixture
def writer(app, client, auth):
    """An agent signed in, with a category to write in."""
    with app.app_context():
        make_user("agent")
        make_kb_category("internet")
    auth.login("agent")
    return client


def article_form(**fields):
    return {"title": "Modem DSL light blinking", "summary": "", "category": "internet", "lang": "en",
            "tags": "modem", "body": HOWTO_BODY, "note": "", "save": "Save", **fields}


def stored_articles(app):
    with app.app_context():
        return [(article.title, article.body, [tag.name for tag in article.tags])
                for article in db.session.scalars(select(Article))]


def test_every_form_of_the_project_cleans_its_text(app):
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    project_forms = [form for form in subclasses(FlaskForm) if form.__module__.split(".")[0] != "tests"]
    assert len(project_forms) > 30
    assert [form.__qualname__ for form in project_forms if not issubclass(form, Form)] == []


# --- forms ---------------------------------------------------------------------------------

def test_title_of_only_invisible_characters_is_required(app, writer):
    response = writer.post("/kb/new", data=article_form(title="\u200b\u200c\ufeff\u2060 "))
    assert response.status_code == 200
    assert "Enter a title." in response.get_data(as_text=True)
    assert stored_articles(app) == []


def test_right_to_left_override_is_removed_from_one_line_fields(app, writer):
    response = writer.post("/kb/new", data=article_form(title="Invoice \u202efdp.exe\u202c fix",
                                                        tags="\u202ebilling"))
    assert response.status_code == 302
    assert stored_articles(app) == [("Invoice fdp.exe fix", HOWTO_BODY, ["billing"])]


def test_nul_and_controls_are_removed_from_text_but_newlines_stay(app, writer):
    body = HOWTO_BODY + "\r\nStep\x00 two\x07\ttabbed\n"
    response = writer.post("/kb/new", data=article_form(title="Modem\x00 reset", body=body))
    assert response.status_code == 302
    [(title, stored_body, _tags)] = stored_articles(app)
    assert title == "Modem reset"
    assert stored_body.endswith("\nStep two\ttabbed\n") and "\r" not in stored_body


def test_lone_surrogate_in_a_json_form_body_is_refused_and_stores_nothing(app, writer):
    response = writer.post("/kb/new", data='{"title": "Modem \\ud800", "body": "x", "save": "Save"}',
                           content_type="application/json")
    assert response.status_code == 400
    assert "lone surrogate" in response.get_data(as_text=True)
    assert stored_articles(app) == []


def test_a_lone_surrogate_reaching_a_form_is_a_field_error_and_leaves_the_field_empty(app):
    with app.test_request_context("/kb/new", method="POST"):
        form = ArticleForm(formdata=MultiDict({"title": "Modem \ud800", "body": "Steps"}))
        assert not form.validate()
        assert form.title.errors == [str(UNSTORABLE_MESSAGE)] and form.title.data is None
        assert form.body.data == "Steps"
        assert "\ud800" not in str(form.title)  # the form shown again can be encoded


def test_a_page_form_posted_as_a_json_array_is_a_400(app, writer):
    response = writer.post("/kb/new", data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert stored_articles(app) == []


def test_a_page_form_posted_as_a_json_object_is_read_like_a_form(app, writer):
    response = writer.post("/kb/new", json=article_form(title="Router \u202ereset", tags=["a", "b"]))
    assert response.status_code == 302
    assert [title for title, _body, _tags in stored_articles(app)] == ["Router reset"]


def test_form_fields_read_without_a_form_are_cleaned_too(app, writer):
    with app.app_context():
        article = make_article(accounts.get_user("agent"))
        article_id = article.id
    response = writer.post("/kb/preview", data={"body": "**bold**\x00 text"})
    assert response.status_code == 200 and "\x00" not in response.get_json()["html"]
    response = writer.post("/notifications/read", data={"id": str(2**31)})
    assert response.status_code == 404
    assert writer.get("/kb/%d" % article_id).status_code == 200


# --- ids -------------------------------------------------------------------------------------

@pytest.mark.parametrize("article_id", [0, 2**31, 2**63, 10**30])
def test_ids_outside_the_database_range_are_404_on_pages_and_api(app, writer, article_id):
    assert writer.get("/kb/%d" % article_id).status_code == 404
    assert writer.get("/kb/%d/history" % article_id).status_code == 404
    response = writer.get("/api/v1/articles/%d" % article_id)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_the_largest_id_a_column_holds_still_reaches_the_view(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/kb/2147483647") == ("kb.read", {"article_id": 2**31 - 1})
    assert adapter.test("/kb/2147483648") is False and adapter.test("/kb/0") is False


def test_ids_in_query_strings_and_hidden_fields_past_the_range_find_nothing(app, writer):
    with app.app_context():
        make_user("sara")
    assert writer.get("/search/open?key=article:%d&log=%d" % (2**31, 10**30)).status_code == 404
    response = writer.post("/recognition/kudos/new", data={"to": "sara", "message": "Thanks!",
                                                          "article_id": str(2**31)})
    assert response.status_code == 200
    assert "No article with id 2147483648." in response.get_data(as_text=True)


# --- query strings -----------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["q=%00", "tag=a%00b", "q=%ED%A0%80", "%ED%A0%80=1", "q=%FF"])
def test_query_strings_no_database_can_store_are_a_400_with_a_message(writer, query):
    response = writer.get("/kb/?" + query)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page and ("NUL" in page or "UTF-8" in page)


def test_the_api_refuses_them_in_its_json_shape(writer):
    response = writer.get("/api/v1/search?q=router%00")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and "NUL" in error["fields"]["q"]


def test_a_nul_in_a_path_value_is_a_400(writer):
    assert writer.get("/people/agent%00x").status_code == 400


def test_a_json_body_with_a_lone_surrogate_is_a_400_naming_the_member(writer):
    response = writer.post("/api/v1/questions", data='{"title": "Why \\udc00?", "body": "b"}',
                           content_type="application/json")
    assert response.status_code == 400
    assert "lone surrogate" in response.get_json()["error"]["fields"]["title"]


def test_json_nested_too_deeply_to_read_is_a_400(writer):
    response = writer.post("/api/v1/questions", data="[" * 100_000 + "]" * 100_000,
                           content_type="application/json")
    assert response.status_code == 400


# --- pages and dates ---------------------------------------------------------------------------

@pytest.mark.parametrize("page", [str(10**30), "10001", "0", "-1", "abc", "1.5"])
def test_page_numbers_out_of_range_are_a_400_with_the_range(writer, page):
    response = writer.get("/kb/?page=" + page)
    assert response.status_code == 400
    assert "page must be a whole number from 1 to 10000." in response.get_data(as_text=True)


def test_a_page_number_in_range_is_served(writer):
    assert writer.get("/kb/?page=3").status_code == 200


@pytest.mark.parametrize("query", ["until=0001-01-01", "since=0001-01-01&until=0001-01-01",
                                   "since=9999-12-31&until=9999-12-31", "since=1969-12-31"])
def test_dates_outside_1970_to_2100_fall_back_with_a_message_on_pages(app, client, auth, query):
    with app.app_context():
        make_user("lead", role="lead")
    auth.login("lead")
    response = client.get("/recognition/?" + query)
    assert response.status_code == 200
    assert "must be a date from 1970-01-01 to 2100-12-31." in response.get_data(as_text=True)


def test_dates_outside_the_range_are_refused_by_the_api(app, client):
    with app.app_context():
        lead = make_user("lead", role="lead")
        token = accounts.issue_api_token(lead)
        make_kb_category("billing")
        db.session.commit()
    response = client.get("/api/v1/performers?category=billing&until=0001-01-01",
                          headers={"Authorization": "Bearer " + token})
    assert response.status_code == 400  # a query-string member: the API's rule for those
    assert "until" in response.get_json()["error"]["fields"]


# --- CSV ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, index", [("ticket_id", 0), ("agent", 1), ("category", 2)])
def test_a_control_character_in_a_csv_text_cell_rejects_the_row_with_its_column(field, index):
    cells = list(row("T2"))
    cells[index] = cells[index][:2] + "\x00" + cells[index][2:]
    reader = read_resolutions(io.BytesIO(csv_text([row("T1"), cells]).encode()), encoding="utf-8")
    good, error = list(reader.rows())
    assert good.values["ticket_id"] == "T1"
    assert (error.row_number, error.field) == (3, field)
    assert "control character" in str(error.message) and "\x00" not in error.value


def test_a_persian_name_with_a_zero_width_non_joiner_is_not_a_control_character():
    cells = list(row("T1", category="می\u200cروم"))
    [parsed] = list(read_resolutions(io.BytesIO(csv_text([cells]).encode())).rows())
    assert parsed.values["category"] == "می\u200cروم"


def test_an_import_with_nul_in_cells_and_header_stores_the_report_without_them(app, runner, tmp_path):
    with app.app_context():
        make_user("sara")
        make_kb_category("billing")
    header = ("ticket_id", "agent", "category", "opened_at", "handle_seconds",
              "first_contact_resolution", "no\x00te")
    rows = [row("T1")[:6] + ("x",), row("T\x002")[:6] + ("y",), row("T3", handle_seconds="3\x000")[:6] + ("z",)]
    path = tmp_path / "nul.csv"
    path.write_bytes(csv_text(rows, header=header).encode())
    result = runner.invoke(args=["import-resolutions", str(path), "--encoding", "utf-8"])
    assert result.exit_code == 2, result.output
    assert "1 imported" in result.stdout and "2 rejected" in result.stdout
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResolutionRecord)) == 1
        reported = db.session.execute(select(ImportRowError.row_number, ImportRowError.column,
                                             ImportRowError.value).order_by(ImportRowError.row_number)).all()
    assert [(number, column) for number, column, _value in reported] == [(3, "ticket_id"), (4, "handle_seconds")]
    assert all("\x00" not in value for _number, _column, value in reported)


# --- CLI ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["create-user", "ab\x00c"],
    ["create-user", "ab\udcffc"],  # bytes that are not UTF-8, as Python hands argv over
    ["create-user", "nadia", "--name", "N\x00"],
    ["create-user", "nadia", "--team", "\udce9quipe"],
    ["api-token", "ghost\x00"],
    ["import-resolutions", "some.csv", "--encoding", "utf\x00-8"],
])
def test_cli_arguments_no_database_can_store_are_a_usage_error(app, runner, args):
    result = runner.invoke(args=args, input="s3cret-pass\n")
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.output and ("NUL" in result.output or "surrogate" in result.output)
    assert "Traceback" not in result.output
    with app.app_context():
        assert accounts.get_user("nadia") is None


def test_cli_text_is_cleaned_like_a_form_field(app, runner):
    result = runner.invoke(args=["create-user", "nadia", "--name", "Nadia \u202eN\u202c"],
                           input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert accounts.get_user("nadia").display_name == "Nadia N"


def test_a_password_on_stdin_that_is_not_utf8_is_refused(app, runner):
    result = runner.invoke(args=["create-user", "nadia"], input=b"s3cret\xffpass\n")
    assert result.exit_code == 1 and "not UTF-8" in result.output
    with app.app_context():
        assert accounts.get_user("nadia") is None


def test_an_uploaded_file_name_with_nul_is_kept_without_it(app, client):
    with app.app_context():
        lead = make_user("lead", role="lead")
        token = accounts.issue_api_token(lead)
        make_user("sara")
        make_kb_category("billing")
        db.session.commit()
    upload = (io.BytesIO(csv_text([row("T1")]).encode()), "march\x00.csv")
    response = client.post("/api/v1/resolutions/import", data={"file": upload},
                           headers={"Authorization": "Bearer " + token})
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        assert db.session.scalar(select(ImportBatch.filename)) == "march.csv"


def test_a_file_name_that_is_not_utf8_is_kept_with_replacement_characters(app, runner, tmp_path):
    with app.app_context():
        make_user("sara")
        make_kb_category("billing")
    path = tmp_path / "mars-\udce9.csv"  # "mars-é.csv" written in Latin-1, as argv hands it over
    path.write_bytes(csv_text([row("T1")]).encode())
    result = runner.invoke(args=["import-resolutions", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(ImportBatch.filename)) == "mars-\ufffd.csv"
