"""`flask backup` and `flask restore` on the embedded default: a round trip, and every refusal.

Each test runs an application of its own on an SQLite file in its own instance folder (whatever
TEST_DATABASE_URL says: the commands are for the embedded database), migrated to head as
`flask init-db` does.
"""
import io
import json
import os
import sqlite3
import tarfile
import tomllib
from contextlib import contextmanager

import pytest
import time_machine
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import select, text

from accounts.models import User
from app import create_app
from core.backup import restore as restoring
from core.storage import image_store
from database import SQLITE_PRAGMAS
from extensions import db
from kb import services as kb_services
from tests.conftest import FROZEN_NOW, app_settings, close_app, make_app
from tests.factories import make_user
from tests.factories_search import index_keys, make_people, publish

# The schema revision this Knowhow migrates to (whatever the latest migration is).
HEAD = ScriptDirectory("migrations").get_current_head()
ORIGINAL = ("Customer refund policy", "Refunds are paid within seven days.")
LATER = ("Printer paper jam", "Open the tray and remove the jammed sheet.")


@contextmanager
def embedded_app(instance, database=None, revision="heads"):
    """An application on an SQLite database in `instance` (knowhow.db, or the URL `database`),
    migrated to `revision` (None: no schema at all), with an empty index; closed afterwards."""
    application = make_app(instance, database or "sqlite:///" + str(instance / "knowhow.db"))
    try:
        if revision:
            with application.app_context():
                upgrade(revision=revision)
        yield application
    finally:
        close_app(application)


@pytest.fixture
def embedded(tmp_path):
    """An application on a migrated SQLite database in tmp_path/instance, with an empty index."""
    with embedded_app(tmp_path / "instance") as application:
        yield application


def run(application, *args):
    return application.test_cli_runner().invoke(args=list(args))


def database_file(application):
    return application.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def scalar(application, sql):
    with application.app_context():
        try:
            return db.session.execute(text(sql)).scalar()
        finally:
            db.session.remove()


