"""Benchmark: search over 50,000 generated articles and answered questions in en, fa, ar and th.

Run from the repository root: `.venv/bin/python -m bench search [--docs N] [--queries N]
[--postgres URL]`. The corpus (seeded) is written to a fresh SQLite database, so that every hit
is re-checked as in production, and indexed through the Whoosh engine; with `--postgres URL` (or
BENCH_POSTGRES_URL) it goes to a schema of its own in that PostgreSQL database instead, indexed
by the PostgreSQL engine (KNOWHOW_SEARCH_BACKEND=postgres). Measured in-process through the Flask test client
with a bearer token, so the figures are server-side: the search API (p50/p95 over mixed queries
with typos, phrases and filters), as-you-type suggestions, the time from creating an article to
finding it, and the same searches on SQLite FTS5 over the same corpus as a reference.
Targets (SPEC section 8): search p95 <= 10 ms (Whoosh) or 30 ms (PostgreSQL), suggest p95 <= 10 ms.
"""
import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from bench.corpus import CATEGORIES, CORPUS_VERSION, LANGS, QUERY_SHAPES, make_prefixes, make_queries, make_rows
from core.categories import create_category

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

def database_url_in(directory):
    """The SQLite database of a corpus kept in `directory`."""
    return "sqlite:///" + str(directory / "bench.db")


POSTGRES_SCHEMA = "knowhow_bench"


def postgres_database(url, fresh):
    """(SQLAlchemy URL, engine options) of the benchmark's schema in the PostgreSQL database at url,
    emptied first when fresh."""
    from sqlalchemy import create_engine, text

    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if fresh:
            connection.execute(text("DROP SCHEMA IF EXISTS %s CASCADE" % POSTGRES_SCHEMA))
        connection.execute(text("CREATE SCHEMA IF NOT EXISTS %s" % POSTGRES_SCHEMA))
    admin.dispose()
    return url, {"connect_args": {"options": "-csearch_path=%s" % POSTGRES_SCHEMA}, "pool_pre_ping": True}


def make_app(directory, database_url=None, postgres=None):
    """An application on `database_url` (by default a new SQLite database in `directory`) and the
    search directory under `directory`, or on `postgres` (URL and engine options) with the
    PostgreSQL search engine."""
    from app import create_app

    database = {"SQLALCHEMY_DATABASE_URI": database_url or database_url_in(directory)}
    if postgres is not None:
        database = {"SQLALCHEMY_DATABASE_URI": postgres[0], "SQLALCHEMY_ENGINE_OPTIONS": postgres[1],
                    "SEARCH_BACKEND": "postgres"}
    return create_app({
        "TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": str(directory), **database,
        "SEARCH_DIR": str(directory / "search"), "SEARCH_AUTO_REBUILD": False,
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    })


def load_database(articles, questions):
    """Insert the corpus with bulk inserts; sets each row's "id"; returns the API users."""
    from sqlalchemy import insert, update

    from accounts import services as accounts
    from extensions import db
    from kb.models import Article
    from mentoring.questions.models import Answer, Question

    db.create_all()
    agent = accounts.create_user("bench-agent", role="agent", password="bench-password-1")
    lead = accounts.create_user("bench-lead", role="lead", password="bench-password-1")
    categories = {slug: create_category(slug.title(), slug) for slug in CATEGORIES}
    db.session.flush()
    now = datetime.now(UTC)
    db.session.execute(insert(Article), [{
        "title": row["title"][:200], "slug": "bench", "body": row["body"],
        "category_id": categories[row["category"]].id,
        "lang": row["lang"], "status": "published", "author_id": agent.id, "created_at": row["updated_at"],
        "updated_at": row["updated_at"], "published_at": row["updated_at"],
        "verified_at": now if row["verified"] else None, "review_due": now + timedelta(days=90),
        "helpful_count": row["helpful"], "unhelpful_count": row["unhelpful"]} for row in articles])
    db.session.execute(insert(Question), [{
        "title": row["title"][:200], "body": row["body"], "html": "", "category_id": categories[row["category"]].id,
        "lang": row["lang"], "author_id": agent.id, "status": "answered", "answer_count": len(row["answers"]),
        "created_at": row["updated_at"], "updated_at": row["updated_at"]} for row in questions])
    assign_ids(articles, questions)
    db.session.execute(insert(Answer), [{
        "question_id": row["id"], "body": body, "html": "", "author_id": lead.id, "score": score,
        "accepted": index == 0, "created_at": row["updated_at"], "updated_at": row["updated_at"]}
        for row in questions for index, (body, score) in enumerate(row["answers"])])
    accepted = db.session.execute(db.select(Answer.question_id, Answer.id).where(Answer.accepted.is_(True))).all()
    db.session.execute(update(Question), [{"id": question_id, "accepted_answer_id": answer_id}
                                          for question_id, answer_id in accepted])
    token = accounts.issue_api_token(agent)
    db.session.commit()
    return {"Authorization": "Bearer " + token}


