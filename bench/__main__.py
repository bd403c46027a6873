"""`make bench` (`python -m bench [search|memory|import|markdown|load] ...`): run the benchmarks and print their tables.

With no argument every benchmark but `load` runs; `search`, `memory`, `import`, `markdown` or `load` runs one, and
options after it go to that benchmark (e.g. `python -m bench search --docs 5000`). `load` (`make bench-load`)
serves the app with gunicorn and runs for about ten minutes, so it runs only when asked for.
"""
import sys
import time

from bench import load, markdown, memory, resolutions, search

BENCHMARKS = {
    "search": ("Search: 50,000 documents, API latency, suggestions, freshness, FTS5 reference", search.main),
    "memory": ("Memory per gunicorn worker after warm-up: RSS, PSS, USS", memory.main),
    "import": ("Resolution data: 1,000,000-row import, peak memory, metrics recompute", resolutions.main),
    "markdown": ("Markdown rendering: ordinary and hostile inputs", markdown.main),
    "load": ("Load: gunicorn on SQLite and on PostgreSQL + Redis, 32 clients, mixed requests", load.main),
}
ON_REQUEST = {"load"}  # not part of the run of every benchmark


def run(name, options):
    """Run one benchmark with its command-line options, under a heading."""
    title, main = BENCHMARKS[name]
    print(f"\n== {title}", flush=True)
    started = time.perf_counter()
    saved_argv = sys.argv
    sys.argv = [f"bench {name}", *options]  # resolutions.main reads its options from sys.argv
    try:
        if name in ("search", "memory", "markdown", "load"):
            main(options)
        else:
            main()
    finally:
        sys.argv = saved_argv
    print(f"({name} took {time.perf_counter() - started:.0f} s)", flush=True)


def main(argv):
    """Run the benchmark named in argv, or all of them."""
    if argv and argv[0] in BENCHMARKS:
        run(argv[0], argv[1:])
    elif argv:
        sys.exit("usage: python -m bench [%s] [options]" % "|".join(BENCHMARKS))
    else:
        for name in BENCHMARKS:
            if name not in ON_REQUEST:
                run(name, [])


if __name__ == "__main__":
    main(sys.argv[1:])
