"""Demo resolution data: a year of contacts with clear experts per category, imported like a real file.

The CSV is generated in memory from a seeded random generator and goes through the same import
service as an upload, so the demo exercises the real path. Each agent has a skill profile per
category: the category's experts resolve more on first contact, are reopened less and please
customers more; one agent is fast but sloppy in internet (to show that speed without resolution
does not pay), and Emma grows into her accounts speciality over the year.

Some contacts name the articles used on them (the `articles` column), with a real effect planted
for some articles and none for others (ARTICLE_EFFECTS), so the impact pages show something true:
two articles raise first-contact resolution, two change nothing, and one of those is read mostly
by the category's experts (it would look good if each agent were not compared with themselves).
"""
import io
import random
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from core.categories import Category
from extensions import db
from kb.models import Article
from recognition.models import ResolutionRecord
from recognition.services import import_resolutions

CONTACTS = 40_000
DAYS = 365
SEED = 2026
TICKET_PREFIX = "DEMO-"
FILENAME = "demo-resolutions.csv"

# slug, English name, share of contacts, typical handle seconds
CATEGORIES = (
    ("internet", "Internet & modems", 0.26, 540),
    ("billing", "Billing & refunds", 0.24, 420),
    ("accounts", "Account access & security", 0.14, 360),
    ("mobile", "SIM, mobile & roaming", 0.16, 400),
    ("tv", "TV & streaming", 0.12, 480),
    ("moves", "Moves, line transfers & installations", 0.08, 600),
)
AGENTS = ("sara", "reza", "nima", "emma", "fatima", "yusuf", "layla", "james", "somchai", "nok", "anong")
EXPERTS = {
    "internet": ("sara", "somchai"),
    "billing": ("fatima", "james"),
    "accounts": ("reza", "emma"),
    "mobile": ("yusuf", "nok"),
    "tv": ("layla", "anong"),
    "moves": ("nima",),
}
CHANNELS = (("phone", 0.55), ("chat", 0.30), ("email", 0.12), ("other", 0.03))
HEADER = ("ticket_id,agent,category,opened_at,handle_seconds,first_contact_resolution,closed_at,"
          "channel,reopened,nps,csat\n")
# category slug, FCR points the category's first published article adds when used, how often
# experts use it, how often the others do.
ARTICLE_EFFECTS = (
    ("internet", 0.15, 0.25, 0.25),
    ("mobile", 0.12, 0.25, 0.25),
    ("billing", 0.0, 0.45, 0.08),
    ("tv", 0.0, 0.25, 0.25),
)


def _profile(agent, category, generator):
    """(FCR probability at the start and end of the year, reopen probability, handle-time factor)."""
    if agent == "emma" and category == "accounts":
        return 0.74, 0.92, 0.04, 0.95
    if agent in EXPERTS[category]:
        fcr = generator.uniform(0.87, 0.92)
        return fcr, fcr, generator.uniform(0.02, 0.04), generator.uniform(0.88, 1.0)
    if agent == "reza" and category == "internet":
        return 0.62, 0.62, 0.16, 0.6  # quick calls, but the customers call back
    fcr = generator.uniform(0.66, 0.77)
    return fcr, fcr, generator.uniform(0.07, 0.11), generator.uniform(0.98, 1.25)


def _survey(generator, resolved, expert):
    """(nps or None, csat or None): about a third of customers answer."""
    nps = csat = None
    if generator.random() < 0.32:
        promoter = (0.66 if expert else 0.48) if resolved else 0.12
        detractor = (0.07 if expert else 0.16) if resolved else 0.58
        draw = generator.random()
        if draw < promoter:
            nps = generator.choice((9, 10, 10))
        elif draw < promoter + detractor:
            nps = generator.choice((0, 2, 3, 4, 5, 5, 6, 6))
        else:
            nps = generator.choice((7, 8))
    if generator.random() < 0.27:
        base = (4.5 if expert else 4.0) if resolved else 2.6
        csat = max(1, min(5, round(generator.gauss(base, 0.7))))
    return nps, csat


