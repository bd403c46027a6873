"""Recognition pages: feed, home and profile sections, kudos form, leads' desk, badge pages."""
import pytest
from sqlalchemy import func, select

from accounts.services import get_user
from extensions import db
from recognition.awards import services
from recognition.awards.models import BadgeAward, BadgeDefinition, Title
from tests.factories_awards import make_category, make_people, make_title


@pytest.fixture(scope="module")
def people(module_transaction):
    """factories_awards.make_people's people and the billing category (built once for the
    module, each test's changes rolled back)."""
    with module_transaction.app_context():
        make_people()
        make_category("billing")


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


@pytest.mark.parametrize("method, path", [
    ("get", "/recognition/titles"),
    ("post", "/recognition/titles/award"),
    ("post", "/recognition/titles/1/renew"),
    ("post", "/recognition/titles/1/revoke"),
    ("get", "/recognition/badges/award"),
    ("post", "/recognition/badges/award"),
    ("get", "/recognition/badges/new"),
    ("post", "/recognition/badges/new"),
    ("get", "/recognition/badges/customer-hero/edit"),
    ("post", "/recognition/badges/customer-hero/edit"),
])
def test_agent_gets_403_on_every_award_page(app, client, auth, people, method, path):
    with app.app_context():
        make_title(get_user("omid"), make_category("internet"), get_user("lead"))
    auth.login("sara")
    data = {"username": "sara", "category": "billing", "reason": "Me", "badge": "customer-hero",
            "name": "X", "icon": "star", "slug": "x-badge"}
    response = getattr(client, method)(path, data=data)
    assert response.status_code == 403
    assert count(app, BadgeAward) == 0 and count(app, Title) == 1


def test_lead_awards_a_title_from_the_desk_in_one_click(app, client, auth, people):
    auth.login("lead")
    desk = client.get("/recognition/titles").get_data(as_text=True)
    assert "Expert titles" in desk
    assert "choose another date" not in desk  # the award form has no date: a term ends as its term
    response = client.post("/recognition/titles/award",
                           data={"username": "sara", "category": "billing", "reason": "Top FCR"})
    assert response.status_code == 302
    with app.app_context():
        title = db.session.scalar(select(Title))
        assert title.user.username == "sara" and title.reason == "Top FCR"
    page = client.get("/recognition/titles").get_data(as_text=True)
    assert "Billing Expert" in page and "Revoke" in page


def test_lead_revokes_a_title_with_a_reason(app, client, auth, people):
    with app.app_context():
        title_id = make_title(get_user("sara"), make_category("tv"), get_user("lead")).id
    auth.login("lead")
    client.post("/recognition/titles/%d/revoke" % title_id, data={"reason": ""})
    with app.app_context():
        assert db.session.get(Title, title_id).revoked_at is None
    client.post("/recognition/titles/%d/revoke" % title_id, data={"reason": "Changed team"})
    with app.app_context():
        assert db.session.get(Title, title_id).revoke_reason == "Changed team"


def test_titles_near_expiry_are_listed_for_renewal(app, client, auth, people):
    with app.app_context():
        make_title(get_user("sara"), make_category("tv"), get_user("lead"), days_left=3)
    auth.login("lead")
    page = client.get("/recognition/titles").get_data(as_text=True)
    assert "Expiring soon" in page and "Renew" in page


def test_lead_awards_a_badge_from_its_page(app, client, auth, people):
    auth.login("lead")
    response = client.post("/recognition/badges/award",
                           data={"username": "sara", "badge": "great-mentor", "reason": "Coached"})
    assert response.headers["Location"] == "/people/sara"
    assert count(app, BadgeAward) == 1


def test_admin_defines_a_badge(app, client, auth, people):
    auth.login("admin")
    client.post("/recognition/badges/new", data={"slug": "night-owl", "name": "Night owl",
                                                 "icon": "star", "active": "y"})
    with app.app_context():
        assert services.get_badge("night-owl").kind == "manual"
    assert "Night owl" in client.get("/recognition/badges").get_data(as_text=True)


