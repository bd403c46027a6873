"""Making a backup: a consistent copy of the database and the uploads, written atomically."""
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile

from core.backup.common import (
    DATABASE,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    REFUSED,
    UPLOADS,
    BackupError,
    _count_files,
    _describe_database,
    _sha256,
    _uri,
    knowhow_version,
)
from core.clock import utcnow


def backup_target(path):
    """Where `flask backup PATH` writes: PATH itself, or a file named by the time in folder PATH."""
    if os.path.isdir(path):
        path = os.path.join(path, "knowhow-backup-%s.tar.gz" % utcnow().strftime("%Y%m%d-%H%M%S"))
    if os.path.lexists(path):
        raise BackupError("%s exists already: give a new file name, or a folder to write into." % path,
                          REFUSED)
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise BackupError("The folder of %s does not exist." % path)
    return path


def create_backup(database_path, uploads_dir, path):
    """Write a backup of the database and the uploads to `path` (see backup_target).

    :returns: (the archive's path, its manifest).
    """
    if not os.path.isfile(database_path):
        raise BackupError("There is no database at %s: run `flask init-db` first." % database_path)
    target = backup_target(path)
    work = tempfile.mkdtemp(prefix=".knowhow-backup-", dir=os.path.dirname(os.path.abspath(target)))
    try:
        copy = os.path.join(work, DATABASE)
        _copy_database(database_path, copy)
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "knowhow_version": knowhow_version(),
                    "created_at": utcnow().isoformat(timespec="seconds").replace("+00:00", "Z"),
                    **_describe_database(copy), "sha256": _sha256(copy),
                    "uploads": _count_files(uploads_dir)}
        partial = os.path.join(work, "archive.partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
            archive.add(copy, arcname=DATABASE)
            archive.add(uploads_dir if os.path.isdir(uploads_dir) else work, arcname=UPLOADS,
                        recursive=os.path.isdir(uploads_dir))
        os.replace(partial, target)
    except OSError as error:
        raise BackupError("The backup could not be written: %s" % error) from error
    except sqlite3.Error as error:
        raise BackupError("The database could not be read: %s" % error) from error
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target, manifest


def _copy_database(database_path, copy):
    # One step (pages=-1): the copy is one read transaction's snapshot, and in WAL mode a reader
    # never waits for the writers, nor they for it.
    source = sqlite3.connect(_uri(database_path, "rw"), uri=True, timeout=10)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()
        source.close()


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(utcnow().timestamp()), 0o644
    archive.addfile(info, io.BytesIO(data))
