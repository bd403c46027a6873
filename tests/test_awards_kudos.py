"""Kudos: thanking colleagues, refusing oneself and spam, notifications read."""
import pytest
from sqlalchemy import func, select

from accounts.models import Notification
from accounts.services import get_user
from errors import Invalid
from extensions import db
from kb.services import create_article
from recognition.awards import services
from recognition.awards.kudos import KUDOS_PER_HOUR, TooManyKudos
from recognition.awards.models import Kudos
from tests.factories import bearer, make_token
from tests.factories_awards import make_category, make_people


@pytest.fixture
def people(ctx):
    people = make_people()
    make_category("billing")
    return people


def kudos_count():
    return db.session.scalar(select(func.count(Kudos.id)))


def test_kudos_reach_the_recipient_as_a_notification(people):
    services.give_kudos(get_user("omid"), get_user("sara"), "Your refund trick saved my call")
    db.session.commit()
    notification = db.session.scalar(select(Notification))
    assert notification.kind == "kudos_received" and notification.recipient.username == "sara"
    assert notification.params["message"] == "Your refund trick saved my call"


def test_kudos_to_oneself_are_refused(people):
    with pytest.raises(Invalid) as error:
        services.give_kudos(get_user("sara"), get_user("sara"), "I am great")
    assert "to" in error.value.fields and kudos_count() == 0


@pytest.mark.parametrize("message", ["", "   ", "x" * 501, None])
def test_kudos_need_a_message_of_1_to_500_characters(people, message):
    with pytest.raises(Invalid) as error:
        services.give_kudos(get_user("omid"), get_user("sara"), message)
    assert "message" in error.value.fields and kudos_count() == 0


def test_kudos_for_an_article_take_its_category(people):
    article = create_article(get_user("lead"), "Refund a double charge", "Body", "billing", status="published")
    kudos = services.give_kudos(get_user("omid"), get_user("sara"), "Great article",
                                article_id=article.id)
    assert kudos.category.slug == "billing" and kudos.article_id == article.id


@pytest.mark.parametrize("kwargs, field", [
    ({"article_id": 9999}, "article_id"),
    ({"article_id": "abc"}, "article_id"),
    ({"answer_id": 12}, "answer_id"),
])
def test_kudos_for_unknown_articles_or_answers_are_refused(people, kwargs, field):
    with pytest.raises(Invalid) as error:
        services.give_kudos(get_user("omid"), get_user("sara"), "Thanks", **kwargs)
    assert field in error.value.fields and kudos_count() == 0


def test_an_unpublished_article_of_someone_else_cannot_be_named(people):
    draft = create_article(get_user("sara"), "Draft", "Body", "billing")
    db.session.commit()
    with pytest.raises(Invalid):
        services.give_kudos(get_user("omid"), get_user("sara"), "Thanks", article_id=draft.id)


def test_kudos_are_limited_per_sender_per_hour(people):
    for number in range(KUDOS_PER_HOUR):
        services.give_kudos(get_user("omid"), get_user("sara"), "Thanks %d" % number)
    with pytest.raises(TooManyKudos):
        services.give_kudos(get_user("omid"), get_user("lead"), "One more")
    # Someone else is not affected by omid's spree.
    services.give_kudos(get_user("sara"), get_user("omid"), "Thanks back")
    assert kudos_count() == KUDOS_PER_HOUR + 1


def test_api_kudos_limit_answers_429_in_the_spec_shape(app, client):
    with app.app_context():
        make_people()
        token = make_token(get_user("omid"))
    for number in range(KUDOS_PER_HOUR):
        assert client.post("/api/v1/kudos", json={"to": "sara", "message": "Thanks %d" % number},
                           headers=bearer(token)).status_code == 201
    response = client.post("/api/v1/kudos", json={"to": "sara", "message": "Spam"},
                           headers=bearer(token))
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"


def test_kudos_notification_is_marked_read_when_opened(app, client, auth):
    with app.app_context():
        make_people()
        services.give_kudos(get_user("omid"), get_user("sara"), "Thanks!")
        db.session.commit()
        notification_id = db.session.scalar(select(Notification.id))
    auth.login("sara")
    assert "<bdi>omid</bdi> thanked you: <bdi>Thanks!</bdi>" in client.get("/notifications").get_data(as_text=True)
    response = client.post("/notifications/read", data={"id": notification_id, "next": "/people/sara"})
    assert response.headers["Location"] == "/people/sara"
    with app.app_context():
        assert db.session.get(Notification, notification_id).read_at is not None
