"""Load benchmark (`make bench-load`): Knowhow under gunicorn on loopback, many clients at once.

Run from the repository root: `.venv/bin/python -m bench load [--docs N] [--seconds S] ...`.
Two configurations, one after the other: the embedded default (SQLite, Whoosh, the job queue in
SQLite; 2 gunicorn workers and one consumer) and PostgreSQL + Redis (4 workers and one consumer,
the search backend from --search-backend). Each is given bench/search.py's generated corpus
(10,000 documents by default, which keeps the whole run near ten minutes), a lead and an agent
with API tokens and the agent's signed-in browser session. Then 32 clients (threads in 2 client
processes, so that the client is not held back by one interpreter's lock) mix searches and
suggestions (70 %), article and question pages (20 %) and article creates and edits through the
API (10 %) for --seconds, and one client runs the same mix. When the clients stop, the outbox
must drain and `flask reindex --check` must find the index equal to the database. On the embedded
configuration 16 clients then only search, and SQLite FTS5 answers the same queries in this
process with 16 threads (target: the server at least half of FTS5's throughput).

Every server is started and stopped here (its process group is killed at the end, whatever
happens), on 127.0.0.1 only; temporary folders are removed. The exit status is 1 when any request
failed (a status of 400 or more, or no answer) or the index differs from the database.
"""
import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from http.cookies import SimpleCookie
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlencode

REPOSITORY = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PASSWORD = "bench-password-1"  # bench/search.py's users
# What the clients ask for, with weights in percent: searches and suggestions 70, pages 20, writes 10.
MIX = (("search", 40), ("suggest", 30), ("article", 10), ("question", 10), ("create", 5), ("edit", 5))
SEARCH_ONLY = (("search", 100),)
TARGET_RATIO = 0.5  # the server's search throughput against FTS5's in-process one
REQUEST_TIMEOUT = 60
READY_SECONDS = 120
DRAIN_SECONDS = 180
STOP_SECONDS = 20
QUERIES = 300


@dataclass(frozen=True)
class Plan:
    """What every client needs to make requests; sent to the client processes."""

    port: int
    agent_token: str
    lead_token: str
    cookie: str
    searches: list  # query strings of /api/v1/search
    prefixes: list
    article_ids: list
    question_ids: list
    texts: list  # (title, body, lang, category) for new articles
    mix: tuple = MIX


def next_request(rng, plan, serial):
    """The next request of a client: (kind, method, path, headers, body)."""
    kinds, weights = zip(*plan.mix)
    kind = rng.choices(kinds, weights)[0]
    agent = {"Authorization": "Bearer " + plan.agent_token}
    page = {"Cookie": plan.cookie}
    lead = {"Authorization": "Bearer " + plan.lead_token, "Content-Type": "application/json"}
    if kind == "search":
        return kind, "GET", "/api/v1/search?" + urlencode(rng.choice(plan.searches)), agent, None
    if kind == "suggest":
        return kind, "GET", "/api/v1/suggest?" + urlencode({"q": rng.choice(plan.prefixes)}), agent, None
    if kind == "article":
        return kind, "GET", f"/kb/{rng.choice(plan.article_ids)}/bench", page, None
    if kind == "question":
        return kind, "GET", f"/questions/{rng.choice(plan.question_ids)}", page, None
    title, body, lang, category = rng.choice(plan.texts)
    if kind == "create":
        article = {"title": f"{title} {serial}", "body": body, "category": category, "lang": lang,
                   "status": "published"}
        return kind, "POST", "/api/v1/articles", lead, json.dumps(article).encode()
    change = {"body": f"{body}\n\nEdited ({serial})."}
    return kind, "PATCH", f"/api/v1/articles/{rng.choice(plan.article_ids)}", lead, json.dumps(change).encode()


def failed(status):
    """Whether a status is an error: no answer (0) or anything but 2xx and 3xx."""
    return not 200 <= status < 400


