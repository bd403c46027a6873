"""Following: watching, normal and muted on categories, tags, articles and questions."""
import pytest
from sqlalchemy import select

from accounts.following import services as following
from accounts.following.models import Follow
from accounts.models import Notification
from errors import Invalid, NotFound
from extensions import db
from kb import services as kb
from mentoring.questions import services as questions
from tests.factories import bearer, loaded, make_token, make_user, refs
from tests.factories_qa import make_people

BODY = "## Steps to resolve\n\nRestart the modem."


@pytest.fixture(scope="module")
def people_refs(module_transaction):
    with module_transaction.app_context():
        people = make_people()
        people["watcher"] = make_user("watcher", display_name="Watcher")
        db.session.commit()
        return refs(people)


@pytest.fixture
def people(ctx, people_refs):
    return loaded(people_refs)


def told(kind=None):
    """[(recipient username, kind)] of the notifications written so far (after the commit)."""
    stmt = select(Notification).order_by(Notification.id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    return [(n.recipient.username, n.kind) for n in db.session.scalars(stmt)]


def follow(person, kind, ident, level="watching"):
    following.set_level(person, following.find_target(person, kind, ident), level)
    db.session.commit()


def publish(people, title="Fibre reset", tags=("fibre",), body=BODY, author="asker", category="internet"):
    """An agent's article, published by the lead; returns it (committed)."""
    article = kb.create_article(people[author], title, body, category, tags=list(tags))
    kb.submit_for_review(article, people[author])
    kb.publish_article(article, people["lead"])
    db.session.commit()
    return article


def clear():
    db.session.execute(db.delete(Notification))
    db.session.commit()


# -- categories and tags


@pytest.mark.parametrize("kind, ident", [("category", "internet"), ("tag", "Fibre")])
def test_watching_a_category_or_tag_tells_of_each_new_article(people, kind, ident):
    kb.create_article(people["asker"], "Old", BODY, "internet", tags=["fibre"])  # the tag exists
    follow(people["watcher"], kind, ident)
    follow(people["other"], kind, ident, "normal")
    follow(people["voter"], kind, ident, "muted")
    clear()
    publish(people)
    assert told("followed_article") == [("watcher", "followed_article")]


@pytest.mark.parametrize("kind, ident", [("category", "internet"), ("tag", "fibre")])
def test_watching_a_category_or_tag_tells_of_each_new_question(people, kind, ident):
    questions.ask_question(people["other"], "An earlier question", "Some earlier words.", "internet",
                           tags=["fibre"], expert_limit=0)
    follow(people["watcher"], kind, ident)
    follow(people["voter"], kind, ident, "muted")
    clear()
    questions.ask_question(people["asker"], "Fibre is down again", "The light is red.", "internet",
                           tags=["fibre"], expert_limit=0)
    db.session.commit()
    assert told() == [("watcher", "followed_question")]


def test_a_draft_or_other_category_tells_no_watcher(people):
    follow(people["watcher"], "category", "internet")
    clear()
    kb.create_article(people["asker"], "Draft", BODY, "internet")
    publish(people, category="billing", tags=())
    db.session.commit()
    assert told("followed_article") == []


def test_several_matching_follows_and_a_mention_make_one_notification(people):
    kb.create_article(people["asker"], "Old", BODY, "internet", tags=["fibre", "pon"])
    for kind, ident in (("category", "internet"), ("tag", "fibre"), ("tag", "pon")):
        follow(people["watcher"], kind, ident)
        follow(people["other"], kind, ident)
    clear()
    publish(people, tags=("fibre", "pon"), body=BODY + "\n\nAsk @other.")
    assert sorted(told()) == [("asker", "article_published"), ("lead", "review_requested"), ("other", "mentioned"),
                              ("watcher", "followed_article")]


# -- articles


def test_watching_an_article_tells_of_each_published_revision(people):
    article = publish(people)
    follow(people["watcher"], "article", str(article.id))
    follow(people["voter"], "article", str(article.id), "normal")
    clear()
    kb.update_article(article, people["lead"], body=BODY + "\n\nThen wait two minutes.")
    db.session.commit()
    # The author watches their own article without choosing; the editor is never told.
    assert sorted(told()) == [("asker", "followed_revision"), ("watcher", "followed_revision")]


def test_the_authors_chosen_level_wins_over_watching_their_own(people):
    article = publish(people)
    follow(people["asker"], "article", str(article.id), "normal")
    clear()
    kb.update_article(article, people["lead"], body=BODY + "\n\nUpdated.")
    db.session.commit()
    assert told() == []


def test_author_watches_own_article_by_default(people):
    article = publish(people)
    target = following.find_target(people["asker"], "article", str(article.id))
    assert following.level_of(people["asker"], target) == "watching"
    assert following.level_of(people["other"], target) == "normal"


def test_watching_an_article_beats_a_muted_category(people):
    article = publish(people)
    follow(people["watcher"], "category", "internet", "muted")
    follow(people["watcher"], "article", str(article.id))
    clear()
    kb.update_article(article, people["lead"], body=BODY + "\n\nMore.")
    db.session.commit()
    assert ("watcher", "followed_revision") in told()


def test_muting_an_article_silences_it(people):
    article = publish(people)
    follow(people["watcher"], "tag", "fibre")
    follow(people["asker"], "article", str(article.id), "muted")
    clear()
    kb.update_article(article, people["lead"], body=BODY + "\n\nMore.")
    db.session.commit()
    assert told() == []


# -- questions


def test_watching_a_question_tells_of_answers_and_the_accepted_one(people):
    question = questions.ask_question(people["asker"], "Fibre is down again", "Red light.", "internet", expert_limit=0)
    db.session.commit()
    follow(people["watcher"], "question", str(question.id))
    follow(people["voter"], "question", str(question.id), "muted")
    clear()
    answer = questions.answer_question(question, people["answerer"], "Replug the cord.")
    db.session.commit()
    # The asker hears of it once, by the answer notice, not a second time as its watcher.
    assert sorted(told()) == [("asker", "answer_posted"), ("watcher", "followed_answer")]
    clear()
    questions.accept_answer(answer, people["asker"])
    db.session.commit()
    assert sorted(told()) == [("answerer", "answer_accepted"), ("watcher", "followed_accepted")]


def test_asker_watches_own_question_unless_muted(people):
    question = questions.ask_question(people["asker"], "Fibre is down again", "Red light.", "internet", expert_limit=0)
    answer = questions.answer_question(question, people["answerer"], "Replug the cord.")
    db.session.commit()
    clear()
    questions.accept_answer(answer, people["lead"])  # a lead accepts: the asker watches it
    db.session.commit()
    assert sorted(told()) == [("answerer", "answer_accepted"), ("asker", "followed_accepted")]


def test_muted_category_silences_the_expert_notice_but_not_a_mention(people):
    follow(people["lead"], "category", "internet", "muted")
    clear()
    questions.ask_question(people["asker"], "Fibre is down again", "Red light.", "internet", expert_limit=3)
    db.session.commit()
    assert told() == []
    questions.ask_question(people["asker"], "Fibre down once more", "@lead any idea?", "internet", expert_limit=3)
    db.session.commit()
    assert told() == [("lead", "mentioned")]
    questions.ask_question(people["asker"], "Bills are too high", "Too high.", "billing", expert_limit=3)
    db.session.commit()
    assert told("question_in_category") == [("lead", "question_in_category")]


def test_muted_tag_silences_the_expert_notice(people):
    questions.ask_question(people["other"], "An earlier question", "Some earlier words.", "billing",
                           tags=["pon"], expert_limit=0)
    follow(people["lead"], "tag", "pon", "muted")
    clear()
    questions.ask_question(people["asker"], "PON light is red", "Red light.", "internet", tags=["PON"], expert_limit=3)
    db.session.commit()
    assert told() == []


# -- what can be followed


def test_nobody_can_follow_a_draft_they_cannot_read(people):
    draft = kb.create_article(people["asker"], "Draft", BODY, "internet")
    db.session.commit()
    with pytest.raises(NotFound):
        following.find_target(people["other"], "article", str(draft.id))
    assert following.find_target(people["asker"], "article", str(draft.id)).title == "Draft"
    assert following.find_target(people["lead"], "article", str(draft.id)).title == "Draft"


@pytest.mark.parametrize("kind, ident", [("board", "1"), ("category", "nope"), ("tag", "never-used"),
                                         ("article", "999999"), ("article", "abc"), ("question", "99999999999"),
                                         ("question", "")])
def test_unknown_things_cannot_be_followed(people, kind, ident):
    with pytest.raises(NotFound):
        following.find_target(people["other"], kind, ident)


def test_an_unknown_level_is_invalid(people):
    target = following.find_target(people["other"], "category", "internet")
    with pytest.raises(Invalid):
        following.set_level(people["other"], target, "loud")


def test_setting_a_level_again_changes_the_one_row(people):
    follow(people["other"], "category", "internet")
    follow(people["other"], "category", "Internet", "muted")
    rows = db.session.scalars(select(Follow).where(Follow.user_id == people["other"].id)).all()
    assert [(row.target_kind, row.level) for row in rows] == [("category", "muted")]


# -- mentions in drafts


def test_a_mention_in_a_draft_is_announced_on_publication_once(people):
    article = kb.create_article(people["asker"], "Fibre tricks", BODY + "\n\nThanks @voter", "internet")
    db.session.commit()
    assert told() == []  # a draft is its author's alone: the link would open nothing
    kb.submit_for_review(article, people["asker"])
    kb.publish_article(article, people["lead"])
    db.session.commit()
    assert told("mentioned") == [("voter", "mentioned")]
    mention = db.session.scalar(select(Notification).where(Notification.kind == "mentioned"))
    assert mention.actor.username == "asker" and mention.url == article.path
    kb.request_review(article, "Numbers look off")  # back in review, then published again
    kb.update_article(article, people["lead"], title="Fibre tricks, checked")
    kb.publish_article(article, people["lead"])
    kb.archive_article(article, people["lead"])
    kb.publish_article(article, people["lead"])
    db.session.commit()
    assert told("mentioned") == [("voter", "mentioned")]


def test_a_mention_published_at_once_is_told_once(people):
    kb.create_article(people["lead"], "Fibre reset", BODY + "\n\nBy @voter and @asker", "internet",
                      status="published")
    db.session.commit()
    assert sorted(told("mentioned")) == [("asker", "mentioned"), ("voter", "mentioned")]


def test_a_mention_added_while_in_review_waits_for_publication(people):
    article = kb.create_article(people["asker"], "Fibre tricks", BODY, "internet")
    kb.submit_for_review(article, people["asker"])
    kb.update_article(article, people["lead"], body=BODY + "\n\nAsk @other or @asker.")
    db.session.commit()
    assert told("mentioned") == [("asker", "mentioned")]  # the author may read it already
    kb.update_article(article, people["lead"], status="published")
    db.session.commit()
    assert told("mentioned") == [("asker", "mentioned"), ("other", "mentioned")]


# -- the API


@pytest.fixture
def tokens(people):
    return {name: bearer(make_token(people[name])) for name in ("asker", "other")}


def test_api_reads_and_sets_levels(people, tokens, client):
    assert client.get("/api/v1/follows/category/internet", headers=tokens["other"]).get_json()["level"] == "normal"
    answer = client.put("/api/v1/follows/category/internet", json={"level": "watching"}, headers=tokens["other"])
    assert answer.status_code == 200
    assert answer.get_json()["level"] == "watching" and answer.get_json()["chosen"] is True
    body = client.get("/api/v1/follows/category/internet", headers=tokens["other"]).get_json()
    assert (body["kind"], body["id"], body["level"]) == ("category", "internet", "watching")
    listed = client.get("/api/v1/follows?per_page=5", headers=tokens["other"]).get_json()
    assert listed["total"] == 1 and [item["id"] for item in listed["follows"]] == ["internet"]


def test_api_lists_only_my_levels(people, tokens, client):
    follow(people["other"], "category", "internet")
    follow(people["asker"], "category", "billing", "muted")
    mine = client.get("/api/v1/follows", headers=tokens["asker"]).get_json()
    assert [(item["id"], item["level"]) for item in mine["follows"]] == [("billing", "muted")]


def test_api_says_the_author_watches_by_default(people, tokens, client):
    article = publish(people)
    body = client.get("/api/v1/follows/article/%d" % article.id, headers=tokens["asker"]).get_json()
    assert body["level"] == "watching" and body["chosen"] is False


@pytest.mark.parametrize("path", ["/api/v1/follows/forum/1", "/api/v1/follows/category/nope",
                                  "/api/v1/follows/article/999999", "/api/v1/follows/question/x"])
def test_api_unknown_things_are_404(people, tokens, client, path):
    assert client.get(path, headers=tokens["other"]).status_code == 404
    assert client.put(path, json={"level": "muted"}, headers=tokens["other"]).status_code == 404


def test_api_refuses_a_bad_level_and_an_unreadable_draft(people, tokens, client):
    draft = kb.create_article(people["asker"], "Draft", BODY, "internet")
    db.session.commit()
    bad = client.put("/api/v1/follows/category/internet", json={"level": "loud"}, headers=tokens["other"])
    assert bad.status_code == 422
    hidden = client.put("/api/v1/follows/article/%d" % draft.id, json={"level": "watching"}, headers=tokens["other"])
    assert hidden.status_code == 404
    assert db.session.scalars(select(Follow)).all() == []


def test_api_needs_a_token(people, client):
    assert client.get("/api/v1/follows").status_code == 401


# -- the pages


def test_follow_form_on_pages_stores_the_level(people, client, auth):
    article = publish(people)
    auth.login("other")
    page = client.get(article.path).get_data(as_text=True)
    assert 'action="/follow/article/%d"' % article.id in page
    assert 'value="normal" id=' in page and "checked" in page.split('value="normal"')[1].split(">")[0]
    answer = client.post("/follow/article/%d" % article.id, data={"level": "watching", "next": article.path})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(article.path)
    page = client.get(article.path).get_data(as_text=True)
    assert "checked" in page.split('value="watching"')[1].split(">")[0]
    for path in ("/kb/?category=internet", "/kb/?tag=fibre", "/questions?category=internet"):
        assert "follow-control" in client.get(path).get_data(as_text=True), path
    client.post("/follow/tag/fibre", data={"level": "muted"})
    listing = client.get("/account/following").get_data(as_text=True)
    assert "Fibre reset" in listing and "fibre" in listing


def test_question_page_has_the_control(people, client, auth):
    question = questions.ask_question(people["asker"], "Fibre is down again", "Red light.", "internet", expert_limit=0)
    db.session.commit()
    auth.login("asker")
    page = client.get(question.path).get_data(as_text=True)
    assert 'action="/follow/question/%d"' % question.id in page
    assert "checked" in page.split('value="watching"')[1].split(">")[0]  # the asker watches it


def test_follow_form_refuses_a_bad_level_and_a_hidden_draft(people, client, auth):
    draft = kb.create_article(people["asker"], "Draft", BODY, "internet")
    db.session.commit()
    auth.login("other")
    assert client.post("/follow/article/%d" % draft.id, data={"level": "watching"}).status_code == 404
    client.post("/follow/category/internet", data={"level": "loud"})
    assert db.session.scalars(select(Follow)).all() == []


def test_follow_form_needs_the_csrf_token(people, csrf_app, auth):
    client = csrf_app.test_client()
    from tests.conftest import AuthActions
    AuthActions(client).login("other")
    client.post("/follow/category/internet", data={"level": "watching"})
    assert db.session.scalars(select(Follow)).all() == []


def test_watchers_who_may_see_feedback_hear_of_a_comment(people):
    article = publish(people)
    follow(people["watcher"], "article", str(article.id))  # an agent: feedback is not theirs to read
    clear()
    kb.record_feedback(article, people["other"], False, "The cord is blue now, not green.")
    kb.record_feedback(article, people["voter"], True)  # no comment: nobody is told
    db.session.commit()
    assert told() == [("asker", "followed_feedback")]
    kb.record_feedback(article, people["other"], False, "The cord is blue now, not green.")
    db.session.commit()
    assert len(told()) == 1  # the same comment again tells nobody twice


def test_muting_my_question_silences_its_answers_but_not_a_mention(people):
    question = questions.ask_question(people["asker"], "Fibre is down again", "Red light.", "internet",
                                      expert_limit=0)
    db.session.commit()
    follow(people["asker"], "question", str(question.id), "muted")
    follow(people["answerer"], "question", str(question.id), "muted")
    clear()
    answer = questions.answer_question(question, people["answerer"], "Replug the cord, @asker.")
    questions.accept_answer(answer, people["lead"])
    db.session.commit()
    assert told() == [("asker", "mentioned")]
