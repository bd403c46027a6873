"""The demo knowledge base: file formats, two revisions per article, votes and freshness."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.categories import Category, get_category
from core.clock import utcnow
from extensions import db
from kb import services
from kb.models import Article, ArticleFeedback

CATEGORIES = """\
# slug | English name | description | fa | ar | th
internet | Internet & modems | No connection, slow speeds. | اینترنت و مودم | الإنترنت | อินเทอร์เน็ต
billing | Billing & refunds | Bills and refunds. | صورت‌حساب | الفواتير | บิล
"""

ARTICLE = """\
title: {title}
category: {category}
lang: {lang}
author: {author}
tags: modem, reset
status: {status}
summary: Check the line first.
---
## Problem / Symptoms

No internet.

## What to tell the customer

Back within 48 hours.

## When to escalate

Area outage.
"""


@pytest.fixture
def content(tmp_path):
    """A tiny demo content folder: two categories, four articles (one by an unknown author)."""
    (tmp_path / "categories.txt").write_text(CATEGORIES, encoding="utf-8")
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, values in {
        "a-published.md": dict(title="Modem reset", category="internet", lang="en",
                               author="agent", status="published"),
        "b-review.md": dict(title="ریست مودم", category="internet", lang="fa", author="agent",
                            status="in_review"),
        "c-draft.md": dict(title="Refund", category="billing", lang="en", author="agent",
                           status="draft"),
        "d-stranger.md": dict(title="Ghost", category="billing", lang="en", author="nobody",
                              status="published"),
    }.items():
        (articles / name).write_text(ARTICLE.format(**values), encoding="utf-8")
    return tmp_path


@pytest.fixture
def demo_people(ctx):
    from accounts import services as accounts
    from tests.factories import make_user
    make_user("lead", role="lead", team="Tehran")
    make_user("agent", team="Tehran")
    for name in ("reader1", "reader2", "reader3", "reader4"):
        make_user(name, team="Tehran")
    accounts.save_team("Tehran", "lead")
    db.session.commit()


def test_article_file_header_and_body_are_read():
    from demo.kb import parse_article
    headers, body = parse_article("title: A: B\nlang: fa\n---\n## Heading\n\nText\n")
    assert headers == {"title": "A: B", "lang": "fa"}
    assert body == "## Heading\n\nText\n"


def test_article_file_without_separator_is_refused():
    from demo.kb import parse_article
    with pytest.raises(ValueError):
        parse_article("title: A\n## Heading\n")


def test_first_draft_leaves_out_the_last_section():
    from demo.kb import first_draft_of
    draft, heading = first_draft_of("## One\n\na\n\n## Two\n\nb\n")
    assert draft == "## One\n\na\n" and heading == "Two"
    assert first_draft_of("## Only\n\na\n") == ("## Only\n\na\n", "")


def test_loader_builds_categories_articles_revisions_and_votes(clock, demo_people, content):
    from demo.kb import load_kb
    now = utcnow()
    summary = load_kb(str(content), now=now, review_interval_days=90)
    db.session.commit()
    assert "2 categories and 3 articles created" in summary[0]
    assert "d-stranger.md" in summary[1]
    internet = get_category("internet")
    assert internet.translations == {"fa": "اینترنت و مودم", "ar": "الإنترنت", "th": "อินเทอร์เน็ต"}
    published = db.session.scalar(select(Article).where(Article.title == "Modem reset"))
    assert published.status == "published" and published.verifier.username == "lead"
    assert [r.number for r in published.revisions] == [1, 2]
    assert "When to escalate" not in published.revisions[0].body
    assert "When to escalate" in published.revisions[1].body
    assert published.review_due == published.verified_at + timedelta(days=90)
    assert published.verified_at < now
    votes = db.session.scalar(select(func.count(ArticleFeedback.id)))
    assert votes >= 3 and published.helpful_count + published.unhelpful_count == votes
    # Issue 17: every demo article showed 0 views. More readers than voters, none for the drafts.
    assert published.view_count > votes
    assert db.session.scalar(select(func.sum(Article.view_count)).where(Article.status != "published")) == 0
    statuses = dict(db.session.execute(select(Article.title, Article.status)).all())
    assert statuses == {"Modem reset": "published", "ریست مودم": "in_review", "Refund": "draft"}


def test_loading_twice_creates_nothing_new(demo_people, content):
    from demo.kb import load_kb
    load_kb(str(content), review_interval_days=90)
    db.session.commit()
    again = load_kb(str(content), review_interval_days=90)
    assert "0 categories and 0 articles created" in again[0]
    assert db.session.scalar(select(func.count(Category.id))) == 2
    assert db.session.scalar(select(func.count(Article.id))) == 3


def test_real_demo_content_loads_in_four_languages_with_overdue_articles(clock, ctx):
    from demo.kb import load_kb
    from demo.loader import DEMO_PASSWORD
    from demo.people import load_people
    load_people(DEMO_PASSWORD)
    summary = load_kb(review_interval_days=90)
    db.session.commit()
    assert "skipped" not in " ".join(summary)
    articles = db.session.scalars(select(Article)).all()
    assert len(articles) >= 30
    assert {article.lang for article in articles} == {"en", "fa", "ar", "th"}
    assert len({article.category_id for article in articles}) >= 6
    assert all(article.revision_number == 2 for article in articles)
    published = [article for article in articles if article.status == "published"]
    assert all(services.customer_section(article) for article in published)
    overdue = [article for article in published if article.is_overdue()]
    assert 1 <= len(overdue) < len(published) // 2
    from accounts.services import get_user
    flagged = {flag.article for flag in services.open_flags(get_user("admin"))}
    assert flagged == set(overdue)
