"""Backups of the embedded database (SQLite) and the uploaded files, and restoring them.

A backup is one gzip-compressed tar archive:

    manifest.json   what it is: format, Knowhow version, schema revision, time, row counts,
                    the database copy's SHA-256 and the number of uploaded files
    knowhow.db      a consistent copy of the database, taken with SQLite's online backup API, so
                    the application may keep running (and writing) meanwhile
    uploads/        the instance's uploaded files (UPLOADS_DIR), possibly none

The archive is written under a temporary name and renamed when complete: an interrupted backup
leaves no file that looks like a backup. A restore first checks everything it can before touching
anything (the manifest, the checksum, SQLite's integrity check, that the schema is one this
Knowhow knows, that no process has the database open), prepares the database and the uploads
beside the live ones, and then swaps them in by rename. The replaced database stays at hand under
another name until the restore has finished, so a failure afterwards (the schema upgrade of an
older backup) puts it back: never a half-restored database.
"""
from core.backup.common import (  # noqa: F401  (the package's public names)
    COPY_CHUNK,
    DATABASE,
    FAILED,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    REFUSED,
    UPLOADS,
    BackupError,
    knowhow_version,
    postgres_commands,
    sqlite_database_path,
)
from core.backup.create import backup_target, create_backup  # noqa: F401
from core.backup.restore import PreparedRestore, prepare_restore, read_manifest  # noqa: F401