def assign_ids(articles, questions):
    """Give each generated row the id the database gave it (rows were inserted in order)."""
    from extensions import db
    from kb.models import Article
    from mentoring.questions.models import Question

    for rows, model in ((articles, Article), (questions, Question)):
        for row, row_id in zip(rows, db.session.scalars(db.select(model.id).order_by(model.id))):
            row["id"] = row_id


def reuse_database(articles, questions):
    """The API headers of a corpus loaded by an earlier run; sets each row's "id"."""
    from accounts import services as accounts
    from extensions import db

    db.create_all()  # tables added since the corpus was stored
    assign_ids(articles, questions)
    token = accounts.issue_api_token(accounts.get_user("bench-agent"))
    db.session.commit()
    return {"Authorization": "Bearer " + token}


def documents_of(articles, questions):
    """The search documents of the corpus, as the registered document sources would build them."""
    from mentoring.questions.search_source import question_boost
    from search import documents

    now = datetime.now(UTC)
    for row in articles:
        boost = (documents.BASE_BOOST + documents.recency_boost(row["updated_at"], now)
                 + documents.helpful_boost(row["helpful"], row["unhelpful"])
                 + (documents.VERIFIED_BOOST if row["verified"] else 0))
        yield {"key": f"article:{row['id']}", "type": "article", "id": row["id"], "title": row["title"][:200],
               "body": row["body"], "category": row["category"], "lang": row["lang"], "tags": row["tags"],
               "boost": boost, "updated_at": row["updated_at"]}
    for row in questions:
        accepted = SimpleNamespace(score=row["answers"][0][1])
        question = SimpleNamespace(updated_at=row["updated_at"])
        yield {"key": f"question:{row['id']}", "type": "question", "id": row["id"], "title": row["title"][:200],
               "body": "\n".join([row["body"]] + [body for body, _score in row["answers"]]),
               "category": row["category"], "lang": row["lang"], "tags": row["tags"],
               "boost": question_boost(question, accepted, now), "updated_at": row["updated_at"]}


def nearest_rank(ordered, fraction):
    """The sample at `fraction` (0.95 for p95) of sorted samples, by the nearest-rank method."""
    return ordered[max(0, round(len(ordered) * fraction) - 1)]


def percentiles(samples):
    """(p50, p95) of milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered), nearest_rank(ordered, 0.95)


def time_api(client, headers, path, calls):
    """Milliseconds per request (wall, in-process) and the server's took_ms where given."""
    wall, took = [], []
    for params in calls:
        started = time.perf_counter()
        response = client.get(path, query_string=params, headers=headers)
        wall.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} {params!r}: {response.status_code} {response.get_data(as_text=True)[:200]}")
        body = response.get_json()
        if "took_ms" in body:
            took.append(body["took_ms"])
    return wall, took


def start_consumer(app):
    """A job consumer in this process (threads), as `flask run-jobs` runs beside the web server."""
    from jobs import MAX_POLL_SECONDS, jobs

    with app.app_context():
        jobs._follow_current_app()
    consumer = jobs.create_consumer(workers=1, worker_type="thread", periodic=False, max_delay=MAX_POLL_SECONDS)
    consumer.start()
    return consumer


def time_new_article(app, client, headers, repeats=20):
    """Milliseconds from committing a published article to finding it through the API: the commit
    writes the outbox, and the job consumer applies it."""
    from accounts.services import get_user
    from database import begin_write
    from extensions import db
    from kb import services

    samples = []
    run = random.Random().randrange(10 ** 6)  # a kept corpus has the articles of earlier runs
    for number in range(repeats):
        word = f"zebracorn{run}x{number}"
        started = time.perf_counter()
        with app.app_context():
            # The searches before ran in this thread and left its transactions read-only (GET):
            # a deferred one that writes fails at once if the consumer wrote meanwhile.
            begin_write()
            services.create_article(get_user("bench-lead"), f"New outage {word}", f"Fresh advice about {word}.",
                                    "internet", status="published")
            db.session.commit()
        while not client.get("/api/v1/search", query_string={"q": word}, headers=headers).get_json()["total"]:
            if time.perf_counter() - started > 30:
                raise RuntimeError("the new article did not become searchable within 30 s")
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def fts5_statement(text, filters):
    """An FTS5 MATCH expression and WHERE filters for one of our queries (words ANDed, phrases kept)."""
    if text.startswith('"'):
        match = '"%s"' % text.strip('"').replace('"', "")
    else:
        match = " ".join('"%s"' % word.replace('"', "") for word in text.split())
    where, params = ["docs MATCH ?"], [match]
    for name, column in (("type", "kind"), ("category", "category"), ("lang", "lang")):
        if filters.get(name):
            where.append(f"{column} = ?")
            params.append(filters[name])
    return " AND ".join(where), params


