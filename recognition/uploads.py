"""Uploaded resolution files kept between preview and import, and the progress of a running import.

A lead uploads once, sees a preview, may dry-run, then imports: the file waits under the
instance folder meanwhile, named by a random token and tied to its uploader. The import runs
as a job (services/import_runs.py), so the consumer reads the file from the same instance folder
(one host, or a folder the hosts share). The progress of a running import is a small JSON file
beside it, written outside the import's transaction, so that the run's page, answered by any
worker process, sees it while the import holds the database's write lock.
"""
import json
import os
import re
import secrets
import shutil
import time

from flask import current_app
from flask_babel import lazy_gettext as _l

from errors import NotFound

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
# Uploads nobody imported are removed after a day.
MAX_AGE_SECONDS = 24 * 3600
COPY_CHUNK = 1024 * 1024


def _directory():
    path = os.path.join(current_app.instance_path, "resolution-uploads")
    os.makedirs(path, exist_ok=True)
    return path


def _paths(token):
    if not _TOKEN.match(token or ""):
        raise NotFound(_l("That upload is no longer available: upload the file again."))
    base = os.path.join(_directory(), token)
    return base + ".csv", base + ".json", base + ".progress"


def save_upload(stream, filename, user):
    """Store an uploaded file for `user`; returns its token."""
    remove_stale_uploads()
    token = secrets.token_hex(16)
    data_path, meta_path, _progress = _paths(token)
    with open(data_path, "wb") as out:
        shutil.copyfileobj(stream, out, COPY_CHUNK)
    meta = {"user_id": user.id, "filename": os.path.basename(filename or "upload.csv")[:255],
            "size": os.path.getsize(data_path), "created": time.time()}
    with open(meta_path, "w", encoding="utf-8") as out:
        json.dump(meta, out)
    return token


def stored_upload(token):
    """(path of the stored file, its metadata), whoever uploaded it; NotFound when it is gone."""
    data_path, meta_path, _progress = _paths(token)
    try:
        with open(meta_path, encoding="utf-8") as source:
            meta = json.load(source)
    except (OSError, ValueError):
        raise NotFound(_l("That upload is no longer available: upload the file again.")) from None
    if not os.path.exists(data_path):
        raise NotFound(_l("That upload is no longer available: upload the file again."))
    return data_path, meta


def load_upload(token, user):
    """(path of the stored file, its metadata) when `user` uploaded it; NotFound otherwise."""
    data_path, meta = stored_upload(token)
    if meta.get("user_id") != user.id:
        raise NotFound(_l("That upload is no longer available: upload the file again."))
    return data_path, meta


def discard_upload(token):
    """Remove a stored upload and its progress file."""
    for path in _paths(token):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def progress_writer(token, total_bytes, interval=0.5):
    """A progress(bytes_read, rows_read) callback that records the import's progress at most every
    `interval` seconds."""
    _data, _meta, progress_path = _paths(token)
    last = [0.0]

    def progress(bytes_read, rows_read):
        now = time.monotonic()
        if now - last[0] < interval and 0 < bytes_read < total_bytes:
            return
        last[0] = now
        temporary = progress_path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump({"bytes_read": bytes_read, "total_bytes": total_bytes, "rows_read": rows_read}, out)
        os.replace(temporary, progress_path)

    progress(0, 0)  # a dry run before may have left its final figures
    last[0] = 0.0
    return progress


def read_progress(token, total_bytes):
    """{"bytes_read", "total_bytes", "rows_read"} of the upload's import (zeros before it starts)."""
    _data, _meta, progress_path = _paths(token)
    try:
        with open(progress_path, encoding="utf-8") as source:
            return json.load(source)
    except (OSError, ValueError):
        return {"bytes_read": 0, "total_bytes": total_bytes, "rows_read": 0}


def progress_mtime(token):
    """When the upload's import last recorded its progress (a POSIX time), or None if it never did."""
    _data, _meta, progress_path = _paths(token)
    try:
        return os.path.getmtime(progress_path)
    except OSError:
        return None


def remove_stale_uploads():
    """Delete uploads older than MAX_AGE_SECONDS."""
    directory = _directory()
    limit = time.time() - MAX_AGE_SECONDS
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        try:
            if os.path.getmtime(path) < limit:
                os.remove(path)
        except OSError:
            pass
