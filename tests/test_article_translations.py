"""Linked translations of articles (issue 17): translation groups, one article per language,
who may change them, the language switcher, search showing one result per group on both
engines, translations falling out of date when their original changes, and the API."""
from datetime import timedelta

import pytest
from flask_babel import refresh

from core.clock import utcnow
from errors import Conflict, Invalid, PermissionDenied
from extensions import db
from kb import services
from tests.factories import bearer, make_token, make_user
from tests.factories_kb import make_article, make_category
from tests.factories_search import whoosh_only

FA_BODY = """## مشکل

چراغ DSL مودم چشمک می‌زند و ثابت نمی‌شود.

## مراحل حل

۱. خط را در ابزار وضعیت بررسی کنید.
۲. مودم را خاموش و روشن کنید.
"""


@pytest.fixture
def people(ctx):
    """A lead (expert everywhere), two agents and the internet category."""
    users = {"lead": make_user("lead", role="lead"), "agent": make_user("agent", locale="fa"),
             "other": make_user("other")}
    make_category("internet")
    return users


@pytest.fixture
def original(people):
    """A published English how-to, written by the agent and published by the lead."""
    return make_article(people["agent"], title="Modem DSL light blinking", status="published",
                        publisher=people["lead"], tags=["modem", "dsl"])


def published_translation(original, people, lang="fa", title="چراغ DSL مودم چشمک می‌زند", body=FA_BODY):
    """A translation of `original` in `lang`, translated and published by the lead."""
    translation = services.add_translation(original, people["lead"], lang)
    services.update_article(translation, people["lead"], title=title, body=body, status="published")
    db.session.commit()
    return translation


# --- groups ------------------------------------------------------------------------------

def test_an_article_alone_is_its_own_group(original):
    assert original.translation_group_id is None
    assert original.group_key == original.id
    assert services.translation_group(original) == [original]


def test_add_translation_makes_a_prefilled_draft_in_the_group(original, people):
    translation = services.add_translation(original, people["agent"], "fa")
    db.session.commit()
    assert translation.status == "draft" and translation.lang == "fa"
    assert translation.author is people["agent"]
    assert (translation.title, translation.body, translation.category_id) == (
        original.title, original.body, original.category_id)
    assert [tag.name for tag in translation.tags] == ["dsl", "modem"]
    assert translation.translated_from is original
    assert translation.translated_from_revision == original.revision_number
    assert translation.group_key == original.group_key == original.id
    assert [member.lang for member in services.translation_group(original)] == ["en", "fa"]


def test_a_group_holds_one_article_per_language(original, people):
    services.add_translation(original, people["agent"], "fa")
    with pytest.raises(Conflict) as refused:
        services.add_translation(original, people["agent"], "fa")
    assert "فارسی" in str(refused.value.message)
    with pytest.raises(Conflict):
        services.add_translation(original, people["agent"], "en")  # the original's own language


def test_linking_an_existing_article_of_a_taken_language_is_refused(original, people):
    services.add_translation(original, people["agent"], "th")
    other_thai = make_article(people["agent"], title="ไฟ DSL กะพริบ", lang="th")
    with pytest.raises(Conflict):
        services.link_translation(original, other_thai, people["agent"])
    assert other_thai.translation_group_id is None


def test_link_and_unlink_an_existing_article(original, people):
    arabic = make_article(people["agent"], title="ضوء DSL يومض", lang="ar")
    services.link_translation(original, arabic, people["agent"])
    db.session.commit()
    assert arabic.group_key == original.group_key
    assert arabic.translated_from is original
    services.unlink_translation(original, arabic, people["agent"])
    db.session.commit()
    assert arabic.translation_group_id is None and arabic.translated_from is None
    assert original.translation_group_id is None  # alone again
    assert services.translation_group(original) == [original]


