"""The index follows the database: commit, rollback, delete, unpublish, moves, and the outbox
when the index is busy."""

import pytest
from sqlalchemy import func, select, update

from core.categories import Category
from extensions import db
from kb import services
from kb.models import Article
from search.documents import iter_documents, reading_session
from search.engine import IndexBusy
from search.index import current_search
from search.models import SearchOutbox
from search.outbox import apply_outbox
from search.sync import pending_keys
from tests.conftest import close_app, make_app
from tests.factories import make_user
from tests.factories_search import BODY, HeldWriteLock, index_keys, make_people, publish

# Search results come from the index, which the sync fills from what was committed.
pytestmark = pytest.mark.committed


@pytest.fixture
def people(ctx):
    return make_people()


def waiting(_app):
    """The keys waiting in the outbox, oldest first, read in the test's own application context."""
    db.session.commit()  # a fresh transaction sees what the jobs wrote on their own connections
    keys = db.session.scalars(select(SearchOutbox.key).order_by(SearchOutbox.id)).all()
    db.session.commit()  # and must not hold SQLite's write lock while the jobs write
    return keys


def test_commit_makes_a_published_article_searchable(app, people):
    article_id = publish(people, "Card declined at the till")
    assert index_keys(app, "declined") == [f"article:{article_id}"]


def test_draft_and_article_in_review_are_not_indexed(app, people):
    draft = services.create_article(people["agent"], "Card declined draft", BODY, "billing")
    waiting = services.create_article(people["agent"], "Card declined waiting", BODY, "billing")
    services.submit_for_review(waiting, people["agent"])
    db.session.commit()
    assert (draft.status, waiting.status) == ("draft", "in_review")
    assert index_keys(app, "declined") == []


def test_rollback_writes_nothing_to_the_index(app, people):
    article = services.create_article(people["lead"], "Card declined at the till", BODY, "billing",
                                      status="published")
    db.session.flush()
    assert pending_keys(db.session) == {f"article:{article.id}": None}
    db.session.rollback()
    assert pending_keys(db.session) == {}
    db.session.commit()  # a later commit must not write what was rolled back
    assert index_keys(app, "declined") == []
    assert waiting(app) == []


def test_rolled_back_savepoint_keeps_the_outer_change(app, people):
    outer = services.create_article(people["lead"], "Card declined at the till", BODY, "billing",
                                    status="published")
    with db.session.begin_nested() as savepoint:
        services.create_article(people["lead"], "Card declined online", BODY, "billing", status="published")
        savepoint.rollback()
    db.session.commit()
    assert index_keys(app, "declined") == [f"article:{outer.id}"]


def test_deleted_article_leaves_the_index(app, people):
    article_id = publish(people, "Card declined at the till")
    db.session.delete(db.session.get(Article, article_id))
    db.session.commit()
    assert index_keys(app, "declined") == []


def test_archived_article_leaves_the_index_and_republishing_brings_it_back(app, people):
    article_id = publish(people, "Card declined at the till")
    article = db.session.get(Article, article_id)
    services.archive_article(article, people["lead"])
    db.session.commit()
    assert index_keys(app, "declined") == []
    services.publish_article(article, people["lead"])
    db.session.commit()
    assert index_keys(app, "declined") == [f"article:{article_id}"]


def test_edited_title_replaces_the_old_one(app, people):
    article_id = publish(people, "Card declined at the till")
    services.update_article(db.session.get(Article, article_id), people["lead"], title="Voucher expired")
    db.session.commit()
    assert index_keys(app, "declined") == []
    assert index_keys(app, "voucher") == [f"article:{article_id}"]


def test_moving_an_article_to_another_category_updates_the_filter(app, people):
    article_id = publish(people, "Card declined at the till")
    services.update_article(db.session.get(Article, article_id), people["lead"], category="internet")
    db.session.commit()
    assert index_keys(app, "declined", category="billing") == []
    assert index_keys(app, "declined", category="internet") == [f"article:{article_id}"]


def test_changed_tags_are_searchable(app, people):
    article_id = publish(people, "Card declined at the till")
    services.update_article(db.session.get(Article, article_id), people["lead"], tags=["chargeback"])
    db.session.commit()
    assert index_keys(app, "chargeback") == [f"article:{article_id}"]


def test_renamed_category_slug_reindexes_its_articles(app, people):
    article_id = publish(people, "Card declined at the till")
    db.session.scalar(select(Category).where(Category.slug == "billing")).slug = "payments"
    db.session.commit()
    assert index_keys(app, "declined", category="payments") == [f"article:{article_id}"]


def scores(app_, text):
    with app_.app_context():
        return {hit.key: hit.score for hit in current_search(app_).engine.search(text).hits}


def test_helpful_votes_lift_the_article(app, people):
    first = publish(people, "Card declined at the till")
    second = publish(people, "Card declined in the shop")
    before = scores(app, "declined")
    for name in ("r1", "r2", "r3"):
        services.record_feedback(db.session.get(Article, first), make_user(name), True)
    db.session.commit()
    after = scores(app, "declined")
    assert before[f"article:{first}"] <= before[f"article:{second}"]
    assert after[f"article:{first}"] > after[f"article:{second}"]