def run_client(plan, seed, start_at, stop_at, records):
    """One client: requests one after the other on a kept-alive connection (opened again when the
    server closes it) from start_at until stop_at (time.time()); appends (kind, status, ms, error)."""
    rng = random.Random(seed)
    connection = None
    serial = 0
    time.sleep(max(0.0, start_at - time.time()))
    while time.time() < stop_at:
        kind, method, path, headers, body = next_request(rng, plan, f"{seed}-{serial}")
        serial += 1
        started = time.perf_counter()
        error = None
        try:
            if connection is None:
                connection = http.client.HTTPConnection(HOST, plan.port, timeout=REQUEST_TIMEOUT)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            status = response.status
            if failed(status):
                error = f"{method} {path}: {answer[:300].decode(errors='replace')}"
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as exception:
            status, error = 0, f"{method} {path}: {exception!r}"
            if connection is not None:
                connection.close()
            connection = None
        records.append((kind, status, (time.perf_counter() - started) * 1000, error))
    if connection is not None:
        connection.close()


def run_clients(plan, clients, seed, start_at, seconds):
    """`clients` client threads in this process; every request's (kind, status, ms, error)."""
    records = []
    threads = [threading.Thread(target=run_client, args=(plan, seed * 1000 + number, start_at,
                                                         start_at + seconds, records))
               for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return records


def load(plan, clients, seconds, processes=2):
    """Run `clients` clients spread over `processes` client processes (one: this process)."""
    if clients == 1 or processes == 1:
        return run_clients(plan, clients, 1, time.time(), seconds)
    shares = [clients // processes + (number < clients % processes) for number in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        list(pool.map(time.sleep, [1] * processes))  # every process started and its imports done
        start_at = time.time() + 0.5  # so that every process's clients start together
        futures = [pool.submit(run_clients, plan, share, number + 1, start_at, seconds)
                   for number, share in enumerate(shares)]
        return [record for future in futures for record in future.result()]


def summarise(records, seconds):
    """Per kind, then for all requests: (kind, count, errors, requests/s, p50, p95, p99) in ms."""
    from bench.search import nearest_rank

    kinds = sorted({record[0] for record in records}, key=[kind for kind, _ in MIX].index)
    rows = []
    for kind in kinds + ["all"]:
        chosen = [record for record in records if kind in ("all", record[0])]
        ordered = sorted(record[2] for record in chosen)
        rows.append((kind, len(chosen), sum(failed(record[1]) for record in chosen), len(chosen) / seconds,
                     statistics.median(ordered), nearest_rank(ordered, 0.95), nearest_rank(ordered, 0.99)))
    return rows


def print_table(title, records, seconds):
    """The figures of one phase, and its errors (at most 20 kinds of them); the error count."""
    print(f"\n  {title}")
    print(f"    {'kind':<10} {'count':>7} {'errors':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    rows = summarise(records, seconds)
    for kind, count, errors, rate, p50, p95, p99 in rows:
        print(f"    {kind:<10} {count:>7} {errors:>7} {rate:>8.1f} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}")
    errors = Counter((record[0], record[1], record[3]) for record in records if failed(record[1]))
    for (kind, status, error), count in errors.most_common(20):
        print(f"    ERROR {count} × {kind} {status}: {error}")
    return rows[-1][2]


# Servers ----------------------------------------------------------------------------------------

def free_port():
    """A port nothing listens on now, on the loopback address."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def server_environment(directory, database_url, redis_url=None, search_backend=None):
    """The environment of every process of one configuration: production mode, its instance
    folder and database (no KNOWHOW_ setting of the caller's own leaks in)."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("KNOWHOW_")}
    environment.update(KNOWHOW_ENV="production", KNOWHOW_SECRET_KEY=secrets.token_urlsafe(48),
                       KNOWHOW_INSTANCE_PATH=str(directory), KNOWHOW_DATABASE_URL=database_url)
    if redis_url:
        environment["KNOWHOW_REDIS_URL"] = redis_url
    if search_backend:
        environment["KNOWHOW_SEARCH_BACKEND"] = search_backend
    return environment


@contextmanager
def settings_of(environment):
    """This process's KNOWHOW_ settings as the servers', while the corpus is loaded here."""
    saved = dict(os.environ)
    os.environ.update({name: value for name, value in environment.items() if name.startswith("KNOWHOW_")})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def flask(environment, *arguments):
    """Run a `flask --app app` command of the configuration; its completed process."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *arguments], cwd=REPOSITORY,
                          env=environment, capture_output=True, text=True, timeout=1800)


def flask_ok(environment, *arguments):
    """Run a flask command that must succeed; its standard output."""
    done = flask(environment, *arguments)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(arguments)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def start(command, environment, log):
    """A server process in a process group of its own, its output in `log`."""
    with open(log, "ab") as output:
        return subprocess.Popen(command, cwd=REPOSITORY, env=environment, stdout=output,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def stop(process):
    """Stop a server's whole process group: TERM, then KILL if it has not ended in time."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            return
        try:
            process.wait(STOP_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue


def get(port, path, headers=None):
    """(status, headers, body) of one GET on the loopback server."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def readiness(port):
    """The /readyz answer, or None while the server does not answer."""
    try:
        _status, _headers, body = get(port, "/readyz")
        return json.loads(body)
    except (OSError, http.client.HTTPException, ValueError):
        return None


def log_tail(log):
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


@contextmanager
def serving(directory, environment, workers):
    """gunicorn with `workers` workers and one job consumer (`make serve`); yields the port."""
    port = free_port()
    started = []
    try:
        started.append(start([sys.executable, "-m", "flask", "--app", "app", "run-jobs"], environment,
                             directory / "consumer.log"))
        started.append(start([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
                              f"{HOST}:{port}", "app:create_app()"], environment, directory / "gunicorn.log"))
        deadline = time.monotonic() + READY_SECONDS
        while (answer := readiness(port)) is None or answer.get("status") != "ready":
            ended = [process for process in started if process.poll() is not None]
            if ended or time.monotonic() > deadline:
                raise RuntimeError(f"the servers did not become ready ({answer}):\n"
                                   f"{log_tail(directory / 'gunicorn.log')}\n{log_tail(directory / 'consumer.log')}")
            time.sleep(0.5)
        yield port
    finally:
        for process in reversed(started):
            stop(process)


def sign_in(port, username):
    """The Cookie header of a browser session signed in through the login form (CSRF token included)."""
    cookies = SimpleCookie()
    status, headers, body = get(port, "/login")
    for header in headers.get_all("Set-Cookie") or ():
        cookies.load(header)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    if status != 200 or token is None:
        raise RuntimeError(f"GET /login: {status}, no CSRF token")
    form = urlencode({"csrf_token": token.group(1).decode(), "username": username, "password": PASSWORD,
                      "next": ""})
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("POST", "/login", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())})
        response = connection.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or ():
            cookies.load(header)
    finally:
        connection.close()
    if response.status != 302:
        raise RuntimeError(f"signing in as {username}: {response.status}")
    return "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())


def wait_for_outbox(port):
    """Seconds until /readyz reports no pending index update (None when the wait ran out)."""
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_SECONDS:
        answer = readiness(port) or {}
        if answer.get("checks", {}).get("search", {}).get("pending") == 0:
            return time.monotonic() - started
        time.sleep(0.5)
    return None


def check_index(environment, port):
    """Wait for the outbox to drain, then `flask reindex --check`; True when index and database agree."""
    drained = wait_for_outbox(port)
    print(f"\n  outbox drained in {drained:.1f} s" if drained is not None
          else f"\n  the outbox still had pending updates after {DRAIN_SECONDS} s")
    done = flask(environment, "reindex", "--check")
    print("  flask reindex --check: " + (done.stdout + done.stderr).strip().replace("\n", "\n    "))
    return drained is not None and done.returncode == 0


# Configurations ---------------------------------------------------------------------------------

def recreate_postgres(url):
    """Drop and create the PostgreSQL database of `url` (postgresql+psycopg://…/NAME)."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        name = sql.Identifier(parsed.database)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def empty_redis(url):
    """Forget the jobs and rate limits an earlier run left in the benchmark's Redis database."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()


def load_corpus(directory, docs, environment, use_flask_reindex):
    """Schema (`flask init-db`), corpus (bench/search.py), index, and the plan's data."""
    from bench.corpus import make_prefixes, make_queries
    from bench.search import prepare
    from extensions import db
    from search.index import current_search

    flask_ok(environment, "init-db")
    with settings_of(environment):
        app, _headers, corpus, rows, documents = prepare(directory, docs, environment["KNOWHOW_DATABASE_URL"],
                                                         build_index=not use_flask_reindex)
        with app.app_context():
            db.engine.dispose()
        current_search(app).engine.close()
    if use_flask_reindex:
        started = time.perf_counter()
        flask_ok(environment, "reindex")
        print(f"index build (flask reindex): {time.perf_counter() - started:.1f} s")
    queries = make_queries(corpus, rows, QUERIES)
    return {
        "queries": queries,
        "searches": [{"q": text, **filters} for _shape, text, filters in queries],
        "prefixes": make_prefixes(corpus, QUERIES),
        "article_ids": [row["id"] for row in rows if "answers" not in row],
        "question_ids": [row["id"] for row in rows if "answers" in row],
        "texts": [(row["title"][:150], row["body"], row["lang"], row["category"])
                  for row in rows[:400] if "answers" not in row],
        "documents": documents,
    }


def make_plan(port, environment, data):
    """Tokens from `flask api-token`, the agent's browser session, and the corpus's requests."""
    label = "load " + secrets.token_hex(4)
    return Plan(port=port, agent_token=flask_ok(environment, "api-token", "bench-agent", "--name", label).strip(),
                lead_token=flask_ok(environment, "api-token", "bench-lead", "--name", label).strip(),
                cookie=sign_in(port, "bench-agent"), searches=data["searches"], prefixes=data["prefixes"],
                article_ids=data["article_ids"], question_ids=data["question_ids"], texts=data["texts"])


def run_mix(plan, arguments, directory):
    """A warm-up (not counted), the mixed load with --clients clients, then one client; the number
    of errors (the servers' log is printed when there were any)."""
    if arguments.warm_up:
        load(plan, arguments.clients, arguments.warm_up)  # each worker's first requests load caches
    records = load(plan, arguments.clients, arguments.seconds)
    errors = print_table(f"{arguments.clients} clients, {arguments.seconds} s", records, arguments.seconds)
    records = load(plan, 1, arguments.single_seconds)
    errors += print_table(f"1 client, {arguments.single_seconds} s", records, arguments.single_seconds)
    if errors:
        print("\n  the end of gunicorn's log:\n" + log_tail(directory / "gunicorn.log"))
    return errors


def fts5_throughput(path, queries, threads, seconds):
    """Queries per second of SQLite FTS5 on the same queries: `threads` threads, each with its own
    connection, in this process (as bench/search.py's time_fts5 queries)."""
    import sqlite3

    from bench.search import query_fts5

    counts = []

    def work(seed):
        rng = random.Random(seed)
        connection = sqlite3.connect(path)
        done = 0
        stop_at = time.monotonic() + seconds
        while time.monotonic() < stop_at:
            _shape, text, filters = rng.choice(queries)
            query_fts5(connection, text, filters)
            done += 1
        connection.close()
        counts.append(done)

    workers = [threading.Thread(target=work, args=(number,)) for number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / seconds


def embedded(arguments, scratch):
    """SQLite + Whoosh + the job queue in SQLite, 2 workers: (errors, index equal)."""
    from bench.search import build_fts5, database_url_in

    directory = Path(arguments.keep) / "embedded" if arguments.keep else scratch / "embedded"
    directory.mkdir(parents=True, exist_ok=True)
    environment = server_environment(directory, database_url_in(directory))
    print(f"\n== embedded: SQLite, Whoosh, SqliteHuey; gunicorn --workers 2 and one consumer ({directory})",
          flush=True)
    data = load_corpus(directory, arguments.docs, environment, use_flask_reindex=False)
    with serving(directory, environment, workers=2) as port:
        plan = make_plan(port, environment, data)
        errors = run_mix(plan, arguments, directory)
        equal = check_index(environment, port)
        searching = load(replace(plan, mix=SEARCH_ONLY), arguments.search_clients,
                         arguments.search_seconds)
        errors += print_table(f"search only, {arguments.search_clients} clients, {arguments.search_seconds} s",
                              searching, arguments.search_seconds)
    served = len(searching) / arguments.search_seconds
    fts5 = scratch / "fts5.db"
    fts5.unlink(missing_ok=True)
    build_seconds = build_fts5(str(fts5), data["documents"])
    reference = fts5_throughput(str(fts5), data["queries"], arguments.search_clients, arguments.search_seconds)
    ratio = served / reference
    print(f"\n  search throughput, {arguments.search_clients} clients: server (2 workers) {served:.1f} req/s, "
          f"SQLite FTS5 in-process ({arguments.search_clients} threads, built in {build_seconds:.1f} s) "
          f"{reference:.1f} queries/s; ratio {ratio:.2f} "
          f"({'meets' if ratio >= TARGET_RATIO else 'below'} the target ≥ {TARGET_RATIO})", flush=True)
    return errors, equal


def postgres(arguments, scratch):
    """PostgreSQL + Redis, 4 workers, the chosen search backend: (errors, index equal)."""
    directory = scratch / "postgres"
    directory.mkdir()
    database_url = arguments.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    environment = server_environment(directory, database_url, arguments.redis_url, arguments.search_backend)
    print(f"\n== PostgreSQL + Redis ({arguments.search_backend} search); gunicorn --workers 4 and one consumer",
          flush=True)
    recreate_postgres(database_url)
    empty_redis(arguments.redis_url)
    data = load_corpus(directory, arguments.docs, environment, use_flask_reindex=True)
    with serving(directory, environment, workers=4) as port:
        errors = run_mix(make_plan(port, environment, data), arguments, directory)
        equal = check_index(environment, port)
    return errors, equal


def main(argv=None):
    """Run the configurations, print their tables; exit 1 on any error or index difference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="corpus size (default 10,000: bounded run time)")
    parser.add_argument("--seconds", type=int, default=120, help="length of the mixed load")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--warm-up", type=int, default=5, help="seconds of load before measuring (not counted)")
    parser.add_argument("--single-seconds", type=int, default=20, help="length of the one-client run")
    parser.add_argument("--search-clients", type=int, default=16)
    parser.add_argument("--search-seconds", type=int, default=30, help="length of the search-only run")
    parser.add_argument("--search-backend", choices=("whoosh", "postgres"), default="whoosh",
                        help="the PostgreSQL configuration's KNOWHOW_SEARCH_BACKEND")
    parser.add_argument("--only", choices=("embedded", "postgres"))
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_load",
                        help="PostgreSQL database, dropped and created again")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6", help="Redis database, emptied")
    parser.add_argument("--keep", metavar="DIR", help="keep the embedded corpus in DIR and reuse it on later runs")
    arguments = parser.parse_args(argv)

    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="knowhow-load-") as scratch:
        scratch = Path(scratch)
        if arguments.only in (None, "embedded"):
            results.append(embedded(arguments, scratch))
        if arguments.only in (None, "postgres"):
            results.append(postgres(arguments, scratch))
    errors = sum(result[0] for result in results)
    equal = all(result[1] for result in results)
    print(f"\nload benchmark: {errors} error(s), index {'equal to' if equal else 'DIFFERENT from'} the database, "
          f"{time.perf_counter() - started:.0f} s in all")
    if errors or not equal:
        sys.exit(1)


if __name__ == "__main__":
    main()