def test_an_article_in_another_group_must_be_unlinked_first(original, people):
    services.add_translation(original, people["agent"], "fa")
    second = make_article(people["agent"], title="Router reset", lang="en")
    with pytest.raises(Conflict):
        services.link_translation(second, services.translation_group(original)[1], people["agent"])
    with pytest.raises(Invalid):
        services.link_translation(original, original, people["agent"])


def test_unlinking_the_first_article_renumbers_the_rest(original, people):
    persian = services.add_translation(original, people["agent"], "fa")
    thai = services.add_translation(original, people["agent"], "th")
    services.unlink_translation(persian, original, people["agent"])
    db.session.commit()
    assert original.group_key == original.id and original.translation_group_id is None
    assert persian.translation_group_id == thai.translation_group_id == min(persian.id, thai.id)
    assert persian.group_key != original.group_key


def test_only_who_may_edit_the_article_changes_its_translations(original, people):
    # `other` is an agent who neither wrote nor may review the article.
    with pytest.raises(PermissionDenied):
        services.add_translation(original, people["other"], "fa")
    mine = make_article(people["other"], title="ضوء DSL", lang="ar")
    with pytest.raises(PermissionDenied):
        services.link_translation(original, mine, people["other"])
    draft_of_someone_else = make_article(people["agent"], title="ضوء DSL يومض", lang="ar")
    with pytest.raises(PermissionDenied):  # the lead may not edit the agent's draft
        services.link_translation(original, draft_of_someone_else, people["lead"])


def test_article_from_reference_accepts_a_number_or_an_address(original):
    for reference in (str(original.id), "#%d" % original.id, original.path,
                      "https://kb.example/kb/%d/modem" % original.id):
        assert services.article_from_reference(reference) is original
    with pytest.raises(Invalid):
        services.article_from_reference("the modem one")


# --- out of date -------------------------------------------------------------------------

def test_a_new_revision_of_the_original_puts_its_translations_out_of_date(original, people, clock):
    persian = published_translation(original, people)
    assert persian.translation_outdated_at is None
    clock.shift(timedelta(days=3))
    services.update_article(original, people["lead"], body=original.body + "\n\nAlso check the filter.")
    db.session.commit()
    assert persian.translation_outdated_at is not None
    assert persian.review_due <= utcnow()
    assert original.translation_outdated_at is None  # the original is never out of date
    clock.shift(timedelta(seconds=5))
    assert persian in services.overdue_articles(people["lead"])
    assert services.outdated_original(persian, people["agent"]) is original


def test_republishing_the_translation_clears_the_mark(original, people, clock):
    persian = published_translation(original, people)
    services.update_article(original, people["lead"], body=original.body + "\n\nAlso check the filter.")
    services.update_article(persian, people["lead"], body=FA_BODY + "\n\nفیلتر را هم بررسی کنید.")
    db.session.commit()
    assert persian.translation_outdated_at is None
    assert persian.translated_from_revision == original.revision_number
    assert persian.review_due > utcnow()
    clock.shift(timedelta(seconds=5))
    assert persian not in services.overdue_articles(people["lead"])


def test_publishing_the_original_again_marks_only_older_translations(original, people):
    persian = published_translation(original, people)
    services.archive_article(original, people["lead"])
    services.publish_article(original, people["lead"])  # the same revision, published again
    db.session.commit()
    assert persian.translation_outdated_at is None


def test_a_translations_edit_leaves_the_original_as_it_is(original, people):
    persian = published_translation(original, people)
    services.update_article(persian, people["lead"], body=FA_BODY + "\n\nیک نکته.")
    db.session.commit()
    assert original.translation_outdated_at is None


def test_still_right_on_an_outdated_translation_clears_the_mark(original, people):
    persian = published_translation(original, people)
    services.update_article(original, people["lead"], body=original.body + "\n\nAlso check the filter.")
    services.verify_article(persian, people["lead"])
    db.session.commit()
    assert persian.translation_outdated_at is None


# --- the article page --------------------------------------------------------------------

