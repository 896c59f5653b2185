"""Backup and restore of the whole system: the database and the media files
(generated PDFs, scanned receipts), with a manifest of checksums
(docs/deploy.md, "Backup and restore"; commands `backup` and `restore`).

A backup is a directory:

    manifest.json      what is in it, each file's SHA-256, signed
    database.dump      PostgreSQL: `pg_dump --format=custom`
    database.sqlite3   SQLite: a copy made with SQLite's backup API
    media/…            every file of the default storage (MEDIA_ROOT or S3)

The manifest is signed with an HMAC derived from the log chain's key
(audit.chain.chain_key): whoever can rewrite a backup's files can also
recompute plain checksums, but not the signature without the key, which is
kept away from the backups as it is from the database. Restoring on a host
with another key is refused for the same reason the log would not verify
there.

It lives in `audit`, low in the layers, because the proof that a restore is
complete is the access log's hash chain (audit.chain.verify_chain), and it
names no higher app: tables and files are found, not listed.
"""

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import connections
from django.utils import timezone

from .chain import chain_key

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024
# pg_dump/pg_restore of a national database take minutes; a hung server
# should still not block a nightly job forever.
TOOL_TIMEOUT_SECONDS = 4 * 3600


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what
    to do, for the operator at the command line."""


@dataclass
class Summary:
    path: Path
    vendor: str
    media_files: int
    total_bytes: int


# --- Helpers ----------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _signature(manifest: dict) -> str:
    body = {key: value for key, value in manifest.items() if key != "signature"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    key = hmac.new(chain_key(), b"bolots.audit.backup-manifest", hashlib.sha256).digest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def _libpq_env(settings_dict: dict) -> dict[str, str]:
    """Connection settings for pg_dump/pg_restore as environment variables:
    a password on the command line would show in the process list."""
    env = {**os.environ}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                          ("PGDATABASE", "NAME")):
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _run_tool(command: list[str], settings_dict: dict) -> None:
    try:
        subprocess.run(command, env=_libpq_env(settings_dict), check=True, capture_output=True, text=True,
                       timeout=TOOL_TIMEOUT_SECONDS)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client).") from error
    except subprocess.CalledProcessError as error:
        # pg_dump's messages name tables and roles, never row contents.
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()}") from error


def _walk(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name in `storage`, with '/' separators, sorted."""
    try:
        dirs, files = storage.listdir(directory)
    except FileNotFoundError:  # MEDIA_ROOT not created yet: no files
        return
    for name in sorted(files):
        yield str(PurePosixPath(directory, name)) if directory else name
    for name in sorted(dirs):
        yield from _walk(storage, str(PurePosixPath(directory, name)) if directory else name)


