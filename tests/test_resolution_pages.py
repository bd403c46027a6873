"""Resolution-data pages and the import API: flows, permissions and safe CSV exports."""
import csv
import io
import os

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from accounts import services as accounts
from accounts.models import AuditEntry
from extensions import db
from recognition.exports import safe_cell
from recognition.models import ImportBatch, ResolutionRecord
from recognition.services import load_ranking_settings
from tests.factories import bearer, make_token, make_user
from tests.factories_recognition import csv_text, days_ago, make_category, planted_rows, row

# Values that survive as cell text (leading tabs and CRs are trimmed on import and in names).
FORMULAS = ("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)")


@pytest.fixture
def site(app):
    """A lead (team Tehran) with agents sara (Tehran) and omid (Dubai); recent billing contacts."""
    with app.app_context():
        lead = make_user("leila", role="lead", team="Tehran")
        accounts.save_team("Tehran", "leila")
        make_user("sara", team="Tehran", display_name="Sara Karimi")
        make_user("omid", team="Dubai")
        make_category("billing")
        tokens = {"lead": make_token(lead), "agent": make_token(accounts.get_user("sara"))}
        db.session.commit()
    return tokens


def import_recent(client, tokens, rows):
    data = {"file": (io.BytesIO(csv_text(rows).encode()), "recent.csv")}
    return client.post("/api/v1/resolutions/import", data=data, headers=bearer(tokens["lead"]),
                       content_type="multipart/form-data")


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# API import

def test_api_import_returns_the_batch_summary(app, client, site):
    response = import_recent(client, site, [row("T1"), row("T2", agent="ghost")])
    body = response.get_json()
    assert response.status_code == 201
    assert (body["rows_total"], body["rows_imported"], body["rows_rejected"]) == (2, 1, 1)
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "agent"
    assert count(app, ResolutionRecord) == 1


def test_api_dry_run_stores_nothing(app, client, site):
    data = {"file": (io.BytesIO(csv_text([row("T1")]).encode()), "a.csv"), "dry_run": "true"}
    response = client.post("/api/v1/resolutions/import", data=data, headers=bearer(site["lead"]),
                           content_type="multipart/form-data")
    assert response.status_code == 200 and response.get_json()["rows_imported"] == 1
    assert count(app, ResolutionRecord) == 0


def test_api_import_refuses_an_unreadable_file_and_keeps_the_failed_batch(app, client, site):
    data = {"file": (io.BytesIO(b"ticket_id,agent\r\n\xff\xfe,x\r\n"), "bad.csv")}
    response = client.post("/api/v1/resolutions/import", data=data, headers=bearer(site["lead"]),
                           content_type="multipart/form-data")
    error = response.get_json()["error"]
    assert response.status_code == 422 and "file" in error["fields"]
    assert count(app, ImportBatch) == 1 and count(app, ResolutionRecord) == 0


