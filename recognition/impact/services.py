"""Impact of articles on the contacts they were used on: the totals from the database, the
estimate (recognition/impact/estimate.py), and what is stored for badges, profiles and search."""
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.notifications import notify
from core.categories import Category
from core.clock import utcnow
from core.periods import default_period, parse_period
from extensions import db
from kb import services as kb
from kb.models import Article
from recognition.impact import notices  # noqa: F401  (its notification kind)
from recognition.impact.estimate import ImpactSettings, Stratum, estimate_impact
from recognition.impact.models import ArticleImpact, ArticleUse
from recognition.models import ResolutionRecord
from recognition.scoring import wilson_lower_bound
from recognition.services.metrics import (
    Totals,
    in_period,
    period_totals,
    record_total_columns,
)
from recognition.services.score_settings import load_ranking_settings

VERDICT_LABELS = {
    "helps": _l("Helps customers"),
    "hurts": _l("Hurts customers"),
    "no_clear_effect": _l("No clear effect"),
    "too_few": _l("Too few contacts to tell"),
}

_uses = ArticleUse.__table__
_records = ResolutionRecord.__table__


def impact_settings():
    """The configured minimum of linked contacts and minimum lift (KNOWHOW_IMPACT_*)."""
    config = current_app.config
    return ImpactSettings(min_contacts=config["IMPACT_MIN_CONTACTS"],
                          min_lift=config["IMPACT_MIN_LIFT_POINTS"] / 100.0)


def impact_period(since=None, until=None):
    """The period of an impact: since..until (ISO dates), by default the current period."""
    return parse_period(since, until, load_ranking_settings().period_days)


def current_period():
    return default_period(load_ranking_settings().period_days)


# What the estimate reads of a group of linked contacts (not NPS: it is not compared).
LINKED_FIELDS = ("contacts", "fcr_count", "reopened_count", "handle_sum", "csat_sum", "csat_responses")


def _linked_columns():
    return [column for column in record_total_columns() if column.name in LINKED_FIELDS]


def _linked(contacts, fcr_count, reopened_count, handle_sum, csat_sum, csat_responses):
    return Totals(contacts, fcr_count, reopened_count, handle_sum, 0, 0, 0, csat_sum, csat_responses)


def _uses_by_ticket(article_ids=None):
    """The links in ticket order, as a materialised CTE: the join then reads the records in
    the order of their ticket index instead of jumping around it (a third faster on SQLite
    with 100,000 links over 1,000,000 contacts)."""
    statement = select(_uses.c.article_id, _uses.c.ticket_id).order_by(_uses.c.ticket_id)
    if article_ids is not None:
        statement = statement.where(_uses.c.article_id.in_(list(article_ids)))
    return statement.cte("uses_by_ticket").prefix_with("MATERIALIZED")


def linked_totals(period, article_ids=None):
    """{(article id, agent id, category id): Totals} of the linked contacts opened in the period
    (NPS left at zero)."""
    used = _uses_by_ticket(article_ids)
    statement = (
        select(used.c.article_id, _records.c.agent_id, _records.c.category_id, *_linked_columns())
        .select_from(used.join(_records, _records.c.ticket_id == used.c.ticket_id))
        .where(*in_period(period))
        .group_by(used.c.article_id, _records.c.agent_id, _records.c.category_id))
    # Sums over at least one record are never NULL: the values go to Totals as they come.
    return {(row[0], row[1], row[2]): _linked(*row[3:]) for row in db.session.execute(statement)}


def strata_by_article(period, article_ids=None):
    """{article id: [Stratum]}: each article's linked contacts per agent and category, beside
    all of that agent's contacts in that category and period."""
    linked = linked_totals(period, article_ids)
    if not linked:
        return {}
    categories = {category_id for _article, _agent, category_id in linked}
    scope = {"category_id": next(iter(categories))} if len(categories) == 1 else {}
    everything = period_totals(period, ("agent_id", "category_id"), **scope)
    strata = defaultdict(list)
    for (article_id, agent_id, category_id), totals in linked.items():
        strata[article_id].append(Stratum(agent_id, category_id, totals,
                                          everything.get((agent_id, category_id), totals)))
    return strata


def article_impact(article, period=None, settings=None):
    """The Impact of one article over `period` (default: the current period)."""
    period = period or current_period()
    strata = strata_by_article(period, [article.id]).get(article.id, [])
    return estimate_impact(strata, settings or impact_settings())


