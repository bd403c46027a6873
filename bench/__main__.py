"""`make bench` (`python -m bench [search|memory|import|markdown] ...`): run the benchmarks and print their tables.

With no argument every benchmark runs; `search`, `memory`, `import` or `markdown` runs one, and options after it go
to that benchmark (e.g. `python -m bench search --docs 5000`).
"""
import sys
import time

from bench import markdown, memory, resolutions, search

BENCHMARKS = {
    "search": ("Search: 50,000 documents, API latency, suggestions, freshness, FTS5 reference", search.main),
    "memory": ("Memory per gunicorn worker after warm-up: RSS, PSS, USS", memory.main),
    "import": ("Resolution data: 1,000,000-row import, peak memory, metrics recompute", resolutions.main),
    "markdown": ("Markdown rendering: ordinary and hostile inputs", markdown.main),
}


def run(name, options):
    """Run one benchmark with its command-line options, under a heading."""
    title, main = BENCHMARKS[name]
    print(f"\n== {title}", flush=True)
    started = time.perf_counter()
    saved_argv = sys.argv
    sys.argv = [f"bench {name}", *options]  # resolutions.main reads its options from sys.argv
    try:
        if name in ("search", "memory", "markdown"):
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
            run(name, [])


if __name__ == "__main__":
    main(sys.argv[1:])
