"""What backing up and restoring share: the archive's layout, the exit statuses, the database's description."""
import hashlib
import os
import sqlite3
import tomllib
from shlex import quote
from urllib.request import pathname2url

from sqlalchemy.engine import URL, make_url

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
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        with open(os.path.join(root, "pyproject.toml"), "rb") as stream:
            return str(tomllib.load(stream)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


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
