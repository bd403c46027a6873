"""Benchmark: rendering ordinary and hostile Markdown (`python -m bench markdown [--repeats N]`).

Each input is rendered `repeats` times with the render cache emptied before each, so every
figure is a real conversion and sanitising; the table gives the fastest and slowest wall time,
the CPU time of the slowest, and how the text came out: as Markdown, as plain text because it
nests too deeply, or as plain text because it used up the CPU budget.
"""
import argparse
import logging
import time

ROW = "| Pro **%d** | 12 `x` | eu-west | see [guide](/kb/%d) |\n"


def typical_article(size):
    """A how-to article of about ``size`` characters: headings, steps, a table, code, a quote."""
    block = (
        "## Steps to resolve\n\n1. Open **Billing › Invoices**, find the *last* period.\n"
        "2. Check `status`; see [the refund guide](/kb/articles/12).\n\n"
        "| Field | Value |\n|:--|--:|\n| plan | Pro |\n\n"
        "```\ncurl -s https://api.example/v1\n```\n\n"
        "> مشتری باید ۳ روز کاری صبر کند. ลูกค้าต้องรอ 3 วันทำการ\n\n"
    )
    return (block * (size // len(block) + 1))[:size]


def table(size):
    """A Markdown table of about ``size`` characters (the issue's 200 KB preview)."""
    head = "| plan | cost | region | notes |\n|---|---|---|---|\n"
    return head + "".join(ROW % (number, number) for number in range((size - len(head)) // len(ROW % (0, 99_999))))


INPUTS = {
    "typical article, 3 KB": lambda: typical_article(3_000),
    "dense article, 50 KB": lambda: typical_article(50_000),
    "table, 200 KB": lambda: table(200_000),
    "30,000-deep <div> nest": lambda: "<div>" * 30_000 + "x" + "</div>" * 30_000,
    "30,000 unclosed <div>": lambda: "<div>" * 30_000,
    "100,000 nested > quotes": lambda: ">" * 100_000 + " deep",
    "flat list, 30,000 items": lambda: "- item\n" * 28_000,
    "nested list, 300 levels": lambda: "\n".join("    " * level + "- item" for level in range(300)),
    "18,000 <div></div> pairs": lambda: "<div></div>" * 18_000,
    "200,000 [ brackets": lambda: "[" * 200_000,
}


class _Outcome(logging.Handler):
    """Notes which plain-text fallback, if any, core.markdown logged."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.seen = "markdown"

    def emit(self, record):
        message = record.getMessage()
        self.seen = "text: too deep" if "nested more than" in message else "text: CPU budget"


def measure(render, source, repeats, clear_cache=lambda: None):
    """(fastest wall s, slowest wall s, CPU s of the slowest, outcome) of rendering ``source``."""
    outcome = _Outcome()
    logger = logging.getLogger("core.markdown")
    logger.addHandler(outcome)
    walls = []
    try:
        for _ in range(repeats):
            clear_cache()
            started, cpu_started = time.perf_counter(), time.thread_time()
            render(source)
            walls.append((time.perf_counter() - started, time.thread_time() - cpu_started))
    finally:
        logger.removeHandler(outcome)
    return min(walls)[0], max(walls)[0], max(walls)[1], outcome.seen


def main(argv=None):
    """Print the rendering table."""
    parser = argparse.ArgumentParser(prog="bench markdown")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args(argv)
    from core.markdown import _render_cache, render_markdown

    print(f"{'input':28} {'chars':>9} {'fastest':>9} {'slowest':>9} {'CPU':>7}  outcome")
    for name, make in INPUTS.items():
        source = make()
        fastest, slowest, cpu, outcome = measure(render_markdown, source, options.repeats,
                                                 _render_cache.clear)
        print(f"{name:28} {len(source):9,d} {fastest:8.3f}s {slowest:8.3f}s {cpu:6.2f}s  {outcome}",
              flush=True)