def test_the_switcher_offers_published_translations_in_their_own_language(client, auth, original, people):
    persian = published_translation(original, people)
    thai_draft = services.add_translation(original, people["lead"], "th")
    db.session.commit()
    auth.login("other")
    page = client.get(original.path).get_data(as_text=True)
    assert 'href="/kb/%d/' % persian.id in page
    assert 'lang="fa" dir="rtl" data-translation="fa">فارسی</a>' in page
    assert "/kb/%d/" % thai_draft.id not in page  # someone else's draft
    auth.logout()
    auth.login("lead")
    page = client.get(original.path).get_data(as_text=True)
    assert 'lang="th" dir="ltr" data-translation="th">ไทย</a>' in page  # the lead may see the draft


def test_a_reader_is_offered_the_version_in_their_language(client, auth, original, people):
    persian = published_translation(original, people)
    auth.login("agent")  # the agent's interface is in Persian
    refresh()  # the test's application context outlives each request: forget the sign-in page's locale
    page = client.get(original.path).get_data(as_text=True)
    assert "kb-in-my-language" in page and persian.title in page
    assert "kb-in-my-language" not in client.get(persian.path).get_data(as_text=True)


def test_readers_see_that_the_original_changed(client, auth, original, people):
    persian = published_translation(original, people)
    services.update_article(original, people["lead"], body=original.body + "\n\nAlso check the filter.")
    db.session.commit()
    auth.login("other")
    assert "kb-outdated-translation" in client.get(persian.path).get_data(as_text=True)
    assert "kb-outdated-translation" not in client.get(original.path).get_data(as_text=True)
    auth.logout()
    auth.login("lead")
    assert persian.title in client.get("/kb/review").get_data(as_text=True)


def test_add_a_translation_from_the_article_page(client, auth, original, people):
    auth.login("agent")
    response = client.post("/kb/%d/translations/new" % original.id, data={"lang": "ar"})
    assert response.status_code == 302 and response.location.endswith("/edit")
    arabic = services.translation_group(original)[1]
    assert (arabic.lang, arabic.status, arabic.author_id) == ("ar", "draft", people["agent"].id)
    again = client.post("/kb/%d/translations/new" % original.id, data={"lang": "ar"}, follow_redirects=True)
    assert "العربية" in again.get_data(as_text=True)
    assert len(services.translation_group(original)) == 2


def test_link_and_unlink_from_the_article_page(client, auth, original, people):
    thai = make_article(people["agent"], title="ไฟ DSL กะพริบ", lang="th")
    auth.login("agent")
    client.post("/kb/%d/translations/link" % original.id, data={"article": "/kb/%d/x" % thai.id})
    db.session.refresh(thai)
    assert thai.group_key == original.id
    client.post("/kb/%d/translations/%d/unlink" % (original.id, thai.id))
    db.session.refresh(thai)
    assert thai.translation_group_id is None
    unknown = client.post("/kb/%d/translations/link" % original.id, data={"article": "999999"},
                          follow_redirects=True)
    assert unknown.status_code == 200


def test_an_agent_who_may_not_edit_cannot_add_a_translation(client, auth, original, people):
    auth.login("other")
    assert client.post("/kb/%d/translations/new" % original.id, data={"lang": "fa"}).status_code == 403
    assert services.translation_group(original) == [original]


# --- the API -----------------------------------------------------------------------------

