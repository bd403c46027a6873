"""Import pages (leads): upload, preview, dry run and import (run as jobs, with their progress),
history, batch report."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import require
from core.boundary import page_arg
from core.views import committing
from errors import Invalid, NotFound
from recognition import services
from recognition.exports import csv_response
from recognition.forms import RunImportForm, UploadForm
from recognition.uploads import load_upload, save_upload
from recognition.views import recognition
from security import accepts_uploads


@recognition.route("/imports")
@login_required
def imports():
    """Import history, newest first."""
    require(current_user, "resolutions.import")
    batches = services.list_batches(page_arg())
    return render_template("recognition/imports.html", batches=batches,
                           runs=services.runs_without_batch())


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
    """Dry-run or import an uploaded file: a job does it; its page shows how far it got."""
    require(current_user, "resolutions.import")
    _path, meta = load_upload(token, current_user)
    form = RunImportForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("recognition.preview", token=token))
    with committing():
        run = services.start_import_run(token, meta, current_user,
                                        dry_run=request.form.get("action") == "dry_run",
                                        create_agents=form.create_agents.data,
                                        encoding=form.encoding.data or None)
    return redirect(url_for("recognition.import_run", run_id=run.id))


@recognition.get("/imports/runs/<int:run_id>")
@login_required
def import_run(run_id):
    """An import run: its progress while queued or running (the page refreshes), then its report."""
    run = services.get_import_run_or_404(run_id)
    require(current_user, "import_run.view", run)
    if run.batch is None:
        progress = services.import_run_progress(run) if run.is_active else None
        return render_template("recognition/import_run.html", run=run, progress=progress)
    pending = None
    if run.dry_run and run.status == "done":
        try:
            load_upload(run.upload_token, current_user)
            pending = {"token": run.upload_token, "form": RunImportForm(
                encoding=run.encoding, create_agents=run.create_agents)}
        except NotFound:
            pending = None
    return render_template("recognition/import_run.html", run=run, batch=run.batch, pending=pending,
                           errors=services.page_row_errors(run.batch, page_arg()))


@recognition.get("/imports/<int:batch_id>")
@login_required
def batch(batch_id):
    """One import: its counts, warnings and every rejected row."""
    require(current_user, "resolutions.import")
    batch = services.get_batch_or_404(batch_id)
    errors = services.page_row_errors(batch, page_arg())
    return render_template("recognition/batch.html", batch=batch, errors=errors)


@recognition.get("/imports/<int:batch_id>/errors.csv")
@login_required
def batch_errors_csv(batch_id):
    """Every rejected row of an import as CSV."""
    require(current_user, "resolutions.import")
    batch = services.get_batch_or_404(batch_id)
    header = (_("row"), _("column"), _("value"), _("reason"))
    return csv_response("import-%d-rejected-rows.csv" % batch.id, header,
                        services.iter_row_errors(batch))