def test_api_import_without_a_file_is_422(client, site):
    response = client.post("/api/v1/resolutions/import", data={}, headers=bearer(site["lead"]),
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.get_json()["error"]["fields"]


def test_api_import_with_an_empty_dry_run_flag_imports(app, client, site):
    data = {"file": (io.BytesIO(csv_text([row("T1")]).encode()), "a.csv"), "dry_run": ""}
    response = client.post("/api/v1/resolutions/import", data=data, headers=bearer(site["lead"]),
                           content_type="multipart/form-data")
    assert response.status_code == 201 and response.get_json()["dry_run"] is False
    assert count(app, ResolutionRecord) == 1


@pytest.mark.parametrize("data, content_type, field", [
    ({"file": "ticket_id,agent\r\nT1,sara\r\n"}, "multipart/form-data", "file"),
    ({"file": (io.BytesIO(b"ticket_id\r\n"), "")}, "multipart/form-data", "file"),
    ({"file": (io.BytesIO(b"ticket_id\r\n"), "a.csv"), "dry_run": "maybe"}, "multipart/form-data", "dry_run"),
    ({"file": (io.BytesIO(b"ticket_id\r\n"), "a.csv"), "dryrun": "true"}, "multipart/form-data", "dryrun"),
    ('{"file": "ticket_id,agent"}', "application/json", "file"),
    ("ticket_id,agent\r\nT1,sara\r\n", "text/csv", "file"),
])
def test_api_import_refuses_a_body_that_is_not_the_form_and_writes_nothing(app, client, site, data,
                                                                             content_type, field):
    response = client.post("/api/v1/resolutions/import", data=data, headers=bearer(site["lead"]),
                           content_type=content_type)
    error = response.get_json()["error"]
    assert response.status_code == 422 and field in error["fields"] and error["message"]
    assert count(app, ImportBatch) == 0 and count(app, ResolutionRecord) == 0


def test_api_import_over_the_upload_limit_is_413_without_reading_it(app, client, site, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1024 * 1024)
    # Encoded here: the test client would spool a body this large to a file it never closes.
    big = FileStorage(io.BytesIO(b"ticket_id,agent\r\n" + b"x" * 1024 * 1024), filename="big.csv")
    boundary, body = encode_multipart({"file": big})
    response = client.post("/api/v1/resolutions/import", data=body, headers=bearer(site["lead"]),
                           content_type="multipart/form-data; boundary=" + boundary)
    error = response.get_json()["error"]
    assert response.status_code == 413 and error["code"] == "too_large" and "1 MB" in error["message"]
    assert "xxxx" not in response.get_data(as_text=True)
    assert count(app, ImportBatch) == 0


def test_api_import_is_documented_as_a_multipart_upload(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/resolutions/import"]["post"]
    [(media_type, body)] = operation["requestBody"]["content"].items()
    form = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"][body["schema"]["$ref"].split("/")[-1]]
    assert media_type == "multipart/form-data"
    assert form["properties"]["file"]["format"] == "binary" and form["required"] == ["file"]
    assert {"200", "201", "413", "422"} <= set(operation["responses"])


def test_api_import_is_for_leads_only(client, site):
    data = {"file": (io.BytesIO(csv_text([row("T1")]).encode()), "a.csv")}
    assert client.post("/api/v1/resolutions/import", data=data, content_type="multipart/form-data"
                       ).status_code == 401
    data = {"file": (io.BytesIO(csv_text([row("T1")]).encode()), "a.csv")}
    response = client.post("/api/v1/resolutions/import", data=data, headers=bearer(site["agent"]),
                           content_type="multipart/form-data")
    assert response.status_code == 403


# The web import: upload, preview, dry run, import

def test_upload_preview_dry_run_then_import(app, client, auth, site):
    auth.login("leila")
    data = {"file": (io.BytesIO(csv_text([row("T1"), row("T2", nps="11")], delimiter=";").encode()),
                     "march.csv")}
    uploaded = client.post("/recognition/imports/new", data=data, content_type="multipart/form-data")
    assert uploaded.status_code == 302
    preview_url = uploaded.headers["Location"]
    preview = client.get(preview_url).get_data(as_text=True)
    assert "march.csv" in preview and "utf-8" in preview and "semicolon" in preview
    assert "NPS must be from 0 to 10" in preview

    dry = client.post(preview_url, data={"action": "dry_run"})
    assert dry.status_code == 302 and count(app, ResolutionRecord) == 0
    batch_page = client.get(dry.headers["Location"]).get_data(as_text=True)
    assert "Import this file now" in batch_page and "NPS must be from 0 to 10" in batch_page

    done = client.post(preview_url, data={"action": "import"})
    assert done.status_code == 302 and count(app, ResolutionRecord) == 1
    assert client.get(preview_url).status_code == 404  # the upload is gone once imported
    history = client.get("/recognition/imports").get_data(as_text=True)
    assert history.count("march.csv") == 2


def test_preview_shows_a_file_error_and_offers_another_encoding(client, auth, site):
    auth.login("leila")
    data = {"file": (io.BytesIO(csv_text([row("T1", category="الفواتير")]).encode("cp1256")), "ar.csv")}
    preview_url = client.post("/recognition/imports/new", data=data,
                              content_type="multipart/form-data").headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "not UTF-8" in page and "cp1256" in page
    again = client.get(preview_url + "&encoding=cp1256" if "?" in preview_url else preview_url + "?encoding=cp1256")
    assert "windows-1256" in again.get_data(as_text=True).lower() or "cp1256" in again.get_data(as_text=True)
    assert "not UTF-8" not in again.get_data(as_text=True)


def test_an_upload_belongs_to_its_uploader(app, client, auth, site):
    with app.app_context():
        make_user("lead2", role="lead")
    auth.login("leila")
    data = {"file": (io.BytesIO(csv_text([row("T1")]).encode()), "a.csv")}
    preview_url = client.post("/recognition/imports/new", data=data,
                              content_type="multipart/form-data").headers["Location"]
    auth.logout()
    auth.login("lead2")
    assert client.get(preview_url).status_code == 404
    assert client.post(preview_url, data={"action": "import"}).status_code == 404


def test_batch_page_and_csv_list_every_rejected_row_safely(app, client, auth, site):
    rows = [row(f"T{number}", agent=value) for number, value in enumerate(FORMULAS)]
    batch_id = import_recent(client, site, rows).get_json()["batch_id"]
    auth.login("leila")
    page = client.get(f"/recognition/imports/{batch_id}").get_data(as_text=True)
    assert page.count("Unknown agent") == len(FORMULAS)
    response = client.get(f"/recognition/imports/{batch_id}/errors.csv")
    text = response.get_data().decode("utf-8")
    assert response.mimetype == "text/csv" and text.startswith("\ufeff")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset said once
    values = [cells[2] for cells in csv.reader(io.StringIO(text[1:]))][1:]
    assert values == ["'" + formula for formula in FORMULAS]


# Exports

def test_leaderboard_csv_has_a_bom_and_defuses_formulas_in_names(app, client, auth, site):
    with app.app_context():
        for number, formula in enumerate(FORMULAS):
            make_user(f"agent{number}", display_name=formula)
    rows = []
    for number in range(len(FORMULAS)):
        rows += planted_rows(f"agent{number}", "billing", 40, 30, start=days_ago(10))
    import_recent(client, site, rows)
    auth.login("leila")
    response = client.get("/recognition/leaderboard.csv?category=billing")
    text = response.get_data().decode("utf-8")
    assert response.status_code == 200 and text.startswith("\ufeffrank,username")
    names = {cells[2] for cells in csv.reader(io.StringIO(text[1:]))}
    assert {"'" + formula for formula in FORMULAS} <= names
    assert "attachment" in response.headers["Content-Disposition"]


def test_agent_metrics_csv_lists_weeks_per_category(client, auth, site):
    import_recent(client, site, planted_rows("sara", "billing", 30, 20, start=days_ago(20)))
    auth.login("sara")
    text = client.get("/recognition/agents/sara.csv").get_data().decode("utf-8")
    lines = text.strip().splitlines()
    assert lines[0] == "\ufeffcategory,week,week_start,contacts,fcr,aht_seconds,nps,nps_responses,csat," \
                       "csat_responses,reopen_rate"
    assert sum(int(line.split(",")[3]) for line in lines[1:]) == 30


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-5", "'-5"), ("@A1", "'@A1"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Sara", "Sara"), ("", ""), (None, ""), (-12.5, -12.5),
])
def test_csv_cells_that_could_start_a_formula_are_quoted(value, cell):
    assert safe_cell(value) == cell


