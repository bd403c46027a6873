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
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import tomllib
import zlib
from dataclasses import dataclass, field
from shlex import quote
from urllib.request import pathname2url

from sqlalchemy.engine import URL, make_url

from core.clock import utcnow

FORMAT = "knowhow-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "knowhow.db"
UPLOADS = "uploads"
MAX_MANIFEST_BYTES = 1024 * 1024
COPY_CHUNK = 1024 * 1024
# Exit statuses of `flask backup` and `flask restore`.
FAILED = 1  # the file is missing, unreadable, damaged or not a backup; a disk error
REFUSED = 2  # nothing was changed: it would overwrite, the schema is newer, the database is in use


class BackupError(Exception):
    """A backup or restore that could not be done; `status` is the command's exit status."""

    def __init__(self, message, status=FAILED):
        super().__init__(message)
        self.message, self.status = message, status


def sqlite_database_path(database_url):
    """The file of an SQLite database URL, or None for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory: there is nothing to back up.")
    return os.path.abspath(url.database)


def postgres_commands(database_url, path):
    """What to run instead on PostgreSQL: pg_dump to back up, pg_restore (and reindex) to restore."""
    url = make_url(database_url)  # a string, or an engine's URL
    url = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                     database=url.database, query=url.query)  # never the password on a screen
    target = quote(url.render_as_string(hide_password=False))
    path = quote(path)
    return ("Knowhow's database is PostgreSQL: back it up and restore it with PostgreSQL's own tools "
            "(the password from PGPASSWORD or ~/.pgpass):\n"
            "  pg_dump --format=custom --file=%(path)s %(target)s\n"
            "and, with Knowhow stopped:\n"
            "  pg_restore --clean --if-exists --no-owner --single-transaction --dbname=%(target)s %(path)s\n"
            "  .venv/bin/flask --app app init-db\n"
            "  .venv/bin/flask --app app reindex" % {"path": path, "target": target})


def knowhow_version():
    """The version in pyproject.toml, beside the code (an editable install, as `make install` makes)."""
    try:
        with open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pyproject.toml"),
                  "rb") as stream:
            return str(tomllib.load(stream)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


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


def _uri(path, mode):
    """An SQLite URI that opens the file at `path` only if it exists (mode "rw" or "ro")."""
    return "file:%s?mode=%s" % (pathname2url(path), mode)


def _describe_database(path):
    """The schema revision and the row count of each table of the database at `path`."""
    conn = sqlite3.connect(_uri(path, "ro"), uri=True)
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = {name: conn.execute('SELECT count(*) FROM "%s"' % name.replace('"', '""')).fetchone()[0]
                  for name in tables}
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    finally:
        conn.close()
    counts.pop("alembic_version", None)
    return {"schema_revision": revision, "counts": counts}


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(COPY_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _count_files(directory):
    return sum(len(files) for _root, _dirs, files in os.walk(directory)) if os.path.isdir(directory) else 0


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(utcnow().timestamp()), 0o644
    archive.addfile(info, io.BytesIO(data))


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