def weekly_impact(article, period, settings=None):
    """[(week Monday, Impact)] of the article for every week the period touches, from one
    query of its linked contacts and one of everyone's, both grouped by week."""
    settings = settings or impact_settings()
    linked = defaultdict(dict)
    used = _uses_by_ticket([article.id])
    statement = (
        select(_records.c.week, _records.c.agent_id, _records.c.category_id, *_linked_columns())
        .select_from(used.join(_records, _records.c.ticket_id == used.c.ticket_id))
        .where(*in_period(period))
        .group_by(_records.c.week, _records.c.agent_id, _records.c.category_id))
    for row in db.session.execute(statement):
        linked[row[0]][(row[1], row[2])] = _linked(*row[3:])
    categories = {category_id for weeks in linked.values() for _agent, category_id in weeks}
    scope = {"category_id": next(iter(categories))} if len(categories) == 1 else {}
    everything = period_totals(period, ("week", "agent_id", "category_id"), **scope) if linked else {}
    weekly = []
    for monday in period.weeks():
        strata = [Stratum(agent_id, category_id, totals, everything.get((monday, agent_id, category_id), totals))
                  for (agent_id, category_id), totals in linked.get(monday, {}).items()]
        weekly.append((monday, estimate_impact(strata, settings)))
    return weekly


def stored_impact(article_id):
    """The ArticleImpact the last recompute stored, or None."""
    return db.session.get(ArticleImpact, article_id)


def recompute_impacts(period=None, settings=None):
    """Estimate every linked article's impact over the current period and store it; returns
    {article id: Impact}. Articles with no linked contact in the period keep no row."""
    period = period or current_period()
    settings = settings or impact_settings()
    impacts = {article_id: estimate_impact(strata, settings)
               for article_id, strata in strata_by_article(period).items()}
    stored = {row.article_id: row for row in db.session.scalars(select(ArticleImpact))}
    now = utcnow()
    for article_id, row in stored.items():
        if article_id not in impacts:
            db.session.delete(row)
    for article_id, impact in impacts.items():
        row = stored.get(article_id)
        if row is None:
            row = ArticleImpact(article_id=article_id)
            db.session.add(row)
        low, high = impact.fcr_lift_ci or (None, None)
        row.computed_at, row.since, row.until = now, period.since, period.until
        row.contacts, row.fcr, row.baseline_fcr = impact.contacts, impact.fcr, impact.baseline_fcr
        row.fcr_lift, row.fcr_lift_low, row.fcr_lift_high = impact.fcr_lift, low, high
        if impact.verdict != "hurts":
            row.review_requested_at = None
        row.verdict = impact.verdict
        if impact.verdict == "hurts" and row.review_requested_at is None:
            _send_to_review(row, impact, period, now)
    _mark_proven({article_id: impact.fcr_lift for article_id, impact in impacts.items()
                  if impact.verdict == "helps"})
    db.session.flush()
    return impacts


def _mark_proven(lifts):
    """Keep Article.impact_lift (what search ranks and explains by) in line with the verdicts,
    writing only the articles whose lift changed: each write re-indexes the article."""
    marked = db.session.scalars(select(Article).where(
        (Article.impact_lift.is_not(None)) | (Article.id.in_(list(lifts))))).all()
    for article in marked:
        lift = lifts.get(article.id)
        lift = None if lift is None else round(lift, 4)
        if article.impact_lift != lift:
            article.impact_lift = lift


def _percent(fraction):
    return "%d %%" % round(fraction * 100)


def _send_to_review(row, impact, period, now):
    """An article that hurts goes back to review once, with the figures, and its category's
    experts are told; the next recompute that finds the same harm leaves it be."""
    article = db.session.get(Article, row.article_id)
    low, high = impact.fcr_lift_ci
    figures = {"fcr": _percent(impact.fcr), "baseline": _percent(impact.baseline_fcr),
               "contacts": impact.compared_contacts, "lift": lift_points(impact.fcr_lift),
               "low": lift_points(low), "high": lift_points(high)}
    reason = ("Agents who used it resolved %(fcr)s of %(contacts)s contacts first time, against"
              " %(baseline)s for the same agents without it (%(lift)s points, 95 %% interval"
              " %(low)s to %(high)s)" % figures) + ", %s – %s." % (period.since.isoformat(),
                                                                  period.until.isoformat())
    if kb.request_review(article, reason) is None:
        return
    row.review_requested_at = now
    people = kb.category_experts(article.category_id, article.author) + [article.author]
    for person in {person.id: person for person in people if person is not None}.values():
        notify(person, "impact_review_requested", article.path, title=article.title,
               category=article.category, **figures)