# Pages and who may see them

def test_agents_see_their_own_page_only(client, auth, site):
    import_recent(client, site, planted_rows("sara", "billing", 30, 20, start=days_ago(20)))
    auth.login("sara")
    own = client.get("/recognition/agents/sara")
    assert own.status_code == 200 and "<svg" in own.get_data(as_text=True)
    assert client.get("/recognition/agents/omid").status_code == 403
    assert client.get("/recognition/agents/omid.csv").status_code == 403
    assert client.get("/recognition/").headers["Location"].endswith("/recognition/agents/sara")


@pytest.mark.parametrize("path", ["/recognition/leaderboard", "/recognition/leaderboard.csv",
                                  "/recognition/imports", "/recognition/imports/new", "/recognition/settings"])
def test_lead_pages_are_forbidden_to_agents(client, auth, site, path):
    auth.login("sara")
    assert client.get(path).status_code == 403


def test_pages_need_a_sign_in(client, site):
    assert client.get("/recognition/leaderboard").status_code == 302


def test_lead_sees_the_team_dashboard_and_an_agent_of_the_team(client, auth, site):
    import_recent(client, site, planted_rows("sara", "billing", 40, 30, start=days_ago(20)))
    auth.login("leila")
    page = client.get("/recognition/").get_data(as_text=True)
    assert "Team Tehran" in page and "Sara Karimi" in page and page.count("<svg") == 5
    assert client.get("/recognition/agents/sara?category=billing").status_code == 200