@pytest.fixture
def held_writer(app):
    """Another process holding the index's write lock."""
    writer = HeldWriteLock(current_search(app).engine)
    yield writer
    writer.release()


def test_busy_index_keeps_the_update_in_the_outbox_and_the_commit_still_succeeds(app, people, held_writer):
    article_id = publish(people, "Card declined at the till")
    assert db.session.get(Article, article_id).status == "published"
    assert waiting(app) == [f"article:{article_id}"]
    assert index_keys(app, "declined") == []


def test_waiting_update_is_applied_with_the_next_change(app, people, held_writer):
    first = publish(people, "Card declined at the till")
    held_writer.release()
    second = publish(people, "Card declined online")
    assert sorted(index_keys(app, "declined")) == sorted([f"article:{first}", f"article:{second}"])
    assert waiting(app) == []


def test_reindex_pending_applies_the_outbox(app, people, held_writer, runner):
    first = publish(people, "Card declined at the till")
    held_writer.release()
    result = runner.invoke(args=["reindex", "--pending"])
    assert result.exit_code == 0, result.output
    assert "Applied 1 waiting" in result.output
    assert index_keys(app, "declined") == [f"article:{first}"]
    assert waiting(app) == []


def test_failed_apply_keeps_the_rows_and_counts_the_attempt(app, people, held_writer):
    publish(people, "Card declined at the till")
    attempts = db.session.scalar(select(SearchOutbox.attempts))
    db.session.commit()
    with pytest.raises(IndexBusy):
        apply_outbox(current_search(app))
    assert db.session.scalar(select(SearchOutbox.attempts)) == attempts + 1


def test_waiting_removal_is_applied_later(app, people):
    article_id = publish(people, "Card declined at the till")
    writer = HeldWriteLock(current_search(app).engine)
    try:
        services.archive_article(db.session.get(Article, article_id), people["lead"])
        db.session.commit()
        assert waiting(app) == [f"article:{article_id}"]
    finally:
        writer.release()
    assert apply_outbox(current_search(app)) == 1
    assert index_keys(app, "declined") == []


def test_a_second_worker_sees_the_new_article_on_its_next_search(app, people, tmp_path):
    other_worker = make_app(tmp_path / "other-worker", app.config["SQLALCHEMY_DATABASE_URI"],
                            app.config["SQLALCHEMY_ENGINE_OPTIONS"], SEARCH_DIR=app.config["SEARCH_DIR"])
    try:
        assert index_keys(other_worker, "declined") == []  # its searcher is open now
        article_id = publish(people, "Card declined at the till")
        assert index_keys(other_worker, "declined") == [f"article:{article_id}"]
    finally:
        close_app(other_worker)


QUERIES = ["declined", "voucher", "refnud", '"till receipt"', "فاتورة", "ลูกค้า"]


def results_of(app_):
    with app_.app_context():
        engine = current_search(app_).engine
        return {text: [(hit.key, hit.snippet) for hit in engine.search(text).hits] for text in QUERIES}


def test_reindex_gives_the_same_results_as_the_incremental_updates(app, people, runner):
    publish(people, "Card declined at the till", "Print the till receipt for the customer.")
    edited = publish(people, "Old title", "Customers refund the voucher.")
    archived = publish(people, "Voucher declined", BODY)
    publish(people, "الفاتورة الشهرية", "تصدر كل شهر", lang="ar")
    publish(people, "การคืนเงิน", "การคืนเงินให้ลูกค้าต้องทำภายในเจ็ดวันทำการ", lang="th")
    services.update_article(db.session.get(Article, edited), people["lead"], title="Refund with a voucher")
    services.archive_article(db.session.get(Article, archived), people["lead"])
    db.session.commit()
    incremental = results_of(app)
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 4 document(s)" in result.output
    assert results_of(app) == incremental
    assert all(incremental[text] for text in ("declined", "voucher", "فاتورة", "ลูกค้า"))


def test_rebuild_and_check_read_the_documents_in_several_batches(app, people):
    ids = [publish(people, f"Card declined {number}") for number in range(5)]
    with reading_session() as session:
        keys = [document["key"] for document in iter_documents(session, batch=2)]
    assert keys == [f"article:{article_id}" for article_id in ids]


def test_stale_hit_is_filtered_and_then_removed_from_the_index(app, client, auth):
    with app.app_context():
        article_id = publish(make_people(), "Card declined at the till")
        # Archived behind the ORM's back: the index still has it.
        db.session.execute(update(Article).where(Article.id == article_id).values(status="archived"))
        db.session.commit()
    assert index_keys(app, "declined") == [f"article:{article_id}"]
    auth.login("agent")
    page = client.get("/search?q=declined")
    assert page.status_code == 200 and "Card declined" not in page.get_data(as_text=True)
    assert index_keys(app, "declined") == []


def test_outbox_is_empty_after_normal_writes(app, people):
    publish(people, "Card declined at the till")
    assert db.session.scalar(select(func.count(SearchOutbox.id))) == 0
