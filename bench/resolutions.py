"""Benchmark: import a generated 1,000,000-row resolution CSV, then recompute all metrics.

Run from the repository root: `.venv/bin/python bench/resolutions.py [--rows N] [--database-url URL]`.
A fresh SQLite database (or the given PostgreSQL database, whose tables must not exist yet, e.g.
`postgresql+psycopg://postgres@127.0.0.1/test?options=-csearch_path%3Dempty_schema`) gets 400
agents and 6 categories; the file is written to a temporary directory; the import and the
recompute each run in a child process so that the peak RSS reported is theirs alone.
With --links N (default 100,000) the file also names, in its `articles` column, the article
used on every so many contacts, among ARTICLES articles of which every fourth raises first-contact
resolution; the recompute then also estimates every article's impact over the year.
Targets (SPEC section 8): import <= 60 s at <= 300 MB peak, metrics and impact recompute <= 10 s.
"""
import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

AGENTS = 400
CATEGORIES = (("internet", "Internet"), ("billing", "Billing"), ("accounts", "Accounts"),
              ("mobile", "Mobile"), ("tv", "TV"), ("moves", "Moves"))
CHANNELS = ("phone", "chat", "email", "other")
HEADER = ("ticket_id,agent,category,opened_at,handle_seconds,first_contact_resolution,closed_at,"
          "channel,reopened,nps,csat\n")
ARTICLES = 240  # 40 per category
YEAR = (datetime(2025, 1, 1).date(), datetime(2025, 12, 31).date())


