"""The demo's planted article effects come out of the impact estimate as planted (issue 15)."""
import pytest
from sqlalchemy import select

from demo.kb import load_kb
from demo.people import load_people
from demo.resolutions import ARTICLE_EFFECTS, demo_articles, load_resolutions
from extensions import db
from kb.models import Article
from recognition.impact import services
from recognition.impact.models import ArticleImpact, ArticleUse
from recognition.services import period_metrics
from tests.conftest import DEMO_PASSWORD


@pytest.fixture(scope="module")
def demo(module_transaction, module_clock):
    """The demo people, knowledge base and year of contacts with their links (loaded once)."""
    with module_transaction.app_context():
        load_people(DEMO_PASSWORD)
        load_kb()
        load_resolutions()
        db.session.commit()
        return demo_articles()


def test_every_planted_article_has_links(demo, ctx):
    assert set(demo) == {slug for slug, *_ in ARTICLE_EFFECTS}
    linked = set(db.session.scalars(select(ArticleUse.article_id).distinct()))
    assert linked == {article_id for article_id, *_ in demo.values()}


@pytest.mark.parametrize("slug, verdict", [("internet", "helps"), ("mobile", "helps"),
                                           ("billing", "no_clear_effect"), ("tv", "no_clear_effect")])
def test_the_demo_import_finds_the_planted_effects(demo, ctx, slug, verdict):
    article_id, effect, _expert_use, _other_use = demo[slug]
    stored = db.session.get(ArticleImpact, article_id)
    assert stored.verdict == verdict, (slug, stored.fcr_lift, stored.fcr_lift_low, stored.fcr_lift_high)
    if effect:
        # Experts resolve ~90 % already: what the article adds to them is capped at 100 %.
        assert 0.05 < stored.fcr_lift < effect + 0.01
    else:
        assert stored.fcr_lift_low < 0 < stored.fcr_lift_high


def test_the_article_read_mostly_by_experts_only_looks_good_unstratified(demo, ctx):
    article = db.session.get(Article, demo["billing"][0])
    impact = services.article_impact(article)
    assert impact.verdict == "no_clear_effect"
    # Against everyone's other billing contacts it would look several points better.
    others = period_metrics(services.current_period(), category_id=article.category_id)
    assert impact.fcr > others.fcr + 0.03