def test_the_api_shows_and_changes_translations(client, original, people):

    headers = bearer(make_token(people["agent"]))
    arabic = make_article(people["agent"], title="ضوء DSL يومض", lang="ar")
    linked = client.post("/api/v1/articles/%d/translations" % original.id, json={"article_id": arabic.id},
                         headers=headers)
    assert linked.status_code == 201, linked.get_json()
    [shown_arabic] = linked.get_json()["translations"]
    assert shown_arabic.pop("url").startswith("/kb/%d/" % arabic.id)
    assert shown_arabic == {"id": arabic.id, "lang": "ar", "title": arabic.title, "status": "draft",
                            "outdated": False}
    shown = client.get("/api/v1/articles/%d" % arabic.id, headers=headers).get_json()
    assert shown["translation_group"] == original.id and shown["translated_from"] == original.id
    assert [other["lang"] for other in shown["translations"]] == ["en"]
    second = make_article(people["agent"], title="ضوء آخر", lang="ar")
    refused = client.post("/api/v1/articles/%d/translations" % original.id, json={"article_id": second.id},
                          headers=headers)
    assert refused.status_code == 409
    unlinked = client.delete("/api/v1/articles/%d/translations/%d" % (original.id, arabic.id), headers=headers)
    assert unlinked.status_code == 200 and unlinked.get_json()["translations"] == []


def test_the_api_refuses_linking_for_who_may_not_edit(client, original, people):

    mine = make_article(people["other"], title="ضوء DSL", lang="ar")
    response = client.post("/api/v1/articles/%d/translations" % original.id, json={"article_id": mine.id},
                           headers=bearer(make_token(people["other"])))
    assert response.status_code == 403
    assert services.translation_group(original) == [original]


# --- search: one result per translation group, on the backend the suite runs with -------

def engine_doc(number, title, body, lang, group=None, boost=0.0):
    doc = {"key": "article:%d" % number, "type": "article", "id": number, "title": title, "body": body,
           "category": "internet", "lang": lang, "tags": [], "boost": boost}
    if group:
        doc["group"] = group
    return doc


@pytest.fixture
def grouped_engine(tmp_path):
    """An engine holding one article in three languages (one group), and two articles alone."""
    from tests.factories_search import EnginePlace
    place = EnginePlace(tmp_path)
    engine = place.open(lock_wait=0.3)
    engine.ensure_index()
    engine.index_documents([
        engine_doc(1, "Modem DSL light blinking", "Restart the modem DSL line", "en", "g:1", boost=0.5),
        engine_doc(2, "چراغ DSL مودم", "مودم را ری‌استارت کنید DSL", "fa", "g:1"),
        engine_doc(3, "ไฟ DSL กะพริบ", "รีสตาร์ทโมเด็ม DSL", "th", "g:1"),
        engine_doc(4, "DSL line test", "Run the DSL line test first", "en"),
        engine_doc(5, "Router DSL settings", "DSL username and password", "en"),
    ])
    yield engine
    place.close()


def test_search_folds_a_group_into_one_result_in_the_readers_language(grouped_engine):
    result = grouped_engine.search("DSL", reader_lang="fa")
    keys = [hit.key for hit in result.hits]
    assert result.total == 3 and len(keys) == 3
    assert "article:2" in keys and "article:1" not in keys and "article:3" not in keys
    folded = next(hit for hit in result.hits if hit.key == "article:2")
    assert sorted(other.lang for other in folded.translations) == ["en", "th"]
    assert all(not hit.translations for hit in result.hits if hit.key != "article:2")


def test_without_a_matching_version_in_the_readers_language_the_best_one_is_shown(grouped_engine):
    result = grouped_engine.search("DSL", reader_lang="ar")
    folded = [hit for hit in result.hits if hit.translations]
    assert [hit.key for hit in folded] == ["article:1"]  # the boosted English one scores best
    assert result.total == 3


def test_a_version_that_alone_matches_is_a_plain_result(grouped_engine):
    result = grouped_engine.search("modem", reader_lang="fa")
    assert [(hit.key, hit.translations) for hit in result.hits] == [("article:1", ())]
    assert result.total == 1


def test_folded_results_page_and_count_as_one_each(grouped_engine):
    first = grouped_engine.search("DSL", reader_lang="en", page=1, per_page=2)
    second = grouped_engine.search("DSL", reader_lang="en", page=2, per_page=2)
    assert first.total == second.total == 3
    keys = [hit.key for hit in first.hits + second.hits]
    assert len(keys) == len(set(keys)) == 3 and "article:1" in keys


