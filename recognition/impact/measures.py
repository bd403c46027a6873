"""Knowledge measures in the KCS sense, per team, category and period (never per agent, and in
no ranking: activity targets corrupt a knowledge base).

- link rate: contacts with at least one article linked, over all contacts;
- reuse: links to articles that existed when the contact was opened, over all links (the others
  went to articles written after the contact, often from it);
- helped share: contacts in categories that have a published article with a `helps` verdict,
  over all contacts.
"""
from dataclasses import dataclass

from sqlalchemy import case, exists, func, select

from core.periods import week_label
from extensions import db
from kb.models import Article
from recognition.impact.models import ArticleImpact, ArticleUse
from recognition.models import ResolutionRecord
from recognition.services.metrics import in_period, in_scope, period_totals

_uses = ArticleUse.__table__
_records = ResolutionRecord.__table__


@dataclass(frozen=True)
class WeekMeasure:
    week: object  # Monday
    contacts: int
    linked_contacts: int

    @property
    def link_rate(self):
        return self.linked_contacts / self.contacts if self.contacts else None


@dataclass(frozen=True)
class KnowledgeMeasures:
    """The measures of one scope and period, with the weeks they are made of."""

    period: object
    contacts: int
    linked_contacts: int
    links: int
    links_to_existing: int
    helped_contacts: int
    weeks: tuple

    @staticmethod
    def _share(part, whole):
        return part / whole if whole else None

    @property
    def link_rate(self):
        return self._share(self.linked_contacts, self.contacts)

    @property
    def reuse_rate(self):
        return self._share(self.links_to_existing, self.links)

    @property
    def helped_share(self):
        return self._share(self.helped_contacts, self.contacts)

    def as_json(self):
        def rounded(value):
            return None if value is None else round(value, 4)
        return {
            "since": self.period.since.isoformat(), "until": self.period.until.isoformat(),
            "contacts": self.contacts, "linked_contacts": self.linked_contacts,
            "link_rate": rounded(self.link_rate), "links": self.links,
            "links_to_existing": self.links_to_existing, "reuse_rate": rounded(self.reuse_rate),
            "contacts_in_helped_categories": self.helped_contacts,
            "helped_share": rounded(self.helped_share),
            "weeks": [{"week": week_label(week.week), "contacts": week.contacts,
                       "linked_contacts": week.linked_contacts, "link_rate": rounded(week.link_rate)}
                      for week in self.weeks],
        }


def helped_category_ids():
    """Categories with a published article whose verdict is `helps`."""
    return set(db.session.scalars(
        select(Article.category_id).join(ArticleImpact, ArticleImpact.article_id == Article.id)
        .where(ArticleImpact.verdict == "helps", Article.status == "published").distinct()))


def knowledge_measures(period, team_id=None, category_id=None):
    """The KnowledgeMeasures of the contacts of a team and category (None: all) in the period."""
    scope = {"team_id": team_id, "category_id": category_id}
    by_category = period_totals(period, ("category_id",), **scope)
    contacts = sum(totals.contacts for totals in by_category.values())
    helped = helped_category_ids()
    weekly = period_totals(period, ("week",), **scope)
    linked = exists().where(_uses.c.ticket_id == _records.c.ticket_id)
    linked_by_week = dict(db.session.execute(in_scope(
        select(_records.c.week, func.count()).where(*in_period(period), linked)
        .group_by(_records.c.week), _records, **scope)).all())
    existing = case((Article.created_at <= _records.c.opened_at, 1), else_=0)
    links, links_to_existing = db.session.execute(in_scope(
        select(func.count(), func.coalesce(func.sum(existing), 0))
        .select_from(_uses.join(_records, _records.c.ticket_id == _uses.c.ticket_id)
                     .join(Article, Article.id == _uses.c.article_id))
        .where(*in_period(period)), _records, **scope)).one()
    weeks = tuple(WeekMeasure(week, weekly[(week,)].contacts if (week,) in weekly else 0,
                              int(_linked_in(linked_by_week, week)))
                  for week in period.weeks())
    return KnowledgeMeasures(
        period=period, contacts=contacts, linked_contacts=sum(week.linked_contacts for week in weeks),
        links=int(links), links_to_existing=int(links_to_existing),
        helped_contacts=sum(totals.contacts for (category_id,), totals in by_category.items()
                            if category_id in helped),
        weeks=weeks)


def _linked_in(linked_by_week, week):
    """A week's linked contacts; SQLite hands weeks back as ISO text, PostgreSQL as dates."""
    return linked_by_week.get(week, linked_by_week.get(week.isoformat(), 0))
