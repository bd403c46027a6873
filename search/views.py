"""Search pages: results, the logged redirect to an opened result, content gaps."""
from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import require
from config import LANGUAGES
from core.categories import category_choices
from errors import NotFound
from search.index import current_search
from search.log import content_gaps
from search.ops import noticeable_lag
from search.service import BadSearch, SearchFilters, check_filters, open_result, search_content

search = Blueprint("search", __name__)

GAP_PERIODS = (7, 30, 90, 365)


@search.route("/search")
@login_required
def results():
    """Results for the header search box: filters, highlighted snippets, "did you mean", pages."""
    require(current_user, "search.use")
    args = request.args
    error, outcome = None, None
    try:
        filters = check_filters(args.get("q", ""), args.get("type"), args.get("category"),
                                args.get("lang"), args.get("page"))
    except BadSearch as bad:
        error, filters = bad, SearchFilters(args.get("q", "")[:200])
    if error is None and filters.text.strip():
        outcome = search_content(current_user, filters)  # the log is buffered: no write lock
    return render_template("search/results.html", filters=filters, outcome=outcome, error=error,
                           categories=category_choices(), languages=LANGUAGES,
                           lag=noticeable_lag(current_search())), 400 if error else 200


@search.route("/search/open")
@login_required
def search_open():
    """Record which result of a logged search was opened, then go to it (only our own pages)."""
    url = open_result(current_user, request.args.get("key", "")[:40], request.args.get("log", "")[:40])
    if url is None:
        raise NotFound(_("That result is no longer available."))
    return redirect(url)


@search.route("/kb/gaps")
@login_required
def gaps():
    """Queries agents keep running without finding, or opening, an answer — per category."""
    require(current_user, "search.gaps")
    days = request.args.get("days", 90, type=int)
    days = days if days in GAP_PERIODS else 90
    return render_template("search/gaps.html", groups=content_gaps(current_user, days=days), days=days,
                           periods=GAP_PERIODS)

