"""`manage.py backup` and `manage.py restore` (audit.backup; docs/deploy.md
"Backup and restore"): a restore into an empty database gives every table
the same rows, the access log's hash chain verifies with the same ends,
and the media files are the same bytes; a backup that does not match its
signed manifest, a database that is not empty and a storage that is not
empty are refused before anything is written.

Both database kinds: PostgreSQL (pg_dump/pg_restore; the backup runs as the
test suite's runtime role, as production's nightly job may) and SQLite
(its backup API).
"""

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.utils import load_backend

from audit.backup import MANIFEST, _signature, _walk
from audit.chain import chained_models, verify_chain
from audit.models import AccessLogEntry
from audit.testing import RUNTIME_ROLE, owner_connection, owner_cursor

RESTORED = "restored"


def _storage_files(root: Path) -> dict[str, str]:
    storage = FileSystemStorage(location=root)
    return {name: hashlib.sha256(storage.open(name).read()).hexdigest() for name in _walk(storage)}


def _table_contents(alias: str) -> dict[str, list[str]]:
    """Every table's rows, as sorted text: equal contents, not only counts."""
    db = connections[alias]
    contents = {}
    with db.cursor() as cursor:
        for table in db.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")
            contents[table] = sorted(repr(row) for row in cursor.fetchall())
    return contents


