"""Search pages that need a search index of their own: paging through many results, and an
index that is lost, corrupt or being rebuilt."""
import pytest
from sqlalchemy import select

from accounts.services import get_user
from core.signals import database_initialised
from extensions import db
from search.index import current_search
from search.models import SearchLog, SearchOutbox
from search.setup import build_index_if_needed
from tests.factories import flush_reads
from tests.factories_search import corrupt_index, index_keys, lose_index, make_corpus, make_people, publish

# Search results come from the index, which the sync fills from what was committed.
pytestmark = pytest.mark.committed


@pytest.fixture
def corpus(app, auth):
    """make_corpus's article ids; the agent is signed in."""
    with app.app_context():
        ids = make_corpus()
    auth.login("agent")
    return ids


def page_text(response):
    return response.get_data(as_text=True)


def search_check(client):
    """The search index's check in /readyz."""
    return client.get("/readyz").get_json()["checks"]["search"]


def logs(app_):
    """The search log, once what the requests buffered is written (core/read_buffer.py)."""
    flush_reads(app_)
    with app_.app_context():
        return db.session.scalars(select(SearchLog).order_by(SearchLog.id)).all()


def test_results_are_paged_and_later_pages_keep_the_log(app, client, auth):
    with app.app_context():
        people = make_people()
        for number in range(12):
            publish(people, f"Router model {number}", "Reset the router.")
    auth.login("agent")
    first = page_text(client.get("/search?q=router"))
    [entry] = logs(app)
    assert "Page 1 of 2" in first
    assert f"/search?page=2&amp;q=router&amp;log={entry.ref}" in first
    second = client.get(f"/search?page=2&q=router&log={entry.ref}")
    assert second.status_code == 200 and "Page 2 of 2" in page_text(second)
    assert len(logs(app)) == 1  # page 2 is not a new search


@pytest.fixture
def lost_index(app, corpus):
    """The index deleted from under the running application (its directory, or its tables)."""
    restore = lose_index(app)
    yield current_search(app)
    restore()


def test_missing_index_keeps_pages_working_and_search_says_it_is_rebuilding(app, client, corpus, lost_index):
    assert client.get("/kb/").status_code == 200
    assert client.get(f"/kb/{corpus['card']}").status_code == 200
    response = client.get("/search?q=card")
    assert response.status_code == 200 and "Search is being rebuilt" in page_text(response)
    api = client.get("/api/v1/search?q=card")
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "search_unavailable"
    assert client.get("/api/v1/suggest?q=card").get_json() == {"results": []}
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "search" in ready.get_json()["failing"]
    checks = ready.get_json()["checks"]
    assert (checks["search"]["state"], checks["database"]["ok"]) == ("missing", True)
    assert client.get("/healthz").status_code == 200  # alive all the same


def test_writes_while_the_index_is_missing_wait_in_the_outbox_and_reindex_restores_everything(app, client, corpus,
                                                                                      lost_index, runner):
    with app.app_context():
        new_id = publish({"agent": get_user("agent"), "lead": get_user("lead")}, "Voucher expired")
        assert db.session.scalars(select(SearchOutbox.key)).all() == [f"article:{new_id}"]
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "Indexed 3 document(s)" in result.output
    assert index_keys(app, "voucher") == [f"article:{new_id}"]
    assert search_check(client)["pending"] == 0


def test_search_on_a_missing_index_starts_a_rebuild(app, client, corpus, lost_index):
    lost_index.auto_rebuild = True
    assert "Search is being rebuilt" in page_text(client.get("/search?q=declined"))
    lost_index.rebuild_thread.join(timeout=30)
    assert "Card declined at the till" in page_text(client.get("/search?q=declined"))


def test_health_says_rebuilding_while_another_process_rebuilds(client, corpus, lost_index):
    with lost_index.rebuild_lock():
        assert search_check(client)["state"] == "rebuilding"
    assert search_check(client)["state"] == "missing"


def test_corrupt_index_is_reported_and_rebuilt_by_init_db(app, client, corpus):
    corrupt_index(current_search(app).engine)
    assert search_check(client)["state"] == "missing"
    assert build_index_if_needed in database_initialised.receivers_for(app)
    with app.app_context():
        build_index_if_needed()
    assert search_check(client)["documents"] == 2
    assert "Card declined at the till" in page_text(client.get("/search?q=declined"))
