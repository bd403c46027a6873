"""Restoring a backup: check everything first, stage beside the live files, swap under a lock."""
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field

from core.backup.common import (
    COPY_CHUNK,
    DATABASE,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    REFUSED,
    UPLOADS,
    BackupError,
    _uri,
)


def read_manifest(path):
    """The manifest of the backup at `path`, after checking that it is one this Knowhow can read."""
    with _open_archive(path) as archive:
        return _manifest(archive, path)


def _open_archive(path):
    if not os.path.lexists(path):
        raise BackupError("No such file: %s" % path)
    if os.path.isdir(path):
        raise BackupError("%s is a folder: give the backup file (knowhow-backup-….tar.gz) in it." % path)
    try:
        return tarfile.open(path, "r:*")
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError("%s is not a Knowhow backup (not a readable archive)." % path) from error


def _member(archive, name, path):
    try:
        member = archive.getmember(name)
    except KeyError:
        member = None
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError("%s is damaged: %s" % (path, error)) from error
    if member is None or not member.isfile():
        raise BackupError("%s is not a Knowhow backup (it holds no %s)." % (path, name))
    return member


def _manifest(archive, path):
    member = _member(archive, MANIFEST, path)
    if member.size > MAX_MANIFEST_BYTES:
        raise BackupError("%s is not a Knowhow backup (its manifest is too large)." % path)
    try:
        manifest = json.loads(archive.extractfile(member).read())
    except (ValueError, tarfile.TarError, EOFError, OSError) as error:
        raise BackupError("%s is not a Knowhow backup (its manifest is unreadable: %s)." % (path, error)) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("%s is not a Knowhow backup (its manifest is not Knowhow's)." % path)
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        raise BackupError("%s was written by a newer Knowhow (backup format %r): upgrade Knowhow to restore it."
                          % (path, manifest.get("format_version")), REFUSED)
    return manifest


@dataclass
class PreparedRestore:
    """A checked backup, unpacked beside the live database and uploads, ready to be swapped in."""

    database_path: str
    uploads_dir: str
    manifest: dict
    revision: str
    staged_database: str
    staged_uploads: str
    work: str
    replaced_database: str = None
    swapped: bool = False
    notes: list = field(default_factory=list)

    def swap(self):
        """Put the backup's database in place of the live one (which is kept until finish)."""
        lock = _lock_database(self.database_path) if os.path.exists(self.database_path) else None
        try:
            if lock is not None:
                self.replaced_database = os.path.join(self.work, "replaced.db")
                _link_or_copy(self.database_path, self.replaced_database)
            os.replace(self.staged_database, self.database_path)
            self.swapped = True
        finally:
            if lock is not None:
                lock.close()
        _remove_companions(self.database_path)

    def undo(self):
        """Put the replaced database back (after a failure between swap and finish)."""
        if self.swapped and self.replaced_database:
            os.replace(self.replaced_database, self.database_path)
            _remove_companions(self.database_path)
        elif self.swapped:
            os.remove(self.database_path)
        self.swapped = False
        self.discard()

    def finish(self):
        """Put the backup's uploads in place of the live ones, and clear the work folder."""
        aside = os.path.join(self.work, "replaced-uploads")
        had_uploads = os.path.isdir(self.uploads_dir)
        if had_uploads:
            shutil.move(self.uploads_dir, aside)
        try:
            os.makedirs(os.path.dirname(self.uploads_dir), exist_ok=True)
            shutil.move(self.staged_uploads, self.uploads_dir)
        except OSError:
            shutil.rmtree(self.uploads_dir, ignore_errors=True)
            if had_uploads:
                shutil.move(aside, self.uploads_dir)
            raise
        self.discard()

    def discard(self):
        shutil.rmtree(self.work, ignore_errors=True)


