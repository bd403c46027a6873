"""The resolution-data part of /api/v1: import, performers and title candidates (leads)."""
from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.permissions import require
from core.api import api_login_required
from core.categories import get_category_or_404
from core.periods import parse_period
from errors import Invalid, json_error
from extensions import db
from recognition import services
from security import accepts_uploads

recognition_api = Blueprint("recognition_api", __name__, url_prefix="/api/v1")

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def _flag(name):
    """A boolean form field of a multipart request ("1", "true", "yes", "on" or their opposites)."""
    text = request.form.get(name, "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Invalid(name, _l("%(field)s must be true or false.", field=name))


@recognition_api.post("/resolutions/import")
@accepts_uploads
@api_login_required
def import_resolutions():
    """Import a resolution-data CSV sent as the multipart field `file` (leads)."""
    require(current_user, "resolutions.import")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid("file", _l("Send the CSV file as the multipart field \"file\"."))
    dry_run = _flag("dry_run")
    try:
        summary = services.import_resolutions(
            upload.stream, filename=upload.filename, user=current_user, dry_run=dry_run,
            create_agents=_flag("create_agents"), encoding=request.form.get("encoding") or None,
            source="api")
    except services.UnreadableFile as error:
        db.session.commit()  # keep the failed batch in the import history
        return json_error(error.status, error.message, error.code, error.fields)
    db.session.commit()
    return jsonify(summary.as_json()), 200 if dry_run else 201


@recognition_api.get("/performers")
@api_login_required
def performers():
    """A category's ranking over ?since=&until= (default: the current period), eligible first."""
    require(current_user, "performers.view")
    category = get_category_or_404(request.args.get("category"))
    settings = services.load_ranking_settings()
    period = parse_period(request.args.get("since"), request.args.get("until"), settings.period_days)
    return jsonify(services.rank_performers(category, period.since, period.until).as_json())


@recognition_api.get("/recognition/candidates")
@api_login_required
def candidates():
    """Title candidates of a category: the current period's best without a current title there."""
    require(current_user, "performers.view")
    category = get_category_or_404(request.args.get("category"))
    return jsonify(services.title_candidates(category).as_json())
