"""Browser tests: Playwright for Python driving Debian's Chromium against a real Knowhow server.

Every test here is marked `browser` (`make test-fast` leaves them out). The server is the test
session's application (tests/conftest.py), served by werkzeug on a free port from a thread,
over committed data built once per module (`committed_module`: the search index sees it and the
browser's requests, on their own connections, see each other's commits), with CSRF checks on as
in production. It runs on SQLite or, with TEST_DATABASE_URL, on PostgreSQL, like the rest of the
suite, and each xdist worker starts a server of its own.

Chromium is Debian's (`apt-get install chromium`, done by `make test` and .ci/run); Playwright
never downloads a browser of its own. A failing test leaves a screenshot of its page in
tests/browser/screenshots/ (gitignored) and prints the path; KNOWHOW_BROWSER_SCREENSHOTS=always
keeps one of every test's pages, to look at the layouts (right to left above all).
"""
import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright's own builds are never downloaded
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# Long enough for a page on a busy two-core machine, short enough that a broken journey fails fast.
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the test item, for the screenshot on failure."""
    report = yield
    setattr(item, "report_" + report.when, report)
    return report


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the test session (of this xdist worker)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail("Browser tests need Debian's Chromium at %s: run `apt-get install -y chromium` "
                    "(make test does), or leave them out with `make test-fast`." % CHROMIUM,
                    pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


class QuietRequestHandler(WSGIRequestHandler):
    """No access log: a failing test's output should show the test, not every static file."""

    def log_request(self, code="-", size="-"):
        pass


class LiveServer:
    """A werkzeug server for `app` on a free port, in a thread; `url(path)` for the browser."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True,
                                  request_handler=QuietRequestHandler)
        self.base = "http://127.0.0.1:%d" % self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path="/"):
        return self.base + path

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_app(committed_module):
    """The session's application with CSRF checks on, for this module (committed data)."""
    committed_module.config["WTF_CSRF_ENABLED"] = True
    return committed_module


@pytest.fixture(scope="module")
def server(live_app, module_data):
    """The live server, once the module's data (a `module_data` fixture of the module) is in."""
    with LiveServer(live_app) as live:
        yield live


@pytest.fixture
def page_factory(browser, request):
    """Opens pages in fresh browser contexts (their own cookies and localStorage), with the
    given locale; on failure each page's screenshot is saved and its path printed."""
    contexts = []

    def open_page(locale="en-GB"):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    failed = any(getattr(getattr(request.node, "report_" + when, None), "failed", False)
                 for when in ("setup", "call"))
    keep = failed or os.environ.get("KNOWHOW_BROWSER_SCREENSHOTS") == "always"  # to look at layouts
    for number, context in enumerate(contexts):
        if keep:
            for page_number, page in enumerate(context.pages):
                path = screenshot_path(request.node.nodeid, "%d-%d" % (number, page_number))
                page.screenshot(path=str(path), full_page=True)
                print("Screenshot of %s: %s" % (page.url, path))
        context.close()


@pytest.fixture
def page(page_factory):
    """A page in a fresh English browser context."""
    return page_factory()


def screenshot_path(nodeid, suffix):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / ("%s-%s.png" % (re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:], suffix))


@pytest.fixture
def sign_in(server):
    """sign_in(page, username): signs in through the login page (the suite's password)."""
    def sign_in_as(page, username):
        page.goto(server.url("/login"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
    return sign_in_as