def generate_csv(today=None, contacts=CONTACTS, seed=SEED, articles=None):
    """The demo file as CSV text: `contacts` contacts over the DAYS days before `today`.

    :param articles: {category slug: (article id, FCR effect, expert use, others' use)}; when
        given, the file has an `articles` column linking some contacts to them.
    """
    generator = random.Random(seed)
    # Links draw from a generator of their own, so the contacts are the same with or without.
    linking = random.Random(seed + 2)
    today = today or datetime.now(UTC).date()
    start = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=DAYS)
    profiles = {(agent, slug): _profile(agent, slug, generator) for slug, *_ in CATEGORIES for agent in AGENTS}
    slugs = [slug for slug, *_ in CATEGORIES]
    shares = [share for _slug, _name, share, _aht in CATEGORIES]
    handle = {slug: seconds for slug, _name, _share, seconds in CATEGORIES}
    channel_names, channel_shares = zip(*CHANNELS)
    out = io.StringIO()
    out.write(HEADER if articles is None else HEADER[:-1] + ",articles\n")
    for number in range(contacts):
        slug = generator.choices(slugs, shares)[0]
        # Experts take more of their category's contacts (routing by skill).
        agent = generator.choices(AGENTS, [3 if name in EXPERTS[slug] else 1 for name in AGENTS])[0]
        day = generator.randrange(DAYS)
        if (start + timedelta(days=day)).weekday() >= 5 and generator.random() < 0.5:
            day = generator.randrange(DAYS)  # weekends are quieter
        opened_at = start + timedelta(days=day, seconds=generator.randrange(6 * 3600, 21 * 3600))
        fcr_start, fcr_end, reopen, pace = profiles[(agent, slug)]
        article = articles.get(slug) if articles else None
        used = article is not None and linking.random() < article[2 if agent in EXPERTS[slug] else 3]
        effect = article[1] if used else 0.0
        resolved = generator.random() < fcr_start + (fcr_end - fcr_start) * day / DAYS + effect
        reopened = (not resolved and generator.random() < 0.45) or generator.random() < reopen
        seconds = max(45, int(generator.lognormvariate(0, 0.35) * handle[slug] * pace))
        nps, csat = _survey(generator, resolved, agent in EXPERTS[slug])
        closed_at = opened_at + timedelta(seconds=seconds + generator.randrange(0, 900))
        out.write(",".join((
            f"{TICKET_PREFIX}{number + 1:06d}", agent, slug, opened_at.isoformat(timespec="seconds"),
            str(seconds), "yes" if resolved else "no", closed_at.isoformat(timespec="seconds"),
            generator.choices(channel_names, channel_shares)[0], "1" if reopened else "0",
            "" if nps is None else str(nps), "" if csat is None else str(csat),
        ) + ((str(article[0]) if used else "",) if articles is not None else ())) + "\n")
    return out.getvalue()


def ensure_categories():
    """Create the demo categories the knowledge-base loader has not created (matched by slug)."""
    created = 0
    for slug, name, _share, _seconds in CATEGORIES:
        if db.session.scalar(select(Category).where(Category.slug == slug)) is None:
            db.session.add(Category(slug=slug, name=name))
            created += 1
    db.session.flush()
    return created


def demo_articles():
    """{category slug: (article id, effect, expert use, others' use)} for ARTICLE_EFFECTS: the
    first published article of each category (by id), where the knowledge base has one."""
    found = {}
    for slug, effect, expert_use, other_use in ARTICLE_EFFECTS:
        article_id = db.session.scalar(
            select(Article.id).join(Category, Category.id == Article.category_id)
            .where(Category.slug == slug, Article.status == "published").order_by(Article.id).limit(1))
        if article_id is not None:
            found[slug] = (article_id, effect, expert_use, other_use)
    return found


def load_resolutions():
    """Import the demo year of contacts once; returns summary lines."""
    existing = db.session.scalar(select(func.count(ResolutionRecord.id))
                                 .where(ResolutionRecord.ticket_id.startswith(TICKET_PREFIX)))
    if existing:
        return ["resolutions: %d demo contacts already loaded" % existing]
    ensure_categories()
    contacts = current_app.config.get("DEMO_CONTACTS", CONTACTS)
    data = io.BytesIO(generate_csv(contacts=contacts, articles=demo_articles()).encode("utf-8"))
    summary = import_resolutions(data, filename=FILENAME, user=None, source="demo")
    return ["resolutions: %d contacts imported, %d rejected (batch %d)"
            % (summary.rows_imported, summary.rows_rejected, summary.batch_id)]