def test_leaderboard_page_explains_each_score(client, auth, site):
    import_recent(client, site, planted_rows("sara", "billing", 40, 30, start=days_ago(20)))
    auth.login("leila")
    page = client.get("/recognition/leaderboard?category=billing").get_data(as_text=True)
    assert "Why Sara Karimi ranks here" in page and "How the score works" in page and "<svg" in page


def test_bad_period_on_a_page_falls_back_with_a_message(client, auth, site):
    auth.login("leila")
    page = client.get("/recognition/leaderboard?category=billing&since=2025-99-01").get_data(as_text=True)
    assert "must be a date" in page


def test_rtl_pages_render_mirrored_charts(app, client, auth, site):
    import_recent(client, site, planted_rows("sara", "billing", 40, 30, start=days_ago(20)))
    with app.app_context():
        accounts.update_user(accounts.get_user("leila"), locale="fa")
        db.session.commit()
    auth.login("leila")
    page = client.get("/recognition/").get_data(as_text=True)
    assert 'dir="rtl"' in page and 'class="chart chart-line" dir="rtl"' in page


def test_settings_page_saves_and_audits_a_change(app, client, auth, site):
    auth.login("leila")
    form = dict(load_settings_form(app))
    form["min_contacts"] = "12"
    response = client.post("/recognition/settings", data=form)
    assert response.status_code == 302
    with app.app_context():
        assert load_ranking_settings().score.min_contacts == 12
        assert db.session.scalar(select(func.count(AuditEntry.id))) == 1


def test_settings_page_refuses_all_zero_weights(app, client, auth, site):
    auth.login("leila")
    form = load_settings_form(app)
    form.update(fcr_weight="0", nps_weight="0", csat_weight="0", aht_weight="0")
    page = client.post("/recognition/settings", data=form).get_data(as_text=True)
    assert "At least one weight must be more than zero" in page
    with app.app_context():
        assert load_ranking_settings().score.fcr_weight == 0.45


def load_settings_form(app):
    with app.app_context():
        return {name: str(value) for name, value in load_ranking_settings().as_dict().items()}


def test_uploads_are_kept_under_the_instance_folder(app, client, auth, site):
    auth.login("leila")
    data = {"file": (io.BytesIO(csv_text([row("T1")]).encode()), "a.csv")}
    client.post("/recognition/imports/new", data=data, content_type="multipart/form-data")
    folder = os.path.join(app.instance_path, "resolution-uploads")
    assert any(name.endswith(".csv") for name in os.listdir(folder))