def prepare_restore(path, database_path, uploads_dir, known_revisions, overwrite=False):
    """Check the backup at `path` and unpack it beside the live database and uploads.

    :param known_revisions: the schema revisions this Knowhow's migrations know.
    :param overwrite: replace a database that holds a schema already (`--yes`).
    :raises BackupError: with nothing changed.
    """
    with _open_archive(path) as archive:
        manifest = _manifest(archive, path)
        if not overwrite and _holds_schema(database_path):
            raise BackupError("%s holds a database already: add --yes to replace it with the backup." % database_path,
                              REFUSED)
        if os.path.exists(database_path):
            _lock_database(database_path).close()  # refuses early when the database is in use
        work = tempfile.mkdtemp(prefix=".knowhow-restore-", dir=os.path.dirname(database_path))
        try:
            staged = os.path.join(work, DATABASE)
            _extract_database(archive, path, staged, manifest)
            revision = _check_database(staged, path, known_revisions)
            staged_uploads = _extract_uploads(archive, path, work)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    # The uploads are renamed into place, so they are staged on the uploads' own file system.
    return PreparedRestore(database_path, uploads_dir, manifest, revision, staged, staged_uploads, work)


def _holds_schema(database_path):
    if not os.path.isfile(database_path) or os.path.getsize(database_path) == 0:
        return False
    try:
        conn = sqlite3.connect(_uri(database_path, "ro"), uri=True, timeout=10)
        try:
            return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
        finally:
            conn.close()
    except sqlite3.Error:
        return True  # not readable as a database: replacing it is no less a decision for --yes


def _lock_database(database_path):
    """A connection that holds the database's exclusive lock, or BackupError if others have it open.

    Leaving WAL mode needs every other connection closed, and merges the WAL into the file: the
    file is then the whole database, and the live -wal cannot be applied to the restored one.
    """
    conn = sqlite3.connect(database_path, timeout=0, isolation_level=None)
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        if mode != "delete":
            raise sqlite3.OperationalError("journal mode stays %s" % mode)
        conn.execute("BEGIN EXCLUSIVE")
    except sqlite3.Error as error:
        conn.close()
        raise BackupError("The database %s is in use (%s): stop Knowhow (the web server and the queue "
                          "consumer) before restoring." % (database_path, error), REFUSED) from error
    return conn


def _extract_database(archive, path, staged, manifest):
    member = _member(archive, DATABASE, path)
    digest = hashlib.sha256()
    try:
        source = archive.extractfile(member)
        with open(staged, "wb") as target:
            for chunk in iter(lambda: source.read(COPY_CHUNK), b""):
                digest.update(chunk)
                target.write(chunk)
            target.flush()
            os.fsync(target.fileno())
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError("%s is damaged: %s" % (path, error)) from error
    except OSError as error:
        raise BackupError("The database could not be unpacked: %s" % error) from error
    if digest.hexdigest() != manifest.get("sha256"):
        raise BackupError("%s is damaged: its database does not match the manifest's checksum." % path)


def _check_database(staged, path, known_revisions):
    try:
        conn = sqlite3.connect(_uri(staged, "ro"), uri=True)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise BackupError("%s is damaged: its database cannot be read (%s)." % (path, error)) from error
    if problems != ["ok"]:
        raise BackupError("%s is damaged: %s" % (path, "; ".join(problems[:5])))
    revision = row[0] if row else None
    if revision not in known_revisions:
        raise BackupError("%s holds a database of a newer Knowhow (schema revision %s, unknown here): "
                          "upgrade Knowhow first, then restore it." % (path, revision), REFUSED)
    return revision


def _extract_uploads(archive, path, work):
    """The backup's uploads, unpacked in `work`; tarfile's data filter refuses what could escape."""
    try:
        members = [member for member in archive.getmembers()
                   if member.name == UPLOADS or member.name.startswith(UPLOADS + "/")]
        archive.extractall(work, members=members, filter="data")
    except tarfile.FilterError as error:
        raise BackupError("%s is not a safe backup: %s" % (path, error)) from error
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError("%s is damaged: %s" % (path, error)) from error
    except OSError as error:
        raise BackupError("The uploads could not be unpacked: %s" % error) from error
    staged = os.path.join(work, UPLOADS)
    os.makedirs(staged, exist_ok=True)
    return staged


def _link_or_copy(source, target):
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _remove_companions(database_path):
    """The -wal, -shm and -journal files of a database file that was replaced belong to the old one."""
    for suffix in ("-wal", "-shm", "-journal"):
        try:
            os.remove(database_path + suffix)
        except FileNotFoundError:
            pass
