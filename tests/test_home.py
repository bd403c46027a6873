"""The agent's home: my categories, saved articles, my drafts, my questions, reviews due; and true
view counts (every reading by someone other than the author, written by the read buffer)."""
import re
from contextlib import contextmanager

from sqlalchemy import event, select

from accounts.services import get_user
from extensions import db
from kb import services
from kb.models import Article
from tests.factories import flush_reads, make_user
from tests.factories_awards import make_title
from tests.factories_kb import make_article, make_category
from tests.factories_mentoring import plant
from tests.factories_qa import make_answer, make_question


def make_team(app):
    """A lead, the agent `sara` and her colleagues, categories internet and billing."""
    with app.app_context():
        make_user("lead", role="lead")
        make_user("sara", display_name="Sara")
        for name in ("reza", "nima", "omar", "emma"):
            make_user(name)
        make_category("internet")
        make_category("billing")


def publish(app, title, category="internet", author="reza"):
    with app.app_context():
        return make_article(get_user(author), category=category, title=title, status="published",
                            publisher=get_user("lead")).id


def sections(page):
    """{section name: its HTML} of a home page."""
    found = {}
    for match in re.finditer(r'<section class="card home-section[^"]*"[^>]*data-home-section="(\w+)"', page):
        end = page.find("</section>", match.end())
        found[match.group(1)] = page[match.end():end]
    return found


def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return sections(response.get_data(as_text=True))


def test_signed_out_home_shows_no_sections(app, client):
    make_team(app)
    assert home(client) == {}


def test_agent_sees_saved_drafts_and_open_questions(app, client, auth):
    make_team(app)
    saved_id = publish(app, "Router keeps rebooting")
    publish(app, "Modem DSL light blinking")
    with app.app_context():
        sara = get_user("sara")
        make_article(sara, title="My half-written draft")
        in_review = make_article(sara, title="Waiting for an expert")
        services.submit_for_review(in_review, sara)
        services.save_article(sara, services.get_article(saved_id))
        db.session.commit()
        asked = make_question(sara, title="PON light blinks red")
        make_answer(asked, get_user("reza"))
        make_question(sara, title="Nobody answered this yet")
    auth.login("sara")
    found = home(client)
    assert set(found) >= {"categories", "saved", "drafts", "questions"}
    assert "Router keeps rebooting" in found["saved"] and "Modem DSL" not in found["saved"]
    assert "My half-written draft" in found["drafts"] and "Waiting for an expert" in found["drafts"]
    assert "In review" in found["drafts"]
    assert "PON light blinks red" in found["questions"] and "1 answer" in found["questions"]
    assert "no answer yet" in found["questions"]
    assert 'dir="auto"' in found["saved"]  # titles keep their own direction inside the interface
    assert "reviews" not in found  # a plain agent reviews nothing


def test_empty_sections_say_what_to_do(app, client, auth):
    make_team(app)
    auth.login("sara")
    found = home(client)
    assert "Press Save on an article" in found["saved"]
    assert "Write an article" in found["drafts"]
    assert "Ask the team" in found["questions"]
    assert "No published articles here yet" in found["categories"]


def test_my_categories_come_from_my_contacts_and_fall_back_to_all(app, client, auth):
    make_team(app)
    publish(app, "Router keeps rebooting", category="internet")
    publish(app, "Refund a double charge", category="billing")
    auth.login("sara")
    everything = home(client)["categories"]
    assert "Across the knowledge base" in everything
    assert "Router keeps rebooting" in everything and "Refund a double charge" in everything
    with app.app_context():
        plant("sara", "billing", 12, 10)
        billing = db.session.scalar(select(Article.category_id).where(Article.title == "Refund a double charge"))
        assert services.my_category_ids(get_user("sara")) == [billing]
    mine = home(client)["categories"]
    assert "My categories" in mine
    assert "Refund a double charge" in mine and "Router keeps rebooting" not in mine


def test_an_expert_title_makes_a_category_mine_and_shows_reviews_due(app, client, auth):
    make_team(app)
    with app.app_context():
        from core.categories import get_category
        make_title(get_user("sara"), get_category("internet"), get_user("lead"))
        waiting = make_article(get_user("reza"), title="Please review my fix")
        services.submit_for_review(waiting, get_user("reza"))
        db.session.commit()
    auth.login("sara")
    found = home(client)
    assert "My categories" in found["categories"]
    assert "Please review my fix" in found["reviews"] and "Waiting for your review" in found["reviews"]


def test_views_are_true_after_the_buffer_is_written_and_rank_most_read(app, client, auth):
    make_team(app)
    read_often = publish(app, "Router keeps rebooting")
    publish(app, "Modem DSL light blinking")
    readers = ("sara", "nima", "omar", "emma", "lead")
    for reader in readers:
        auth.login(reader)
        assert client.get("/kb/%d" % read_often).status_code == 200
        auth.logout()
    auth.login("reza")  # the author's own readings do not count
    client.get("/kb/%d" % read_often)
    with app.app_context():
        assert db.session.get(Article, read_often).view_count == 0  # buffered: reading wrote nothing
    flush_reads(app)
    with app.app_context():
        assert db.session.get(Article, read_often).view_count == len(readers)
    auth.logout()
    auth.login("lead")
    page = client.get("/kb/%d" % read_often).get_data(as_text=True)
    assert "%d views" % len(readers) in page
    most_read = home(client)["categories"].split("Most read", 1)[1]
    assert "Router keeps rebooting" in most_read and "5 views" in most_read
    assert "Modem DSL light blinking" not in most_read  # never read: not among the most read
    assert "5 views" in client.get("/kb/").get_data(as_text=True)


@contextmanager
def counted_queries(app):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "PRAGMA")):
            statements.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_home_takes_as_many_queries_with_many_items_as_with_one(app, client, auth):
    make_team(app)
    first = publish(app, "Article 0")
    with app.app_context():
        sara = get_user("sara")
        services.save_article(sara, services.get_article(first))
        make_article(sara, title="Draft 0")
        make_question(sara, title="Question 0")
        db.session.commit()
    auth.login("sara")
    home(client)  # warm: the session's user, translations
    with counted_queries(app) as few:
        home(client)
    with app.app_context():
        sara = get_user("sara")
        for number in range(1, 8):
            category = ("internet", "billing")[number % 2]
            article = services.get_article(publish(app, "Article %d" % number, category=category))
            services.save_article(sara, article)
            make_article(sara, title="Draft %d" % number, category="billing")
            make_question(sara, title="Question %d" % number, category="billing")
        db.session.commit()
    with counted_queries(app) as many:
        found = home(client)
    assert "Article 7" in found["saved"] and "Draft 7" in found["drafts"]
    assert len(many) == len(few), many
    # The whole page (session, sections of every domain, the recognition feed): a fixed number.
    assert len(many) <= 45



def test_a_watched_category_comes_first_and_a_muted_one_never_shows(app):
    from accounts.following.services import find_target, set_level
    from core.categories import get_category
    make_team(app)
    with app.app_context():
        sara = get_user("sara")
        plant("sara", "billing", 12, 10)
        internet, billing = get_category("internet").id, get_category("billing").id
        assert services.my_category_ids(sara) == [billing]
        set_level(sara, find_target(sara, "category", "internet"), "watching")
        db.session.commit()
        assert services.my_category_ids(sara) == [internet, billing]
        set_level(sara, find_target(sara, "category", "billing"), "muted")
        db.session.commit()
        assert services.my_category_ids(sara) == [internet]
