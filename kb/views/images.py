"""Article images: the editor's upload (paste, drop or "Add image") and serving them to readers."""
from flask import Response, current_app, jsonify, request
from flask_login import current_user, login_required

from core.storage import image_store
from database import begin_write, reads_first
from errors import DomainError, Invalid, NotFound, json_error
from extensions import db
from kb import services
from kb.views import kb
from security import body_limit

# A reader's browser may keep an image this long; it is private (never in a shared cache), and
# the file of an id never changes, but the right to see it can, so not for days.
IMAGE_CACHE_SECONDS = 3600


def read_upload(files, form):
    """(the bytes of the multipart field "file", the optional article id) of an upload request.

    :raises Invalid: no file was sent, or article_id is not a whole number.
    """
    upload = files.get("file")
    if upload is None:
        raise Invalid("file", services.SEND_AN_IMAGE)
    limit = current_app.config["MAX_IMAGE_BYTES"]
    data = upload.stream.read(limit + 1)
    article_id = (form.get("article_id") or "").strip()
    if article_id and not (article_id.isascii() and article_id.isdigit() and len(article_id) <= 10):
        raise Invalid("article_id", services.ARTICLE_ID_NUMBER)
    return data, int(article_id) if article_id else None


@kb.post("/kb/images")
@reads_first  # decoding a photo takes a while: not while holding the write lock
@body_limit(services.image_request_bytes, services.too_large_message)
@login_required
def upload_image():
    """Store an image pasted, dropped or chosen in the editor; answers JSON for its script."""
    try:
        data, article_id = read_upload(request.files, request.form)
        cleaned = services.clean_image(data, services.ImageLimits.from_config(current_app.config))
        begin_write()
        image = services.store_image(current_user, cleaned, image_store(), article_id)
    except DomainError as error:
        db.session.rollback()
        return json_error(error.status, error.message, error.code, error.fields)
    db.session.commit()
    return jsonify(services.image_json(image)), 201


@kb.get("/kb/images/<int:image_id>")
@login_required
def image(image_id):
    """The image, to those who may read its article (before it has one: its uploader); 404 to
    everyone else, so that ids tell nothing."""
    found = services.get_image(image_id, current_user)
    try:
        with image_store().open(found.storage_key) as stream:
            data = stream.read()
    except (OSError, ValueError):
        current_app.logger.warning("image %d has no file under %s", found.id, found.storage_key)
        raise NotFound(services.NO_SUCH_IMAGE) from None
    response = Response(data, mimetype=found.mime)
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Disposition"] = 'inline; filename="image-%d.%s"' % (found.id, found.storage_key.rsplit(".", 1)[1])
    headers["Content-Security-Policy"] = "default-src 'none'"
    headers["Cache-Control"] = "private, max-age=%d" % IMAGE_CACHE_SECONDS
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.set_etag(found.storage_key.rsplit("/", 1)[1].split(".")[0])
    return response.make_conditional(request)
