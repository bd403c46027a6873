"""Builders for knowledge-base test data; each commits so that requests see it."""
from core.categories import create_category
from extensions import db
from kb import services

HOWTO_BODY = """## Problem / Symptoms

The modem's DSL light blinks and never stays on.

## Steps to resolve

1. Check the line in the status tool.
2. Restart the modem.

## What to tell the customer

A technician call costs nothing if the fault is ours; **expect a visit within 48 hours**.

## When to escalate

Three customers in one street: tell the network team.
"""


def make_category(slug="internet", name=None, **kw):
    """Create and commit a category (needs an application context)."""
    category = create_category(name or slug.replace("-", " ").title(), slug, **kw)
    db.session.commit()
    return category


def make_article(author, category="internet", title="Modem DSL light blinking", body=HOWTO_BODY,
                 status="draft", publisher=None, **kw):
    """Create and commit an article; `publisher` (an expert) publishes it when status is published."""
    if status == "published" and publisher is not None:
        article = services.create_article(author, title, body, category, **kw)
        services.submit_for_review(article, author)
        services.publish_article(article, publisher)
    else:
        article = services.create_article(author, title, body, category, status=status, **kw)
    db.session.commit()
    return article