def test_kudos_form_thanks_a_colleague_and_refuses_oneself(app, client, auth, people):
    auth.login("omid")
    page = client.post("/recognition/kudos/new", data={"to": "omid", "message": "Me"})
    assert "cannot thank yourself" in page.get_data(as_text=True)
    response = client.post("/recognition/kudos/new", data={"to": "sara", "message": "Thanks!"})
    assert response.headers["Location"] == "/people/sara"
    assert "Thanks!" in client.get("/people/sara").get_data(as_text=True)


def test_feed_shows_recognition_and_filters_by_team_and_category(app, client, auth, people):
    with app.app_context():
        make_category("tv")
        services.award_title(get_user("lead"), get_user("sara"), "billing", "Top FCR")
        services.give_kudos(get_user("admin"), get_user("omid"), "Great tv fix")
        db.session.commit()
    auth.login("omid")
    page = client.get("/recognition/feed").get_data(as_text=True)
    assert "Billing Expert" in page and "Great tv fix" in page
    by_category = client.get("/recognition/feed?category=billing").get_data(as_text=True)
    assert "Billing Expert" in by_category and "Great tv fix" not in by_category
    by_other_team = client.get("/recognition/feed?team=Nowhere").get_data(as_text=True)
    assert "Billing Expert" in by_other_team  # an unknown team name shows everyone
    assert "Great tv fix" in client.get("/recognition/feed?team=Desk").get_data(as_text=True)


def test_home_page_shows_the_latest_recognition(app, client, auth, people):
    with app.app_context():
        services.give_kudos(get_user("admin"), get_user("omid"), "Nice save")
        db.session.commit()
    auth.login("sara")
    page = client.get("/").get_data(as_text=True)
    assert "Nice save" in page and "/recognition/feed" in page


def test_profile_shows_titles_badges_kudos_and_own_stats(app, client, auth, people):
    with app.app_context():
        make_title(get_user("sara"), make_category("tv"), get_user("lead"))
        services.award_badge(get_user("lead"), get_user("sara"), "customer-hero", "Saved a VIP")
        services.give_kudos(get_user("omid"), get_user("sara"), "Thank you")
        db.session.commit()
    auth.login("sara")
    page = client.get("/people/sara").get_data(as_text=True)
    assert "Tv Expert" in page and "Customer hero" in page and "Saved a VIP" in page
    assert "Thank you" in page and "img/badges/hero.svg" in page
    assert "Give kudos" not in page  # not to oneself


def test_badge_page_lists_definitions_for_everyone(app, client, auth, people):
    auth.login("sara")
    page = client.get("/recognition/badges").get_data(as_text=True)
    with app.app_context():
        total = db.session.scalar(select(func.count(BadgeDefinition.id)))
    assert page.count('class="card badge-card') == total
    assert "Award a badge" not in page


def test_kudos_form_needs_a_csrf_token(csrf_app, people):
    client = csrf_app.test_client()
    client.post("/login", data={"username": "omid", "password": "correct-horse-battery"})
    assert client.post("/recognition/kudos/new",
                       data={"to": "sara", "message": "Thanks"}).status_code == 400


def test_an_expert_title_is_not_translated_as_an_article_title(app, client, auth, people):
    with app.app_context():
        lead = get_user("lead")
        lead.locale = "th"
        make_title(get_user("sara"), make_category("tv"), lead)
    auth.login("lead")
    titles_page = client.get("/recognition/titles").get_data(as_text=True)
    assert '<th scope="col">ตำแหน่ง</th>' in titles_page  # a rank, not the heading of a text
    assert "ชื่อเรื่อง" not in titles_page
    article_form = client.get("/kb/new").get_data(as_text=True)
    assert "ชื่อเรื่อง" in article_form


def test_the_desk_awards_a_title_to_anyone_typed_with_the_people_picker(app, client, auth, people):
    auth.login("lead")
    page = client.get("/recognition/titles").get_data(as_text=True)
    form = page.split('id="award-anyone-heading"')[1].split("</form>")[0]
    assert 'name="username"' in form and "data-people-picker" in form and 'name="category"' in form
    client.post("/recognition/titles/award", data={"username": "nobody-here", "category": "billing",
                                                   "reason": "Great"})
    assert "No user called nobody-here" in client.get("/recognition/titles").get_data(as_text=True)
    response = client.post("/recognition/titles/award",
                           data={"username": "sara", "category": "billing", "reason": "Asked by the team",
                                 "title": "Billing Guru"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Title)).user.username == "sara"