@pytest.mark.committed  # the index sync reads what was committed
def test_search_page_shows_the_readers_version_with_links_to_the_others(client, auth, original, people):
    persian = published_translation(original, people, title="چراغ DSL مودم چشمک می‌زند")
    auth.login("agent")  # reads Persian
    refresh()
    page = client.get("/search?q=DSL").get_data(as_text=True)
    assert persian.title in page
    assert 'data-also-in="en"' in page
    answer = client.get("/api/v1/search?q=DSL", headers=bearer(make_token(people["agent"]))).get_json()
    assert answer["total"] == 1
    [result] = answer["results"]
    assert result["id"] == persian.id
    assert [(other["id"], other["lang"]) for other in result["translations"]] == [(original.id, "en")]


# --- the demo ------------------------------------------------------------------------------

def test_the_demo_has_an_article_in_four_languages_one_of_them_out_of_date(clock, ctx):
    from sqlalchemy import select

    from demo.kb import load_kb
    from demo.loader import DEMO_PASSWORD
    from demo.people import load_people
    from kb.models import Article
    load_people(DEMO_PASSWORD)
    summary = load_kb(review_interval_days=90)
    db.session.commit()
    assert "3 translations linked" in " ".join(summary)
    esim = db.session.scalar(select(Article).where(Article.title.like("eSIM activation%")))
    group = services.translation_group(esim)
    assert [article.lang for article in group] == ["en", "fa", "ar", "th"]
    assert all(article.status == "published" for article in group)
    assert [article.lang for article in group if article.translation_outdated_at] == ["th"]
    assert "0 translations linked" in " ".join(load_kb(review_interval_days=90))  # idempotent


def test_fold_groups_ranks_a_group_where_its_best_version_ranks():
    from search.folding import Entry, fold_groups
    entries, groups = fold_groups([(10, 3.0), (11, 1.0)], [(1, 2.5, "g", "en"), (2, 0.5, "g", "fa")], 3,
                                  reader_lang="fa")
    assert groups == 1
    assert entries == [Entry(10, 3.0), Entry(2, 2.5, (1,)), Entry(11, 1.0)]


@whoosh_only("the numpy ranking's fallback to Whoosh's own collector")
def test_whoosh_folds_what_only_whoosh_itself_can_rank(tmp_path):
    """A query node the numpy ranking does not know (a prefix) is ranked by Whoosh's collector:
    the grouped documents still come apart, every one of them."""
    from whoosh import query

    from search.engine import WhooshEngine
    from search.query import Ranker
    engine = WhooshEngine(str(tmp_path / "index"))
    engine.ensure_index()
    engine.index_documents([engine_doc(number, "Modem %d" % number, "modem reset", "en",
                                       "g:1" if number < 3 else None) for number in range(1, 6)])
    arrays = engine._arrays_of(engine._get_searcher())
    ranked = Ranker(arrays, None, arrays.grouped("group")).top(query.Prefix("content", "mod"), 2)
    assert ranked.total == 5 and len(ranked.top) == 2 and len(ranked.grouped) == 2
    engine.close()


def test_a_rebuilt_index_keeps_the_groups(grouped_engine):
    documents = [engine_doc(1, "Modem DSL light blinking", "Restart the modem DSL line", "en", "g:1"),
                 engine_doc(2, "چراغ DSL مودم", "مودم را ری‌استارت کنید DSL", "fa", "g:1"),
                 engine_doc(4, "DSL line test", "Run the DSL line test first", "en")]
    grouped_engine.rebuild(documents)
    result = grouped_engine.search("DSL", reader_lang="fa")
    assert result.total == 2
    assert [(hit.key, [other.key for other in hit.translations]) for hit in result.hits
            if hit.translations] == [("article:2", ["article:1"])]
