"""Benchmark: the memory of each gunicorn worker serving the search corpus, after warm-up.

Run from the repository root: `.venv/bin/python -m bench memory [--docs N] [--keep DIR]`.
The corpus of bench/search.py (kept in DIR and reused) is served by gunicorn as `make serve`
runs it (the repository's gunicorn.conf.py, 2 workers on loopback, production settings); each
worker is warmed with searches and suggestions spread over several connections, then its memory
is read from /proc: RSS (every page it maps, shared or not), PSS (shared pages divided among
the processes that map them: what a worker really costs) and USS (pages only it maps: what its
exit would free), with the anonymous and file-backed parts of PSS (the index files are mapped).
`--bare` runs gunicorn without gunicorn.conf.py, as before it existed, for comparison.
Target (issue 18): at most 250 MB per worker at 50,000 documents.
"""
import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.corpus import make_prefixes, make_queries
from bench.search import REPOSITORY, percentiles, prepare

CONFIG_FILE = REPOSITORY / "gunicorn.conf.py"
STARTUP_SECONDS = 180
SETTLE_SECONDS = 120
CLIENTS = 4
_KIB = 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_of(pid: int) -> dict[str, int]:
    """Bytes of a process from /proc/PID/smaps_rollup: rss, pss, uss, pss_anon, pss_file."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            name, _, rest = line.partition(":")
            parts = rest.split()
            if len(parts) == 2 and parts[1] == "kB":
                fields[name] = int(parts[0]) * _KIB
    return {"rss": fields["Rss"], "pss": fields["Pss"],
            "uss": fields["Private_Clean"] + fields["Private_Dirty"],
            "pss_anon": fields.get("Pss_Anon", 0), "pss_file": fields.get("Pss_File", 0)}


def children_of(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return sorted(int(child) for child in children.read().split())


def start_gunicorn(directory: Path, port: int, workers: int, bare: bool):
    """gunicorn serving the corpus in directory, as `make serve` runs it."""
    environment = dict(os.environ, KNOWHOW_ENV="production", KNOWHOW_SECRET_KEY=secrets.token_urlsafe(32),
                       KNOWHOW_INSTANCE_PATH=str(directory),
                       KNOWHOW_DATABASE_URL="sqlite:///" + str(directory / "bench.db"),
                       KNOWHOW_SEARCH_DIR=str(directory / "search"), KNOWHOW_WORKERS=str(workers))
    config = str(CONFIG_FILE)
    if bare:  # an empty configuration file: gunicorn would otherwise read ./gunicorn.conf.py by itself
        config = str(directory / "bare.conf.py")
        Path(config).write_text("")
    command = [str(REPOSITORY / ".venv" / "bin" / "gunicorn"), "--config", config, "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "app:create_app()"]
    return subprocess.Popen(command, cwd=REPOSITORY, env=environment)


def wait_until_serving(server, port: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer within %d s" % STARTUP_SECONDS)


def fetch(port: int, headers, path: str, params) -> float:
    """Milliseconds of one GET; raises on anything but 200."""
    url = f"http://127.0.0.1:{port}{path}?{urllib.parse.urlencode(params)}"
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
    return (time.perf_counter() - started) * 1000


def run_requests(port: int, headers, requests) -> list[float]:
    """Send (path, params) requests from CLIENTS threads: the workers share them."""
    with ThreadPoolExecutor(CLIENTS) as clients:
        return list(clients.map(lambda request: fetch(port, headers, *request), requests))


def wait_for_workers(pid: int, count: int) -> list[int]:
    """The worker processes, once all have been forked (the first may answer before the last starts)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while len(workers := children_of(pid)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn started %d of %d workers" % (len(workers), count))
        time.sleep(0.5)
    return workers


def wait_until_settled(pids) -> None:
    """Wait until no worker grows for a few seconds (warm_up runs in the background)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    previous = None
    while time.monotonic() < deadline:
        current = [memory_of(pid)["rss"] for pid in pids]
        if previous is not None and all(now - before < 2 * _KIB * _KIB for now, before in zip(current, previous)):
            return
        previous = current
        time.sleep(5)


def megabytes(value: int) -> str:
    return f"{value / _KIB / _KIB:8.0f}"


def main(argv=None):
    """Serve the corpus with gunicorn, warm the workers, print each one's memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=400, help="searches and suggestions, half each")
    parser.add_argument("--keep", metavar="DIR", help="build the corpus in DIR and reuse it on later runs")
    parser.add_argument("--bare", action="store_true", help="run gunicorn without gunicorn.conf.py")
    parser.add_argument("--rebuild", action="store_true", help="rebuild a kept corpus's index first")
    arguments = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(arguments.keep or scratch)
        directory.mkdir(parents=True, exist_ok=True)
        app, headers, corpus, rows, _documents = prepare(directory, arguments.docs, rebuild=arguments.rebuild)
        from search.index import current_search

        current_search(app).engine.close()
        del app
        half = arguments.requests // 2
        requests = [("/api/v1/search", {"q": text, **filters})
                    for _shape, text, filters in make_queries(corpus, rows, half)]
        requests += [("/api/v1/suggest", {"q": prefix}) for prefix in make_prefixes(corpus, half)]
        requests = [request for pair in zip(requests[:half], requests[half:]) for request in pair]

        port = free_port()
        started = time.perf_counter()
        server = start_gunicorn(directory, port, arguments.workers, arguments.bare)
        try:
            wait_until_serving(server, port)
            print(f"gunicorn ({'bare' if arguments.bare else 'gunicorn.conf.py'}, {arguments.workers} workers) "
                  f"answered after {time.perf_counter() - started:.1f} s")
            workers = wait_for_workers(server.pid, arguments.workers)
            wait_until_settled(workers)
            first = run_requests(port, headers, requests)
            wait_until_settled(workers)
            second = run_requests(port, headers, requests)
            if children_of(server.pid) != workers:
                raise RuntimeError("a worker was replaced during the run")
            table = [("master", server.pid, memory_of(server.pid))]
            table += [(f"worker {number}", pid, memory_of(pid)) for number, pid in enumerate(workers, 1)]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)

    print(f"\n  {arguments.docs:,} documents, MB     {'RSS':>8} {'PSS':>8} {'USS':>8} {'PSS anon':>8} {'PSS file':>8}")
    for label, _pid, memory in table:
        print(f"  {label:<24} " + " ".join(megabytes(memory[name])
                                           for name in ("rss", "pss", "uss", "pss_anon", "pss_file")))
    for label, samples in (("first round", first), ("second round", second)):
        p50, p95 = percentiles(samples)
        print(f"  HTTP {label}, {len(samples)} requests over {CLIENTS} clients: p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