@pytest.fixture
def empty_database(tmp_path, django_db_blocker):
    """A new, empty database as the connection alias RESTORED: on
    PostgreSQL created by (and restored as) the owner role, as the restore
    drill does; on SQLite a new file."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            settings_dict.update(owner_connection().settings_dict)
        name = f"{settings_dict['NAME']}_restored"
        settings_dict["NAME"] = name
        with django_db_blocker.unblock(), owner_cursor(triggers_off=False) as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    else:
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    # Set on the handler, not in its settings: Django's test case allows a
    # connection created at run time, and pytest-django must not make a
    # test database of its own for it.
    connections[RESTORED] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, RESTORED)
    try:
        yield RESTORED
    finally:
        connections[RESTORED].close()
        del connections[RESTORED]
        if connection.vendor == "postgresql":
            with django_db_blocker.unblock(), owner_cursor(triggers_off=False) as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restored_backup_has_every_row_the_same_log_chain_and_the_same_media(settings, tmp_path, empty_database):
    from config.tests.world import build_world

    settings.MEDIA_ROOT = tmp_path / "media"
    with transaction.atomic():
        build_world()  # committed at the end: pg_dump reads from its own connection
    FileSystemStorage().save("rent/deliveries/2026/kvitto.pdf", ContentFile(b"%PDF-1.4 scanned receipt"))
    source_tables = _table_contents("default")
    source_media = _storage_files(settings.MEDIA_ROOT)
    source_heads = {model: verify_chain(model) for model in chained_models()}
    assert AccessLogEntry.objects.count() >= 2 and source_heads[AccessLogEntry].ok
    assert sum(1 for rows in source_tables.values() if rows) >= 40, "a world with data in many tables"
    assert len(source_media) >= 2

    if connection.vendor == "postgresql":
        # The backup needs no more than the app's own rights (docs/deploy.md).
        assert connection.settings_dict["USER"] == RUNTIME_ROLE
    call_command("backup", str(tmp_path / "backup"), stdout=open(tmp_path / "out", "w"))
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    call_command("restore", str(tmp_path / "backup"), database=empty_database, stdout=open(tmp_path / "out", "w"))

    restored_tables = _table_contents(empty_database)
    assert {table: len(rows) for table, rows in restored_tables.items()} == {
        table: len(rows) for table, rows in source_tables.items()
    }
    assert restored_tables == source_tables
    for model, source in source_heads.items():
        restored = verify_chain(model, using=empty_database)
        assert restored.ok, restored.problems
        assert (restored.rows, restored.head_seq, restored.head_hash) == (source.rows, source.head_seq, source.head_hash)
    assert _storage_files(settings.MEDIA_ROOT) == source_media
    # The sequences came along: the restored system accepts new rows.
    from accounts.models import Unit

    assert Unit.objects.using(empty_database).create(name="Ny", municipality="Återställd").pk
    if connection.vendor == "postgresql":
        _the_drill_grants_the_runtime_role_and_the_log_stays_append_only(empty_database)


def _the_drill_grants_the_runtime_role_and_the_log_stays_append_only(restored):
    """docs/deploy.md's drill, step 5 on: db_roles on the restored database,
    then the app's role reads it and still cannot rewrite the log (the
    triggers and privileges are the restored schema's, not the dump's)."""
    from audit import testing

    call_command("db_roles", owner=testing.owner_role, runtime=RUNTIME_ROLE, database=restored,
                 stdout=io.StringIO())
    settings_dict = {**connections[restored].settings_dict, "USER": RUNTIME_ROLE, "PASSWORD": ""}
    connections["restored_runtime"] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        settings_dict, "restored_runtime")
    try:
        assert verify_chain(AccessLogEntry, using="restored_runtime").ok
        table = AccessLogEntry._meta.db_table
        with pytest.raises(DatabaseError), transaction.atomic(using="restored_runtime"):
            with connections["restored_runtime"].cursor() as cursor:
                cursor.execute(f'UPDATE "{table}" SET object_id = %s', ["rewritten"])
        with pytest.raises(DatabaseError), transaction.atomic(using="restored_runtime"):
            with connections["restored_runtime"].cursor() as cursor:
                cursor.execute(f'DELETE FROM "{table}"')
    finally:
        connections["restored_runtime"].close()
        del connections["restored_runtime"]


@pytest.fixture
def made_backup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    FileSystemStorage().save("reports/2026/utvardering.pdf", ContentFile(b"%PDF-1.4 evaluation"))
    call_command("backup", str(tmp_path / "backup"), stdout=open(tmp_path / "out", "w"))
    return tmp_path / "backup"


def _restore(path, **options):
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path), **options)
    return str(refused.value)


def test_the_backup_lists_every_file_with_its_checksum(made_backup):
    manifest = json.loads((made_backup / MANIFEST).read_text())

    dump = made_backup / manifest["database"]["path"]
    assert manifest["vendor"] == connection.vendor
    assert manifest["database"]["sha256"] == hashlib.sha256(dump.read_bytes()).hexdigest()
    assert manifest["media"] == [{
        "path": "reports/2026/utvardering.pdf", "size": 19,
        "sha256": hashlib.sha256(b"%PDF-1.4 evaluation").hexdigest(),
    }]
    assert (made_backup / "media/reports/2026/utvardering.pdf").read_bytes() == b"%PDF-1.4 evaluation"
    assert not (made_backup.parent / "backup.partial").exists()


def test_a_backup_never_overwrites_one(made_backup):
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(made_backup))


def test_restoring_into_a_database_that_is_not_empty_is_refused(made_backup):
    message = _restore(made_backup)

    assert "is not empty" in message and "tables" in message


@pytest.mark.parametrize("tamper, expected", [
    (lambda b, m: (b / m["database"]["path"]).write_bytes((b / m["database"]["path"]).read_bytes() + b"x"),
     "checksum differs"),
    (lambda b, m: (b / "media/reports/2026/utvardering.pdf").write_bytes(b"%PDF-1.4 forged"), "checksum differs"),
    (lambda b, m: (b / "media/reports/2026/utvardering.pdf").unlink(), "missing"),
    (lambda b, m: (b / "media/extra.pdf").write_bytes(b"planted"), "not in the manifest"),
])
def test_a_tampered_backup_is_refused_before_the_database_is_looked_at(made_backup, tamper, expected):
    manifest = json.loads((made_backup / MANIFEST).read_text())
    tamper(made_backup, manifest)

    message = _restore(made_backup)

    assert "does not match its manifest" in message and expected in message
    assert "is not empty" not in message


def test_a_manifest_rewritten_to_match_altered_files_fails_its_signature(made_backup):
    manifest = json.loads((made_backup / MANIFEST).read_text())
    forged = b"%PDF-1.4 forged"
    (made_backup / "media/reports/2026/utvardering.pdf").write_bytes(forged)
    manifest["media"][0].update(sha256=hashlib.sha256(forged).hexdigest(), size=len(forged))
    (made_backup / MANIFEST).write_text(json.dumps(manifest))

    assert "signature does not match" in _restore(made_backup)


def test_a_manifest_naming_a_file_outside_the_backup_is_refused(made_backup):
    manifest = json.loads((made_backup / MANIFEST).read_text())
    manifest["media"][0]["path"] = "../../etc/passwd"
    manifest["signature"] = _signature(manifest)  # even with the key
    (made_backup / MANIFEST).write_text(json.dumps(manifest))

    assert "outside the backup" in _restore(made_backup)


def test_a_directory_without_a_manifest_is_refused(tmp_path, db):
    (tmp_path / "nothing").mkdir()

    assert "holds no manifest.json" in _restore(tmp_path / "nothing")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restoring_into_a_storage_that_is_not_empty_is_refused_and_writes_nothing(made_backup, settings, tmp_path,
                                                                                   empty_database):
    settings.MEDIA_ROOT = tmp_path / "other-media"
    FileSystemStorage().save("left-over.pdf", ContentFile(b"x"))

    message = _restore(made_backup, database=empty_database)

    assert "media storage is not empty" in message
    db = connections[empty_database]
    with db.cursor() as cursor:
        assert db.introspection.table_names(cursor) == []
