"""Two app hosts that share only the PostgreSQL database: what one of them changes, the other
finds at once, without a rebuild or a shared disk (KNOWHOW_SEARCH_BACKEND=postgres); and how the
backend is chosen."""
import pytest

from accounts.services import get_user
from app import create_app
from config import load_config
from extensions import db
from kb import services
from kb.models import Article
from tests.conftest import app_settings, close_app, make_app
from tests.factories_search import api_token, found, index_keys, make_people, postgres_only, publish

# The index sync reads committed documents; the hosts see each other's commits.
pytestmark = pytest.mark.committed
shared = postgres_only("only the PostgreSQL index can be shared by two hosts")


@pytest.fixture
def host_b(app, tmp_path):
    """A second application, as on another host: an instance folder of its own, the same database."""
    other = make_app(tmp_path / "host-b", app.config["SQLALCHEMY_DATABASE_URI"],
                     app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    assert other.config["SEARCH_DIR"] != app.config["SEARCH_DIR"]
    yield other
    close_app(other)


@pytest.fixture
def headers(app):
    """The lead and the agent (make_people); the agent's API headers."""
    with app.app_context():
        return api_token(make_people()["agent"])


def lead_and_agent():
    return {"lead": get_user("lead"), "agent": get_user("agent")}


@shared
def test_what_one_host_publishes_edits_and_deletes_the_other_finds_at_once(app, host_b, headers):
    with app.app_context():
        article_id = publish(lead_and_agent(), "Card declined at the till", "Ask for another card.")
    key = f"article:{article_id}"
    assert index_keys(host_b, "declined") == [key]
    assert found(host_b.test_client(), headers, "declined") == [("article", article_id)]

    with host_b.app_context():
        services.update_article(db.session.get(Article, article_id), get_user("lead"), title="Voucher expired")
        db.session.commit()
    assert index_keys(app, "declined") == []
    assert index_keys(app, "voucher") == [key]
    assert found(app.test_client(), headers, "voucher") == [("article", article_id)]

    with app.app_context():
        db.session.delete(db.session.get(Article, article_id))
        db.session.commit()
    assert index_keys(host_b, "voucher") == []
    assert found(host_b.test_client(), headers, "voucher") == []


@shared
def test_suggestions_and_typo_corrections_of_one_host_come_from_the_others_writes(app, host_b, headers):
    with host_b.app_context():
        publish(lead_and_agent(), "Customer refund policy", "Refunds are paid within seven days.")
    client = app.test_client()
    suggested = client.get("/api/v1/suggest", query_string={"q": "refu"}, headers=headers)
    assert [result["title"] for result in suggested.get_json()["results"]] == ["Customer refund policy"]
    response = client.get("/api/v1/search", query_string={"q": "refnud"}, headers=headers)
    assert response.get_json()["suggestion"] == "refund" and response.get_json()["total"] == 1


@shared
def test_a_rebuild_on_one_host_is_what_the_other_searches(app, host_b, headers):
    with app.app_context():
        publish(lead_and_agent(), "Card declined at the till")
    result = host_b.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0 and "Indexed 1 document(s)" in result.output
    assert len(host_b.extensions["search"].engine.stored_documents()) == 1
    assert len(index_keys(app, "declined")) == 1


def test_the_backend_is_read_from_the_environment(monkeypatch, tmp_path):
    assert load_config(str(tmp_path))["SEARCH_BACKEND"] == "whoosh"
    monkeypatch.setenv("KNOWHOW_SEARCH_BACKEND", " Postgres ")
    assert load_config(str(tmp_path))["SEARCH_BACKEND"] == "postgres"


@pytest.mark.parametrize("backend, message", [
    ("postgres", "must then be PostgreSQL"),
    ("solr", "must be one of whoosh, postgres"),
])
def test_a_backend_the_database_cannot_serve_refuses_to_start(tmp_path, backend, message):
    settings = app_settings(tmp_path, "sqlite:///" + str(tmp_path / "knowhow.db"), SEARCH_BACKEND=backend)
    with pytest.raises(ValueError, match=message):
        create_app(settings)