def _safe_relative(name: str) -> PurePosixPath:
    """A manifest's file name, refused when it could leave the backup or
    the storage (`..`, absolute paths): the manifest is input."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"The manifest names a file outside the backup: {name!r}.")
    return path


def _table_names(using: str) -> list[str]:
    connection = connections[using]
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


# --- Backup -----------------------------------------------------------------


def _dump_database(using: str, target: Path) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        # Custom format: compressed, and pg_restore can restore it in one
        # transaction. The runtime role may read every table and sequence,
        # which is all pg_dump needs.
        _run_tool(["pg_dump", "--format=custom", "--no-password", f"--file={target}"], connection.settings_dict)
    elif connection.vendor == "sqlite":
        # SQLite's online backup API: a consistent copy while the app runs
        # (a plain file copy could catch a write halfway).
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported (PostgreSQL, SQLite).")


def backup(dest: Path, *, using: str = "default", storage: Storage | None = None) -> Summary:
    """Write a complete backup to the new directory `dest`. It is written
    under a temporary name and renamed when complete, so a directory named
    `dest` is always a whole backup."""
    dest = Path(dest)
    if dest.exists():
        raise BackupError(f"{dest} exists already; a backup goes into a new directory.")
    vendor = connections[using].vendor
    if vendor not in DUMP_FILES:
        raise BackupError(f"Backups of {vendor} databases are not supported (PostgreSQL, SQLite).")
    storage = storage or storages["default"]
    partial = dest.with_name(dest.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)  # an earlier run that died; never a finished backup
    partial.mkdir(parents=True)
    try:
        dump = partial / DUMP_FILES[vendor]
        _dump_database(using, dump)
        media = []
        for name in _walk(storage):
            relative = _safe_relative(name)
            target = partial / MEDIA_DIR / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with storage.open(name, "rb") as source, target.open("wb") as copy:
                shutil.copyfileobj(source, copy, CHUNK)
            media.append({"path": str(relative), "sha256": _sha256_file(target), "size": target.stat().st_size})
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "database": {"path": dump.name, "sha256": _sha256_file(dump), "size": dump.stat().st_size},
            "media": media,
        }
        manifest["signature"] = _signature(manifest)
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        partial.rename(dest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    total = manifest["database"]["size"] + sum(entry["size"] for entry in media)
    return Summary(dest, vendor, len(media), total)


# --- Verification -----------------------------------------------------------


def verify(src: Path) -> dict:
    """The manifest of the backup at `src` once every check passed: signed
    with this installation's key, every listed file present with its
    checksum, and no file that it does not list. Raises BackupError naming
    every problem otherwise."""
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{src} holds no {MANIFEST}: not a Bolots backup, or an unfinished one.") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{src / MANIFEST} is not valid JSON: the backup is damaged.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{src / MANIFEST} is not a format-{FORMAT} Bolots manifest.")
    if not hmac.compare_digest(str(manifest.get("signature", "")), _signature(manifest)):
        raise BackupError(
            "The manifest's signature does not match: the backup was altered, or it was made with another "
            "LOG_CHAIN_KEY (set the key of the installation that made it)."
        )
    expected = {str(_safe_relative(manifest["database"]["path"])): manifest["database"]["sha256"]}
    for entry in manifest["media"]:
        expected[str(PurePosixPath(MEDIA_DIR) / _safe_relative(entry["path"]))] = entry["sha256"]
    present = {path.relative_to(src).as_posix() for path in src.rglob("*") if path.is_file()} - {MANIFEST}
    problems = []
    for name, checksum in sorted(expected.items()):
        if name not in present:
            problems.append(f"{name}: missing")
        elif _sha256_file(src / name) != checksum:
            problems.append(f"{name}: checksum differs (altered or damaged)")
    problems += [f"{name}: not in the manifest (added)" for name in sorted(present - set(expected))]
    if problems:
        raise BackupError("The backup does not match its manifest:\n" + "\n".join(problems))
    return manifest


# --- Restore ----------------------------------------------------------------


def _restore_database(using: str, dump: Path) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        # One transaction: a failure leaves the database empty again, never
        # half-restored. No owners or grants from the dump: the restoring
        # role (the owner role) owns everything, and `db_roles` grants the
        # runtime role afterwards, as after every migrate.
        _run_tool(["pg_restore", "--no-password", "--single-transaction", "--exit-on-error", "--no-owner",
                   "--no-privileges", f"--dbname={connection.settings_dict['NAME']}", str(dump)],
                  connection.settings_dict)
        connection.close()  # its introspection cache predates the tables
    else:
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()


def restore(src: Path, *, using: str = "default", storage: Storage | None = None) -> Summary:
    """Restore the backup at `src` into the EMPTY database `using` and the
    EMPTY media storage. Everything is checked before anything is written:
    the manifest (verify), the database kind, that the database has no
    tables and the storage no files."""
    src = Path(src)
    manifest = verify(src)
    connection = connections[using]
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"This is a {manifest['vendor']} backup; the database is {connection.vendor}.")
    tables = _table_names(using)
    if tables:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} tables). "
            "Restore only into a new, empty database (docs/deploy.md, \"Backup and restore\")."
        )
    storage = storage or storages["default"]
    existing = next(_walk(storage), None)
    if existing is not None:
        raise BackupError("The media storage is not empty (MEDIA_ROOT or the bucket holds files); "
                          "restore only into an empty one.")
    _restore_database(using, src / manifest["database"]["path"])
    for entry in manifest["media"]:
        with (src / MEDIA_DIR / _safe_relative(entry["path"])).open("rb") as handle:
            saved = storage.save(entry["path"], File(handle))
        if saved != entry["path"]:
            raise BackupError(f"The storage saved {entry['path']} as {saved}; the restore is incomplete.")
    for entry in manifest["media"]:
        digest = hashlib.sha256()
        with storage.open(entry["path"], "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{entry['path']} differs after restoring it; check the storage.")
    total = manifest["database"]["size"] + sum(entry["size"] for entry in manifest["media"])
    return Summary(src, manifest["vendor"], len(manifest["media"]), total)
