"""Search pages: results, "did you mean", opened results, content gaps, health.

Paging through many results and a lost or corrupt index are in test_search_recovery.py: those
tests need an index of their own.
"""
import re

import pytest
from sqlalchemy import select

from accounts.services import get_user
from extensions import db
from search.models import SearchLog
from tests.factories import flush_reads
from tests.factories_search import api_token, make_corpus


@pytest.fixture(scope="module")
def corpus_ids(committed_module):
    """make_corpus's articles, committed once for the module (the index sync reads what was
    committed); each test runs in a transaction rolled back on top of them."""
    with committed_module.app_context():
        return make_corpus()


@pytest.fixture
def corpus(corpus_ids, auth):
    """make_corpus's article ids; the agent is signed in."""
    auth.login("agent")
    return corpus_ids


def page_text(response):
    return response.get_data(as_text=True)


def logs(app_):
    """The search log, once what the requests buffered is written (core/read_buffer.py)."""
    flush_reads(app_)
    with app_.app_context():
        return db.session.scalars(select(SearchLog).order_by(SearchLog.id)).all()


def test_results_page_lists_hits_with_marked_snippets_through_the_logging_redirect(app, client, corpus):
    response = client.get("/search?q=another+card")
    html = page_text(response)
    assert response.status_code == 200
    assert "Card declined at the till" in html
    assert "<mark>another</mark>" in html and "&lt;b&gt;" in html
    [entry] = logs(app)
    assert f'href="/search/open?key=article:{corpus["card"]}&amp;log={entry.ref}"' in html


def test_header_search_box_is_on_every_page_with_the_suggest_url(client, corpus):
    html = page_text(client.get("/kb/"))
    assert 'id="site-search"' in html and 'action="/search"' in html
    assert 'data-suggest-url="/api/v1/suggest"' in html
    assert 'src="/static/js/search.js" defer' in html


def test_results_page_has_no_inline_script_or_style(client, corpus):
    html = page_text(client.get("/search?q=card"))
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    assert " style=" not in html and "<style" not in html and "onclick" not in html


def test_typo_offers_did_you_mean_with_a_link(client, corpus):
    html = page_text(client.get("/search?q=refnud"))
    assert "Did you mean" in html
    assert 'href="/search?q=refund' in html


def test_no_result_offers_to_ask_or_write(client, corpus):
    html = page_text(client.get("/search?q=zebracorn"))
    assert "Nothing matches" in html
    assert 'href="/kb/new?title=zebracorn"' in html


def test_empty_query_shows_the_form_and_logs_nothing(app, client, corpus):
    response = client.get("/search?q=")
    assert response.status_code == 200 and 'id="search-q"' in page_text(response)
    assert logs(app) == []


@pytest.mark.parametrize("query_string, status", [
    ("q=", 200), ("q=" + "x" * 10240, 400), ("q=*", 200), ("q=a*", 200), ("q=[a+TO+z]", 200),
    ("q=field:value", 200), ('q="unbalanced', 200), ("q=((card", 200), ("q=%00", 400),
    ("q=card&page=0", 400), ("q=card&page=-1", 400), ("q=card&page=1000000000", 400),
    ("q=card&type=video", 400), ("q=card&category=nope", 400), ("q=card&lang=xx", 400),
])
def test_bad_input_on_the_page_is_never_a_server_error(client, corpus, query_string, status):
    response = client.get("/search?" + query_string)
    assert response.status_code == status
    if status == 400:
        assert 'role="alert"' in page_text(response)


def test_opening_a_result_records_it_and_redirects_to_the_article(app, client, corpus):
    client.get("/search?q=declined")
    [entry] = logs(app)
    response = client.get(f"/search/open?key=article:{corpus['card']}&log={entry.ref}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/kb/{corpus['card']}/card-declined-at-the-till"
    [entry] = logs(app)
    assert entry.opened_key == f"article:{corpus['card']}" and entry.opened_at is not None


@pytest.mark.parametrize("key", ["article:999", "http://evil.example/", "//evil.example", "article:x", ""])
def test_open_refuses_anything_but_a_visible_result(client, corpus, key):
    assert client.get("/search/open", query_string={"key": key}).status_code == 404


def test_open_does_not_record_into_someone_elses_log(app, client, auth, corpus):
    client.get("/search?q=declined")
    [entry] = logs(app)
    auth.logout()
    auth.login("lead")
    assert client.get(f"/search/open?key=article:{corpus['card']}&log={entry.ref}").status_code == 302
    assert logs(app)[0].opened_key is None


def test_content_gaps_are_for_experts_and_leads(client, corpus):
    assert client.get("/kb/gaps").status_code == 403


def test_content_gaps_list_queries_without_results_or_without_an_opened_result(app, client, auth, corpus):
    for query in ("zebracorn", "zebracorn", "declined", "refund"):
        client.get("/search", query_string={"q": query})
    refund_log = logs(app)[-1]
    client.get(f"/search/open?key=article:{corpus['refund']}&log={refund_log.ref}")
    flush_reads(app)
    auth.logout()
    auth.login("lead")
    html = page_text(client.get("/kb/gaps"))
    assert "Searches without a category" in html and "Billing" in html
    assert re.search(r"zebracorn</a></td>\s*<td class=\"num\">2</td>\s*<td class=\"num\">2</td>", html)
    assert re.search(r"declined</a></td>\s*<td class=\"num\">1</td>\s*<td class=\"num\">0</td>", html)
    assert "refund</a>" not in html
    assert 'href="/kb/new?title=declined&amp;category=billing"' in html


def test_write_an_article_link_prefills_the_new_article_title(client, corpus):
    html = page_text(client.get("/kb/new?title=Card+stuck+in+ATM&category=billing"))
    assert 'value="Card stuck in ATM"' in html


def test_readiness_reports_the_index_documents_and_pending_updates(client, corpus):
    checks = client.get("/readyz").get_json()["checks"]
    assert checks["database"]["ok"] is True
    assert checks["search"] == {"ok": True, "state": "ok", "documents": 2, "pending": 0, "lag_seconds": 0.0}


def test_api_searches_count_as_gaps_only_when_they_find_nothing(app, client, auth, corpus):
    with app.app_context():
        headers = api_token(get_user("agent"))
    for query in ("declined", "zebracorn"):
        assert client.get("/api/v1/search", query_string={"q": query}, headers=headers).status_code == 200
    flush_reads(app)
    auth.logout()
    auth.login("lead")
    html = page_text(client.get("/kb/gaps"))
    assert "zebracorn</a>" in html
    assert "declined</a>" not in html