def lift_points(lift):
    """A lift as signed points of first-contact resolution: 0.153 -> "+15", -0.04 -> "−4"."""
    points = round(lift * 100)
    return "+%d" % points if points > 0 else ("−%d" % -points if points < 0 else "±0")


@dataclass(frozen=True)
class AuthorKnowledge:
    """What a person's articles did, from the stored impacts: contacts they were used on, and
    those that help, with their lift ([(article id, title, lift)], largest first)."""

    articles: int
    contacts: int
    helping: tuple

    def as_json(self):
        return {"articles": self.articles, "contacts": self.contacts,
                "helping": [{"id": article_id, "title": title, "fcr_lift": _rounded(lift, 4)}
                            for article_id, title, lift in self.helping]}


def knowledge_of_authors(user_ids, category_id=None):
    """{author id: AuthorKnowledge} of the given people's articles (in one category, if given)."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    statement = (select(Article.author_id, Article.id, Article.title, ArticleImpact.contacts,
                        ArticleImpact.verdict, ArticleImpact.fcr_lift)
                 .join(ArticleImpact, ArticleImpact.article_id == Article.id)
                 .where(Article.author_id.in_(user_ids)))
    if category_id is not None:
        statement = statement.where(Article.category_id == category_id)
    rows = defaultdict(list)
    for author_id, *rest in db.session.execute(statement):
        rows[author_id].append(rest)
    return {author_id: AuthorKnowledge(
        articles=len(found), contacts=sum(contacts for _id, _title, contacts, _verdict, _lift in found),
        helping=tuple(sorted(((article_id, title, lift) for article_id, title, _contacts, verdict, lift in found
                              if verdict == "helps"), key=lambda item: (-item[2], item[0]))))
        for author_id, found in rows.items()}


@dataclass(frozen=True)
class TrickToCapture:
    """A category someone resolves markedly better than the team, without a helping article."""

    category: object
    fcr: float
    category_fcr: float


def tricks_to_capture(user, period=None):
    """[TrickToCapture] for `user`: the categories where their first-contact resolution passes
    the top-performer ranking's test (enough contacts, and the Wilson lower bound of their FCR
    above the category's) and no published article has a `helps` verdict yet."""
    score = load_ranking_settings().score
    period = period or current_period()
    mine = period_totals(period, ("category_id",), agent_id=user.id)
    if not any(totals.contacts >= score.min_contacts for totals in mine.values()):
        return []
    everyone = period_totals(period, ("category_id",))
    helped = set(db.session.scalars(
        select(Article.category_id).join(ArticleImpact, ArticleImpact.article_id == Article.id)
        .where(ArticleImpact.verdict == "helps", Article.status == "published")))
    found = []
    for (category_id,), totals in mine.items():
        pooled = everyone.get((category_id,))
        if totals.contacts < score.min_contacts or category_id in helped or pooled is None:
            continue
        category_fcr = pooled.fcr_count / pooled.contacts
        if wilson_lower_bound(totals.fcr_count, totals.contacts, score.z) > category_fcr:
            found.append(TrickToCapture(db.session.get(Category, category_id),
                                        totals.fcr_count / totals.contacts, category_fcr))
    return sorted(found, key=lambda trick: (-(trick.fcr - trick.category_fcr), trick.category.name))


def _rounded(value, digits):
    return None if value is None else round(float(value), digits)


def impact_json(article, impact, review_requested):
    """The SPEC's GET /articles/<id>/impact body, plus how many contacts were compared."""
    return {
        "article": article.id,
        "contacts": impact.contacts,
        "compared_contacts": impact.compared_contacts,
        "agents": impact.agents,
        "fcr": _rounded(impact.fcr, 4),
        "baseline_fcr": _rounded(impact.baseline_fcr, 4),
        "fcr_lift": _rounded(impact.fcr_lift, 4),
        "fcr_lift_ci": ([_rounded(bound, 4) for bound in impact.fcr_lift_ci]
                        if impact.fcr_lift_ci else None),
        "aht_seconds": _rounded(impact.aht_seconds, 1),
        "baseline_aht_seconds": _rounded(impact.baseline_aht_seconds, 1),
        "csat": _rounded(impact.csat, 2),
        "baseline_csat": _rounded(impact.baseline_csat, 2),
        "reopen_rate": _rounded(impact.reopen_rate, 4),
        "baseline_reopen_rate": _rounded(impact.baseline_reopen_rate, 4),
        "verdict": impact.verdict,
        "review_requested": review_requested,
    }
