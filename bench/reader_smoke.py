"""Smoke benchmark: stream a generated 1,000,000-row resolution CSV through read_resolutions.

Run from the repository root: `.venv/bin/python bench/reader_smoke.py [--rows N]`. The file is
written to a temporary directory, then read in a child process so that the peak RSS reported
is the reader's alone.
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
HEADER = ("ticket_id,agent,category,opened_at,handle_seconds,first_contact_resolution,"
          "closed_at,channel,reopened,nps,csat\n")
CHANNELS = ("phone", "chat", "email", "other")
CATEGORIES = ("billing", "network", "devices", "accounts", "roaming")
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def write_resolution_csv(path, rows, seed=7):
    """Write `rows` plausible resolution rows (a few with Persian digits or mm:ss) to `path`."""
    generator = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for number in range(rows):
            opened_at = start + timedelta(seconds=number * 30)
            handle_seconds = generator.randint(30, 1800)
            handle = (f"{handle_seconds // 60:02d}:{handle_seconds % 60:02d}"
                      if number % 10 == 0 else str(handle_seconds))
            if number % 25 == 0:
                handle = handle.translate(PERSIAN_DIGITS)
            surveyed = number % 4 == 0
            out.write(",".join((
                f"T{number:09d}",
                f"agent{generator.randint(1, 400)}",
                CATEGORIES[number % len(CATEGORIES)],
                opened_at.isoformat(timespec="seconds"),
                handle,
                "yes" if generator.random() < 0.8 else "no",
                (opened_at + timedelta(seconds=handle_seconds)).isoformat(timespec="seconds"),
                CHANNELS[number % len(CHANNELS)],
                "1" if generator.random() < 0.1 else "0",
                str(generator.randint(0, 10)) if surveyed else "",
                str(generator.randint(1, 5)) if surveyed else "",
            )) + "\n")


def measure_read(path):
    """Read every row of `path`; return counts, seconds and peak RSS in MB of this process."""
    sys.path.insert(0, str(REPOSITORY))
    from recognition.reader import ParsedRow, read_resolutions

    started = time.perf_counter()
    parsed = rejected = 0
    with open(path, "rb") as fileobj:
        resolution_file = read_resolutions(fileobj, now=datetime(2026, 1, 1, tzinfo=UTC))
        for item in resolution_file.rows():
            if type(item) is ParsedRow:
                parsed += 1
            else:
                rejected += 1
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    return {"parsed": parsed, "errors": rejected, "seconds": seconds, "peak_rss_mb": peak_mb}


def main():
    """Generate the file, read it in a child process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--read", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.read:
        print(json.dumps(measure_read(arguments.read)))
        return
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "resolutions.csv"
        write_resolution_csv(path, arguments.rows)
        size_mb = path.stat().st_size / 1e6
        child = subprocess.run([sys.executable, __file__, "--read", str(path)],
                               check=True, capture_output=True, text=True)
        result = json.loads(child.stdout)
    print(f"file: {arguments.rows:,} rows, {size_mb:.1f} MB")
    print(f"parsed {result['parsed']:,} rows, {result['errors']:,} errors"
          f" in {result['seconds']:.2f} s ({result['parsed'] / result['seconds']:,.0f} rows/s)")
    print(f"peak RSS of the reading process: {result['peak_rss_mb']:.1f} MB")


if __name__ == "__main__":
    main()