def write_resolution_csv(path, rows, seed=5, links=0):
    """Write a year of plausible contacts (surveys on a quarter of them) to `path`; every
    rows // links-th names an article of its category (every fourth article helps)."""
    generator = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    step = 365 * 24 * 3600 / rows
    every = rows // links if links else 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(HEADER if not links else HEADER[:-1] + ",articles\n")
        for number in range(rows):
            opened_at = start + timedelta(seconds=int(number * step))
            handle_seconds = generator.randint(60, 1500)
            surveyed = generator.random() < 0.25
            category = generator.randrange(len(CATEGORIES))
            article = (1 + category * (ARTICLES // len(CATEGORIES)) + generator.randrange(ARTICLES // len(CATEGORIES))
                       if every and number % every == 0 else None)
            fcr = 0.78 + (0.1 if article is not None and article % 4 == 0 else 0.0)
            out.write(",".join((
                f"BENCH-{number:09d}",
                f"agent{generator.randint(1, AGENTS):03d}",
                CATEGORIES[category][0],
                opened_at.isoformat(timespec="seconds"),
                str(handle_seconds),
                "1" if generator.random() < fcr else "0",
                (opened_at + timedelta(seconds=handle_seconds)).isoformat(timespec="seconds"),
                CHANNELS[generator.randrange(len(CHANNELS))],
                "1" if generator.random() < 0.08 else "0",
                str(generator.randint(0, 10)) if surveyed else "",
                str(generator.randint(1, 5)) if surveyed else "",
            ) + (("" if article is None else str(article),) if links else ())) + "\n")


def make_app(instance, database_url):
    from app import create_app

    config = {"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database_url,
              "SECRET_KEY": "bench"}
    return create_app(config)


def prepare_database(instance, database_url):
    """Create the schema, the agents, the categories and their articles."""
    from sqlalchemy import insert

    from accounts.models import User
    from core.categories import Category
    from extensions import db
    from kb.models import Article

    app = make_app(instance, database_url)
    with app.app_context():
        db.create_all()
        db.session.execute(insert(User), [
            {"username": f"agent{number:03d}", "display_name": f"Agent {number}", "role": "agent"}
            for number in range(1, AGENTS + 1)])
        db.session.execute(insert(Category), [{"slug": slug, "name": name} for slug, name in CATEGORIES])
        per_category = ARTICLES // len(CATEGORIES)
        db.session.execute(insert(Article), [
            {"title": f"Article {number}", "slug": f"article-{number}", "status": "published",
             "category_id": 1 + (number - 1) // per_category, "author_id": 1 + number % AGENTS}
            for number in range(1, ARTICLES + 1)])
        db.session.commit()
        db.engine.dispose()


def run_import(instance, database_url, path):
    """Import the file in this process; return the figures."""
    from extensions import db
    from recognition.services import import_resolutions

    app = make_app(instance, database_url)
    with app.app_context():
        started = time.perf_counter()
        with open(path, "rb") as fileobj:
            summary = import_resolutions(fileobj, filename=Path(path).name, user=None, source="cli",
                                         now=datetime(2026, 6, 1, tzinfo=UTC))
        db.session.commit()
        seconds = time.perf_counter() - started
        db.engine.dispose()
    return {"seconds": seconds, "peak_rss_mb": _peak_rss_mb(), "rows_total": summary.rows_total,
            "rows_imported": summary.rows_imported, "rows_duplicate": summary.rows_duplicate,
            "rows_rejected": summary.rows_rejected}


def run_recompute(instance, database_url):
    """Rebuild every weekly metric from the records, then every article's impact over the year
    of the file (as `flask recompute-metrics` does over the current period); return the figures."""
    from sqlalchemy import func, select

    from core.periods import Period
    from extensions import db
    from recognition.impact.models import ArticleUse
    from recognition.impact.services import recompute_impacts
    from recognition.services import recompute_metrics

    app = make_app(instance, database_url)
    with app.app_context():
        started = time.perf_counter()
        weekly_rows = recompute_metrics()
        metrics_done = time.perf_counter()
        impacts = recompute_impacts(Period(*YEAR))
        db.session.commit()
        finished = time.perf_counter()
        links = db.session.scalar(select(func.count()).select_from(ArticleUse))
        db.engine.dispose()
    verdicts = {}
    for impact in impacts.values():
        verdicts[impact.verdict] = verdicts.get(impact.verdict, 0) + 1
    return {"seconds": finished - started, "metrics_seconds": metrics_done - started,
            "impact_seconds": finished - metrics_done, "peak_rss_mb": _peak_rss_mb(),
            "weekly_rows": weekly_rows, "links": links, "articles": len(impacts), "verdicts": verdicts}


def _peak_rss_mb():
    """This process's peak resident memory in MB.

    Read from /proc where there is one: getrusage's figure also counts the memory of the parent
    process at the time it started this one (Linux carries it over fork and exec), so after the
    search benchmark it reported the search's 800 MB as the import's.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kilobytes
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _child(*arguments):
    # As a module from the repository, not as a script: a script's folder comes first on the path,
    # where bench/markdown.py would shadow the Markdown package.
    result = subprocess.run([sys.executable, "-m", "bench.resolutions", *arguments], capture_output=True,
                            text=True, cwd=REPOSITORY)
    if result.returncode:
        sys.exit("benchmark step failed:\n" + result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    """Prepare, import in a child process, re-import, recompute; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--reimport", action="store_true", help="also time importing the file again")
    parser.add_argument("--links", type=int, default=100_000, help="contacts naming an article (0: none)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        task, instance, database_url, *rest = arguments.child
        result = (run_import(instance, database_url, rest[0]) if task == "import"
                  else run_recompute(instance, database_url))
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as directory:
        instance = Path(directory)
        database_url = arguments.database_url or "sqlite:///" + str(instance / "bench.db")
        path = instance / "resolutions.csv"
        started = time.perf_counter()
        write_resolution_csv(path, arguments.rows, links=arguments.links)
        prepare_database(instance, database_url)
        print(f"file: {arguments.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB"
              f" (generated in {time.perf_counter() - started:.1f} s); database: "
              f"{'SQLite' if database_url.startswith('sqlite') else 'PostgreSQL'}")
        first = _child("--child", "import", str(instance), database_url, str(path))
        print(f"import: {first['seconds']:.1f} s ({first['rows_imported'] / first['seconds']:,.0f} rows/s),"
              f" peak RSS {first['peak_rss_mb']:.0f} MB; {first['rows_imported']:,} imported,"
              f" {first['rows_rejected']:,} rejected  [targets: 60 s, 300 MB]")
        if arguments.reimport:
            again = _child("--child", "import", str(instance), database_url, str(path))
            print(f"re-import of the same file: {again['seconds']:.1f} s, peak RSS"
                  f" {again['peak_rss_mb']:.0f} MB; {again['rows_duplicate']:,} duplicates")
        recompute = _child("--child", "recompute", str(instance), database_url)
        print(f"metrics and impact recompute: {recompute['seconds']:.2f} s  [target: 10 s]:"
              f" metrics {recompute['metrics_seconds']:.2f} s for {recompute['weekly_rows']:,}"
              f" agent-category-week rows, impact {recompute['impact_seconds']:.2f} s for"
              f" {recompute['articles']:,} articles over {recompute['links']:,} linked contacts"
              f" ({', '.join(f'{count} {verdict}' for verdict, count in sorted(recompute['verdicts'].items()))})")


if __name__ == "__main__":
    main()
