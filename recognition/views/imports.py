"""Import pages (leads): upload, preview, dry run, import with progress, history, batch report."""
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import require
from errors import Invalid, NotFound
from extensions import db
from recognition import services
from recognition.exports import csv_response
from recognition.forms import RunImportForm, UploadForm
from recognition.uploads import discard_upload, load_upload, progress_writer, read_progress, save_upload
from recognition.views import recognition
from security import accepts_uploads


@recognition.route("/imports")
@login_required
def imports():
    """Import history, newest first."""
    require(current_user, "resolutions.import")
    batches = services.list_batches(request.args.get("page", 1, type=int))
    return render_template("recognition/imports.html", batches=batches)


@recognition.route("/imports/new", methods=["GET", "POST"])
@accepts_uploads
@login_required
def upload():
    """Upload a file; the preview comes next."""
    require(current_user, "resolutions.import")
    form = UploadForm()
    if form.validate_on_submit():
        token = save_upload(form.file.data.stream, form.file.data.filename, current_user)
        return redirect(url_for("recognition.preview", token=token, encoding=form.encoding.data or None))
    return render_template("recognition/upload.html", form=form)


@recognition.get("/imports/new/<token>")
@login_required
def preview(token):
    """The first rows as the import will read them, with the detected encoding and delimiter."""
    require(current_user, "resolutions.import")
    path, meta = load_upload(token, current_user)
    encoding = request.args.get("encoding", "")
    file_error = None
    try:
        with open(path, "rb") as fileobj:
            preview = services.preview_resolutions(fileobj, encoding=encoding or None)
    except Invalid as error:
        preview, file_error = None, error.message
    form = RunImportForm(encoding=encoding)
    return render_template("recognition/preview.html", token=token, meta=meta, preview=preview,
                           file_error=file_error, form=form, encoding=encoding,
                           upload_form=UploadForm(encoding=encoding))


@recognition.post("/imports/new/<token>")
@login_required
def run_import(token):
    """Dry-run or import an uploaded file; the import runs within this request."""
    require(current_user, "resolutions.import")
    path, meta = load_upload(token, current_user)
    form = RunImportForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("recognition.preview", token=token))
    dry_run = request.form.get("action") == "dry_run"
    try:
        with open(path, "rb") as fileobj:
            summary = services.import_resolutions(
                fileobj, filename=meta["filename"], user=current_user, dry_run=dry_run,
                create_agents=form.create_agents.data, encoding=form.encoding.data or None,
                progress=progress_writer(token, meta["size"]), source="web")
    except services.UnreadableFile as error:
        db.session.commit()  # keep the failed batch in the import history
        flash(error.message, "error")
        return redirect(url_for("recognition.batch", batch_id=error.batch_id))
    db.session.commit()
    if dry_run:
        flash(_("Dry run finished: nothing was stored. Check the counts, then import."), "info")
        return redirect(url_for("recognition.batch", batch_id=summary.batch_id, upload=token,
                                create_agents=int(form.create_agents.data) or None,
                                encoding=form.encoding.data or None))
    discard_upload(token)
    flash(_("Import finished."), "success")
    return redirect(url_for("recognition.batch", batch_id=summary.batch_id))


@recognition.get("/imports/new/<token>/progress")
@login_required
def import_progress(token):
    """How far the running import of an upload has read (polled by the preview page)."""
    require(current_user, "resolutions.import")
    return jsonify(read_progress(token, current_user))


@recognition.get("/imports/<int:batch_id>")
@login_required
def batch(batch_id):
    """One import: its counts, warnings and every rejected row."""
    require(current_user, "resolutions.import")
    batch = services.get_batch_or_404(batch_id)
    errors = services.page_row_errors(batch, request.args.get("page", 1, type=int))
    pending = None
    token = request.args.get("upload")
    if batch.dry_run and token:
        try:
            load_upload(token, current_user)
            pending = {"token": token, "form": RunImportForm(
                encoding=request.args.get("encoding", ""),
                create_agents=bool(request.args.get("create_agents")))}
        except NotFound:
            pending = None
    return render_template("recognition/batch.html", batch=batch, errors=errors, pending=pending)


@recognition.get("/imports/<int:batch_id>/errors.csv")
@login_required
def batch_errors_csv(batch_id):
    """Every rejected row of an import as CSV."""
    require(current_user, "resolutions.import")
    batch = services.get_batch_or_404(batch_id)
    header = (_("row"), _("column"), _("value"), _("reason"))
    return csv_response("import-%d-rejected-rows.csv" % batch.id, header,
                        services.iter_row_errors(batch))