def write_upload(application, name, content):
    path = os.path.join(application.config["UPLOADS_DIR"], name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(content)


def uploads(application):
    root = application.config["UPLOADS_DIR"]
    found = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            with open(os.path.join(folder, name), encoding="utf-8") as stream:
                found[os.path.relpath(os.path.join(folder, name), root)] = stream.read()
    return found


def titles(application):
    with application.app_context():
        try:
            return sorted(db.session.execute(text("SELECT title FROM article")).scalars())
        finally:
            db.session.remove()


def existing_people():
    """The lead and the agent of make_people, loaded again (needs an application context)."""
    return {name: db.session.execute(select(User).filter_by(username=name)).scalar_one()
            for name in ("lead", "agent")}


@pytest.fixture
def published(embedded):
    """The embedded application with one published, indexed article and one uploaded file."""
    with embedded.app_context():
        people = make_people()
        publish(people, *ORIGINAL)
        db.session.remove()
    write_upload(embedded, "articles/1/diagram.txt", "the original diagram")
    assert index_keys(embedded, "refund")
    return embedded


def leftovers(application):
    """What a restore left in the instance folder beyond the database (and its open WAL), the index
    and the uploads."""
    return sorted(set(os.listdir(application.instance_path))
                  - {"knowhow.db", "knowhow.db-wal", "knowhow.db-shm", "search", "uploads"})


def make_backup(application, tmp_path, name="backup.tar.gz"):
    path = str(tmp_path / name)
    result = run(application, "backup", path)
    assert result.exit_code == 0, result.output
    return path


def members(path):
    with tarfile.open(path) as archive:
        return {member.name: (member, archive.extractfile(member).read() if member.isfile() else None)
                for member in archive.getmembers()}


def rewrite(path, target, replace=None, extra=()):
    """A copy of the archive at `path` with some members' bytes replaced and extra members added."""
    with tarfile.open(target, "w:gz") as out:
        for name, (member, data) in members(path).items():
            data = (replace or {}).get(name, data)
            if data is not None:
                member.size = len(data)
            out.addfile(member, io.BytesIO(data) if data is not None else None)
        for name, data in extra:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return str(target)


def test_backup_then_restore_brings_back_the_data_the_uploads_and_a_searchable_index(published, tmp_path, clock):
    path = make_backup(published, tmp_path)

    # Everything changes after the backup: a new article (indexed), a renamed user, other uploads.
    with published.app_context():
        make_user("lead2", role="lead")
        publish(existing_people(), *LATER)
        db.session.execute(text("UPDATE users SET display_name = 'Renamed' WHERE username = 'agent'"))
        db.session.commit()
        db.session.remove()
    os.remove(os.path.join(published.config["UPLOADS_DIR"], "articles/1/diagram.txt"))
    write_upload(published, "articles/2/photo.txt", "a later photo")
    assert index_keys(published, "printer") and titles(published) == sorted([ORIGINAL[0], LATER[0]])

    result = run(published, "restore", path, "--yes")

    assert result.exit_code == 0, result.output
    assert "Search index rebuilt: 1 document(s)." in result.output
    assert titles(published) == [ORIGINAL[0]]
    assert scalar(published, "SELECT count(*) FROM users WHERE username = 'lead2'") == 0
    assert scalar(published, "SELECT count(*) FROM users WHERE display_name = 'Renamed'") == 0
    assert uploads(published) == {os.path.join("articles", "1", "diagram.txt"): "the original diagram"}
    assert index_keys(published, "refund") and not index_keys(published, "printer")
    # Nothing of the restore's work is left beside the database.
    assert leftovers(published) == []


def test_the_manifest_says_what_the_backup_holds(published, tmp_path, clock):
    path = make_backup(published, tmp_path)

    manifest = json.loads(members(path)["manifest.json"][1])
    assert manifest["format"] == "knowhow-backup" and manifest["schema_revision"] == HEAD
    with open(os.path.join(os.path.dirname(os.path.dirname(__file__)), "pyproject.toml"), "rb") as stream:
        assert manifest["knowhow_version"] == tomllib.load(stream)["project"]["version"]
    assert manifest["created_at"].startswith("2026-05-19T10:3") and manifest["created_at"].endswith("Z")
    assert manifest["counts"]["article"] == 1 and manifest["counts"]["users"] == 2
    assert manifest["uploads"] == 1
    assert set(members(path)) >= {"manifest.json", "knowhow.db", "uploads", "uploads/articles/1/diagram.txt"}


def test_a_folder_gets_a_backup_named_by_the_time(published, tmp_path, clock):
    folder = tmp_path / "backups"
    folder.mkdir()

    result = run(published, "backup", str(folder))

    assert result.exit_code == 0, result.output
    assert os.listdir(folder) == ["knowhow-backup-20260519-103000.tar.gz"]


def test_a_second_backup_in_the_same_second_keeps_the_first(published, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    with time_machine.travel(FROZEN_NOW, tick=False):
        first = run(published, "backup", str(folder))
        second = run(published, "backup", str(folder))

    assert first.exit_code == 0 and second.exit_code == 2 and "exists already" in second.output
    assert len(members(str(folder / os.listdir(folder)[0]))) >= 3


def test_paths_with_spaces_and_a_hash_work(tmp_path):
    with embedded_app(tmp_path / "inst #1") as application:
        path = make_backup(application, tmp_path, name="a b #1.tar.gz")
        result = run(application, "restore", path, "--yes")
    assert result.exit_code == 0, result.output


def test_backup_is_consistent_while_another_connection_writes(published, tmp_path):
    writer = sqlite3.connect(database_file(published), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # holds the write lock through the backup
        writer.execute("UPDATE article SET title = 'half-written'")
        path = make_backup(published, tmp_path)
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    copy = tmp_path / "copy.db"
    copy.write_bytes(members(path)["knowhow.db"][1])
    conn = sqlite3.connect(str(copy))
    try:
        assert conn.execute("SELECT title FROM article").fetchall() == [(ORIGINAL[0],)]
    finally:
        conn.close()


def test_a_backup_never_overwrites_a_file(published, tmp_path):
    existing = tmp_path / "backup.tar.gz"
    existing.write_bytes(b"keep me")

    result = run(published, "backup", str(existing))

    assert result.exit_code == 2 and "exists already" in result.output
    assert existing.read_bytes() == b"keep me"


def test_a_relative_sqlite_path_is_the_one_in_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    with embedded_app(instance, "sqlite:///relative.db") as application:
        path = make_backup(application, tmp_path)
    assert (instance / "relative.db").exists()
    assert json.loads(members(path)["manifest.json"][1])["schema_revision"] == HEAD


def test_backup_without_a_database_says_to_create_it(tmp_path):
    with embedded_app(tmp_path / "instance", revision=None) as application:
        result = run(application, "backup", str(tmp_path / "backup.tar.gz"))
    assert result.exit_code == 1 and "flask init-db" in result.output
    assert not (tmp_path / "backup.tar.gz").exists()


def test_restore_refuses_to_replace_a_database_without_yes(published, tmp_path):
    path = make_backup(published, tmp_path)
    with published.app_context():
        publish(existing_people(), *LATER)
        db.session.remove()

    result = run(published, "restore", path)

    assert result.exit_code == 2 and "--yes" in result.output
    assert titles(published) == sorted([ORIGINAL[0], LATER[0]])


def test_restore_into_a_new_instance_needs_no_yes(published, tmp_path):
    path = make_backup(published, tmp_path)
    with embedded_app(tmp_path / "new-instance", revision=None) as fresh:
        result = run(fresh, "restore", path)
        assert result.exit_code == 0, result.output
        assert titles(fresh) == [ORIGINAL[0]] and index_keys(fresh, "refund")
        assert uploads(fresh) == {os.path.join("articles", "1", "diagram.txt"): "the original diagram"}


def test_restore_refuses_while_the_database_is_open_elsewhere(published, tmp_path):
    path = make_backup(published, tmp_path)
    server = sqlite3.connect(database_file(published))  # a running worker keeps its connection
    try:
        server.execute("SELECT count(*) FROM article").fetchone()
        result = run(published, "restore", path, "--yes")
    finally:
        server.close()

    assert result.exit_code == 2 and "stop Knowhow" in result.output
    assert titles(published) == [ORIGINAL[0]]
    assert leftovers(published) == []


def test_a_worker_that_starts_while_the_backup_unpacks_stops_the_swap(published, tmp_path, monkeypatch):
    path = make_backup(published, tmp_path)
    with published.app_context():
        db.session.execute(text("UPDATE article SET title = 'Changed since'"))
        db.session.commit()
        db.session.remove()
    checks, workers = [], []
    real_lock = restoring._lock_database

    def worker_starts_before_the_swap(database_path):
        checks.append(database_path)
        if len(checks) == 2:  # after the early check and the unpacking, just before the swap
            workers.append(sqlite3.connect(database_path))
            for pragma in SQLITE_PRAGMAS:  # as each of Knowhow's connections begins (WAL mode)
                workers[0].execute(pragma)
            workers[0].execute("SELECT count(*) FROM article").fetchone()
        return real_lock(database_path)

    monkeypatch.setattr(restoring, "_lock_database", worker_starts_before_the_swap)
    try:
        result = run(published, "restore", path, "--yes")
    finally:
        for worker in workers:
            worker.close()

    assert len(checks) == 2 and result.exit_code == 2 and "stop Knowhow" in result.output
    assert titles(published) == ["Changed since"]
    assert leftovers(published) == []


def test_restore_of_an_older_schema_upgrades_it(tmp_path):
    with embedded_app(tmp_path / "instance", revision="0009") as application:
        path = make_backup(application, tmp_path)
        assert json.loads(members(path)["manifest.json"][1])["schema_revision"] == "0009"

        result = run(application, "restore", path, "--yes")

        assert result.exit_code == 0, result.output
        assert scalar(application, "SELECT version_num FROM alembic_version") == HEAD


def test_restore_refuses_a_backup_of_a_newer_schema(published, tmp_path):
    with published.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        db.session.commit()
        path = make_backup(published, tmp_path)
        db.session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": HEAD})
        db.session.execute(text("UPDATE article SET title = 'Changed since'"))
        db.session.commit()
        db.session.remove()

    result = run(published, "restore", path, "--yes")

    assert result.exit_code == 2 and "newer Knowhow" in result.output and "9999" in result.output
    assert titles(published) == ["Changed since"]
    assert scalar(published, "SELECT version_num FROM alembic_version") == HEAD


def test_restore_refuses_a_damaged_database(published, tmp_path):
    path = make_backup(published, tmp_path)
    database = bytearray(members(path)["knowhow.db"][1])
    database[-100] ^= 0xFF
    damaged = rewrite(path, tmp_path / "damaged.tar.gz", replace={"knowhow.db": bytes(database)})

    result = run(published, "restore", damaged, "--yes")

    assert result.exit_code == 1 and "damaged" in result.output
    assert titles(published) == [ORIGINAL[0]]


def test_restore_refuses_members_that_would_escape_the_uploads(published, tmp_path):
    path = make_backup(published, tmp_path)
    hostile = rewrite(path, tmp_path / "hostile.tar.gz", extra=[("uploads/../../escaped.txt", b"gotcha")])

    result = run(published, "restore", hostile, "--yes")

    assert result.exit_code == 1 and "not a safe backup" in result.output
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "instance" / "escaped.txt").exists()
    assert uploads(published) == {os.path.join("articles", "1", "diagram.txt"): "the original diagram"}


@pytest.mark.parametrize("content", [b"", b"name,agent\n1,sara\n", None])
def test_restore_of_something_else_says_it_is_not_a_backup(embedded, tmp_path, content):
    path = tmp_path / "upload.tar.gz"
    if content is None:  # an archive, but not one of ours
        with tarfile.open(path, "w:gz") as archive:
            info = tarfile.TarInfo("notes.txt")
            info.size = 2
            archive.addfile(info, io.BytesIO(b"hi"))
    else:
        path.write_bytes(content)

    result = run(embedded, "restore", str(path), "--yes")

    assert result.exit_code == 1 and "is not a Knowhow backup" in result.output
    assert scalar(embedded, "SELECT version_num FROM alembic_version") == HEAD


def test_restore_of_a_missing_file_or_a_folder_says_so(embedded, tmp_path):
    missing = run(embedded, "restore", str(tmp_path / "nowhere.tar.gz"))
    folder = run(embedded, "restore", str(tmp_path))

    assert missing.exit_code == 1 and "No such file" in missing.output
    assert folder.exit_code == 1 and "is a folder" in folder.output


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_on_postgresql_the_commands_print_the_pg_dump_way(tmp_path, command):
    url = "postgresql+psycopg://knowhow:s3cret@db.internal:5432/knowhow"
    application = create_app(app_settings(tmp_path / "instance", url))
    try:
        result = run(application, command, str(tmp_path / "knowhow.dump"))
    finally:
        with application.app_context():
            db.engine.dispose()

    assert result.exit_code == 2
    assert "pg_dump --format=custom --file=%s postgresql://knowhow@db.internal:5432/knowhow" % (
        tmp_path / "knowhow.dump") in result.output
    assert "pg_restore --clean --if-exists --no-owner --single-transaction" in result.output
    assert "s3cret" not in result.output


def test_uploaded_article_images_are_in_the_backup_and_come_back_with_a_restore(published, tmp_path, clock):
    pixels = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 200, 10)).save(pixels, "PNG")
    with published.app_context():
        cleaned = kb_services.clean_image(pixels.getvalue(), kb_services.ImageLimits())
        image = kb_services.store_image(existing_people()["agent"], cleaned, image_store())
        db.session.commit()
        image_id, key = image.id, image.storage_key
        db.session.remove()
    path = make_backup(published, tmp_path)
    assert "uploads/images/" + key in members(path)

    # Lost after the backup: the row and the file.
    with published.app_context():
        db.session.execute(text("DELETE FROM article_image"))
        db.session.commit()
        db.session.remove()
    image_store(published).delete(key)

    result = run(published, "restore", path, "--yes")

    assert result.exit_code == 0, result.output
    assert scalar(published, "SELECT storage_key FROM article_image WHERE id = %d" % image_id) == key
    with image_store(published).open(key) as stream:
        assert Image.open(stream).size == (8, 6)
