"""Domain exceptions raised by services, and their translation to pages and JSON in one place."""
from flask import flash, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge


class DomainError(Exception):
    """Base of the exceptions services raise; `status` is the HTTP status it maps to."""

    status = 400
    code = "bad_request"

    def __init__(self, message, fields=None):
        super().__init__(str(message))
        self.message = message
        self.fields = dict(fields or {})


class Invalid(DomainError):
    """Input that fails validation; `fields` maps field names to messages."""

    status = 422
    code = "invalid"

    def __init__(self, field, message=None, fields=None):
        if message is None and fields:
            message = next(iter(fields.values()))
        all_fields = dict(fields or {})
        if field:
            all_fields.setdefault(field, message)
        super().__init__(message, all_fields)
        self.field = field


class Conflict(DomainError):
    """The change collides with existing data (a taken username, a duplicate award)."""

    status = 409
    code = "conflict"

    def __init__(self, field, message):
        super().__init__(message, {field: message} if field else None)
        self.field = field


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
}


def is_api_request():
    """True for /api/ paths, whose errors are JSON in the SPEC's shape."""
    return request.path.startswith("/api/")


def json_error(status, message, code=None, fields=None):
    """The SPEC's JSON error body: {"error": {"code", "message", "fields"}}."""
    body = {"error": {"code": code or HTTP_CODES.get(status, "error"), "message": str(message),
                      "fields": {k: str(v) for k, v in (fields or {}).items()}}}
    return jsonify(body), status


def flash_invalid(error):
    """Show a domain error on a page: one flash per field message."""
    if error.fields:
        for message in error.fields.values():
            flash(str(message), "error")
    else:
        flash(str(error.message), "error")


def register_error_handlers(app):
    """Install handlers: JSON under /api/, error pages elsewhere."""
    from extensions import db

    @app.errorhandler(DomainError)
    def handle_domain_error(error):
        db.session.rollback()
        if is_api_request():
            return json_error(error.status, error.message, error.code, error.fields)
        template = "errors/%d.html" % error.status if error.status in (403, 404) else "errors/generic.html"
        return render_template(template, message=error.message, status=error.status), error.status

    @app.errorhandler(HTTPException)
    def handle_http_exception(error):
        if is_api_request():
            return json_error(error.code, _describe_http_error(error))
        if error.code in (403, 404, 500):
            template = "errors/%d.html" % error.code
        else:
            template = "errors/generic.html"
        return render_template(template, message=_describe_http_error(error), status=error.code), error.code

    @app.errorhandler(Exception)
    def handle_unexpected(error):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if is_api_request():
            return json_error(500, _("Something went wrong on our side. Please try again."))
        return render_template("errors/500.html", status=500), 500


def _describe_http_error(error):
    messages = {
        400: _("The request could not be understood."),
        401: _("Please sign in first."),
        403: _("You do not have permission to do that."),
        404: _("That page does not exist."),
        405: _("That method is not allowed here."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Please try again."),
    }
    description = getattr(error, "description", None)
    if error.code == 413 and description and description != RequestEntityTooLarge.description:
        return description  # the route's own explanation (security.body_limit)
    if error.code == 413 and request.max_content_length:
        # Said without the body: a refused request is never shown back.
        return _("The request is too large: at most %(limit)d KB here.",
                 limit=request.max_content_length // 1024)
    if error.code == 400 and description and "CSRF" in str(description):
        return _("The form expired or was sent from another site. Reload the page and try again.")
    return messages.get(error.code, description or _("The request failed."))


def show_on_form(form, error):
    """Attach a domain error's messages to the matching form fields; flash the rest."""
    for field_name, message in (error.fields or {None: error.message}).items():
        field = getattr(form, field_name, None) if field_name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [str(message)]
        else:
            flash(str(message), "error")