def build_fts5(path, documents):
    """An FTS5 table of the same documents in the SQLite file `path`; the seconds it took."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tags, kind UNINDEXED, "
                       "category UNINDEXED, lang UNINDEXED, tokenize='unicode61 remove_diacritics 2')")
    started = time.perf_counter()
    connection.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)",
                           [(doc["title"], doc["body"], " ".join(doc["tags"]), doc["type"], doc["category"],
                             doc["lang"]) for doc in documents])
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def query_fts5(connection, text, filters):
    """One of our queries on the FTS5 table, as the search API answers it: top 10 with snippets + count."""
    where, params = fts5_statement(text, filters)
    connection.execute(f"SELECT rowid, title, snippet(docs, 1, '<mark>', '</mark>', '…', 24), "
                       f"bm25(docs, 3.0, 1.0, 1.0) AS rank FROM docs WHERE {where} ORDER BY rank LIMIT 10",
                       params).fetchall()
    connection.execute(f"SELECT count(*) FROM docs WHERE {where}", params).fetchone()


def time_fts5(path, documents, queries):
    """Build an FTS5 table of the same documents; milliseconds per query (top 10 with snippets + count)."""
    build_seconds = build_fts5(path, documents)
    connection = sqlite3.connect(path)
    samples = []
    for _shape, text, filters in queries:
        started = time.perf_counter()
        query_fts5(connection, text, filters)
        samples.append((time.perf_counter() - started) * 1000)
    connection.close()
    return build_seconds, samples


def time_engine(engine, queries):
    """Milliseconds per query of the engine alone (no request, no database check)."""
    samples = []
    for _shape, text, filters in queries:
        started = time.perf_counter()
        engine.search(text, **filters)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(label, samples, target=None):
    """One line of the results table."""
    p50, p95 = percentiles(samples)
    verdict = "" if target is None else ("  ok" if p95 <= target else f"  over the {target} ms target")
    print(f"  {label:<50} {p50:8.1f} {p95:8.1f} {max(samples):8.1f}{verdict}")


def prepare(directory, docs, database_url=None, build_index=True, postgres_url=None, rebuild=False, timings=None):
    """The app on a loaded and indexed corpus in `directory` (or in PostgreSQL at postgres_url,
    with the PostgreSQL search engine), reused when it was built with the same size.

    The index is built as `flask reindex` builds it (read from the database, analysed, written).

    :param database_url: the database to load instead of one in `directory` (bench/load.py).
    :param build_index: False leaves the index to the caller (`flask reindex`, whichever the backend).
    :param rebuild: rebuild the index of a reused corpus too.
    :param timings: a dict that receives "rebuild_seconds" when the index was built.
    """
    from search.index import current_search
    from search.sync import rebuild_index

    started = time.perf_counter()
    corpus, articles, questions = make_rows(docs)
    manifest = directory / "corpus.txt"
    built = f"{docs} {CORPUS_VERSION}" + (" postgres" if postgres_url else "")
    reuse = manifest.exists() and manifest.read_text() == built
    app = make_app(directory, database_url, postgres_database(postgres_url, fresh=not reuse) if postgres_url else None)
    with app.app_context():
        headers = load_database(articles, questions) if not reuse else reuse_database(articles, questions)
    documents = list(documents_of(articles, questions))
    print(f"search corpus: {len(articles):,} articles and {len(questions):,} answered questions in "
          f"{', '.join(LANGS)}; {'reused' if reuse else 'generated and stored'} "
          f"in {time.perf_counter() - started:.1f} s")
    if not build_index:
        return app, headers, corpus, articles + questions, documents
    if rebuild or not reuse or not current_search(app).engine.health().available:  # or an older format
        started = time.perf_counter()
        with app.app_context():
            count = rebuild_index(current_search(app), wait=True)
        seconds = time.perf_counter() - started
        print(f"index rebuild (as flask reindex: {count:,} documents read, analysed, written): {seconds:.1f} s")
        if timings is not None:
            timings["rebuild_seconds"] = seconds
        manifest.write_text(built)
    return app, headers, corpus, articles + questions, documents


def index_sizes(index_dir):
    """(bytes of Whoosh's files, bytes of the postings files) of the live generation."""
    from search.postings import FILE_SUFFIX

    live = Path(index_dir) / "current"
    files = [path for path in live.resolve().iterdir() if path.is_file()]
    postings = sum(path.stat().st_size for path in files if path.name.endswith(FILE_SUFFIX))
    return sum(path.stat().st_size for path in files) - postings, postings


def time_fts5_analysed(path, documents):
    """(seconds to analyse, seconds to build, bytes) of an FTS5 table over the words our analyzers
    give (what the content field indexes), so that both build over the same analysed text."""
    from search.index_store import document_fields

    started = time.perf_counter()
    rows = [(" ".join(document_fields(doc)["content"]),) for doc in documents]
    analysis_seconds = time.perf_counter() - started
    connection = sqlite3.connect(path)
    connection.execute("CREATE VIRTUAL TABLE words USING fts5(content, tokenize='unicode61')")
    started = time.perf_counter()
    connection.executemany("INSERT INTO words VALUES (?)", rows)
    connection.commit()
    build_seconds = time.perf_counter() - started
    connection.close()
    return analysis_seconds, build_seconds, Path(path).stat().st_size


def main(argv=None):
    """Generate, load and index the corpus, run the measurements, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--keep", metavar="DIR", help="build the corpus in DIR and reuse it on later runs")
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("BENCH_POSTGRES_URL"),
                        help="measure the PostgreSQL search engine on this database (in a schema %s of its "
                             "own, replaced) instead of Whoosh" % POSTGRES_SCHEMA)
    parser.add_argument("--rebuild", action="store_true", help="rebuild a kept corpus's index (and time it)")
    arguments = parser.parse_args(argv)

    from search.index import current_search

    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(arguments.keep or scratch)
        directory.mkdir(parents=True, exist_ok=True)
        timings = {}
        app, headers, corpus, rows, documents = prepare(directory, arguments.docs, postgres_url=arguments.postgres,
                                                        rebuild=arguments.rebuild, timings=timings)
        engine = current_search(app).engine
        sizes = None if arguments.postgres else index_sizes(engine.index_dir)
        engine.warm_up()
        queries = make_queries(corpus, rows, arguments.queries)
        calls = [{"q": text, **filters} for _shape, text, filters in queries]
        client = app.test_client()
        time_api(client, headers, "/api/v1/search", calls[:20])  # first requests load templates and caches
        search_wall, search_took = time_api(client, headers, "/api/v1/search", calls)
        engine_only = time_engine(engine, queries)
        prefixes = make_prefixes(corpus, arguments.queries)
        suggest_wall, _ = time_api(client, headers, "/api/v1/suggest", [{"q": prefix} for prefix in prefixes])
        consumer = start_consumer(app)
        try:
            new_article = time_new_article(app, client, headers)
        finally:
            consumer.stop(graceful=True)
        fts_build, fts_samples = time_fts5(str(Path(scratch) / "fts5.db"), documents, queries)
        analysis, fts_analysed_build, fts_bytes = time_fts5_analysed(str(Path(scratch) / "fts5-words.db"), documents)
        engine.close()

    backend = "PostgreSQL" if arguments.postgres else "Whoosh"
    print(f"\n  {'milliseconds (' + backend + ' search engine)':<50} {'p50':>8} {'p95':>8} {'max':>8}")
    report(f"search API, {len(calls)} queries (request)", search_wall, target=30 if arguments.postgres else 10)
    report("  took_ms (engine + database check)", search_took)
    report("  engine alone, same queries", engine_only)
    for shape in QUERY_SHAPES:
        report(f"    {shape}", [ms for (kind, _t, _f), ms in zip(queries, search_wall) if kind == shape])
    report(f"suggest API, {len(prefixes)} prefixes (request)", suggest_wall, target=10)
    report("new article searchable (commit → outbox → consumer → found)", new_article, target=1000)
    report(f"SQLite FTS5 reference, same queries (built {fts_build:.1f} s)", fts_samples)
    print("  (FTS5 has no Thai segmentation, Persian/Arabic folding or typo tolerance: a speed reference only)")
    megabytes = 1024 * 1024
    print()
    if sizes is not None:
        print(f"  index of {len(documents):,} documents: Whoosh {sizes[0] / megabytes:.0f} MB "
              f"+ postings files {sizes[1] / megabytes:.0f} MB")
    if "rebuild_seconds" in timings:
        verdict = ("" if len(documents) < 50_000  # the target is for 50,000 documents
                   else "ok" if timings["rebuild_seconds"] <= 60 else "over the 60 s target")
        print(f"  rebuild as flask reindex (read, analyse, write): {timings['rebuild_seconds']:.1f} s  {verdict}")
    print(f"  SQLite FTS5 over the same analysed words: built in {fts_analysed_build:.1f} s, "
          f"{fts_bytes / megabytes:.0f} MB (the analysis itself: {analysis:.1f} s)")


if __name__ == "__main__":
    main()
