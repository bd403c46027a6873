"""A person's contributions, counted by the knowledge base for profiles and badges."""
from extensions import db
from kb import services as kb
from tests.factories import bearer, make_token, make_user
from tests.factories_kb import make_article, make_category


def test_profile_counts_published_articles_and_helpful_votes(app, client):
    with app.app_context():
        make_category()
        lead = make_user("lead", role="lead")
        author = make_user("writer")
        readers = [make_user("reader%d" % n) for n in range(3)]
        published = make_article(lead, title="Reset the modem the right way", status="published")
        make_article(lead, title="A draft that does not count yet")
        for reader, helpful in zip(readers, (True, True, False)):
            kb.record_feedback(published, reader, helpful)
        db.session.commit()
        assert kb.count_published_articles(lead) == 1
        assert kb.count_helpful_votes(lead) == 2
        assert kb.count_published_articles(author) == 0
        token = make_token(lead)
    stats = client.get("/api/v1/users/lead", headers=bearer(token)).get_json()["stats"]
    assert stats["articles_published"] == 1
    assert stats["helpful_votes_received"] == 2
