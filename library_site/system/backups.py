"""Backups of the whole library: the database, the uploaded files (MEDIA_ROOT) and the var files
that cannot be made again (the generated secret key), in one archive with a manifest; restoring
one, checked against that manifest; the nightly job's retention; what the operations page shows.

An archive is a plain tar file (the dump is compressed already, the media are mostly images and
PDFs) holding ``manifest.json``, the database (``database.pgdump`` made by ``pg_dump -Fc``, or
``database.sqlite3`` made by SQLite's online backup API), ``media/…`` and ``var/secret_key``.
The manifest says when it was made and how long it took, the engine, the schema (the latest
applied migration of each app), every table's row count and checksum, and every file's size
and SHA-256.

The counts and checksums are taken from the same snapshot as the dump: on PostgreSQL the dump
runs with ``--snapshot`` on a snapshot exported by the transaction that also counts; on SQLite
they are read from the copy itself. A restore recomputes them and refuses to call the result good
unless every table matches.

This module is the ground floor's: it knows tables only through ``connection.introspection``,
never by importing an app's models.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from .exceptions import BackupRefused

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"
# The var files that matter: made once and not made again (the key signs sessions and links).
VAR_FILES = ("secret_key",)
NAME_PREFIX = "library-"
NAME_SUFFIX = ".tar"
# A backup younger than this is "recent"; the operations page warns past it.
STALE_AFTER = datetime.timedelta(days=2)
RETENTION = {"daily": 7, "weekly": 4, "monthly": 12}
CHUNK = 1024 * 1024


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupRefused(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor})
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- what the database holds ---------------------------------------------------------------------


def schema_applied() -> dict[str, str]:
    """The latest applied migration of each app: the archive's schema version."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def schema_newer_than_code(schema: dict[str, str]) -> list[str]:
    """The apps whose latest migration in ``schema`` this code does not have: an archive from a
    newer version of the system (or another one), which this code must not restore."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, name in schema.items() if (app, name) not in known)


def _pg_tables_measure(cursor) -> dict[str, dict]:
    tables = {}
    for table in sorted(connection.introspection.table_names(cursor)):
        # Order-free: the sum of each row's hash (as a 60-bit number); sum() of bigint is numeric
        # in PostgreSQL, so it never overflows.
        # The table's name comes from the introspection and is quoted.
        query = (
            "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0) FROM "
        )
        cursor.execute(query + _quote(table) + " AS t")
        rows, checksum = cursor.fetchone()
        tables[table] = {"rows": rows, "checksum": str(checksum)}
    return tables


def _sqlite_tables_measure(database: sqlite3.Connection) -> dict[str, dict]:
    tables = {}
    names = [
        row[0]
        for row in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    for table in names:
        total, rows = 0, 0
        for row in database.execute(f"SELECT * FROM {_quote(table)}"):  # noqa: S608 (from sqlite_master, quoted)
            digest = hashlib.md5(repr(row).encode(), usedforsecurity=False).hexdigest()
            total += int(digest[:15], 16)
            rows += 1
        tables[table] = {"rows": rows, "checksum": str(total)}
    return tables


def tables_measure() -> dict[str, dict]:
    """Every table of the database now: its row count and checksum, as a manifest holds them."""
    if _engine() == "postgresql":
        with connection.cursor() as cursor:
            return _pg_tables_measure(cursor)
    # A plain connection, as the copy is read: Django's converts values (dates, decimals), and
    # the checksums must see the stored values themselves.
    database = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    try:
        return _sqlite_tables_measure(database)
    finally:
        database.close()


# --- making an archive ---------------------------------------------------------------------------


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """The connection arguments of pg_dump / pg_restore for the default database, the password
    in the environment (never on the command line)."""
    db = settings.DATABASES["default"]
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 (pg_dump, our arguments)
    if result.returncode != 0:
        raise BackupRefused(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": result.stderr.strip()[-1000:]}
        )


def _pg_dump(target: Path) -> dict[str, dict]:
    """Dump the database into ``target`` and measure its tables, both from one snapshot."""
    args, env = _pg_environment()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        _run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
                settings.DATABASES["default"]["NAME"],
            ],
            env,
        )
        return _pg_tables_measure(cursor)


def _sqlite_copy(target: Path) -> dict[str, dict]:
    """Copy the live database into ``target`` with SQLite's online backup API (readers and the
    worker go on meanwhile) and measure the copy's tables."""
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
        destination.execute("PRAGMA journal_mode = DELETE")
        return _sqlite_tables_measure(destination)
    finally:
        destination.close()


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def backup_name(moment: datetime.datetime) -> str:
    return f"{NAME_PREFIX}{timezone.localtime(moment):%Y%m%d-%H%M%S}{NAME_SUFFIX}"


@dataclass
class BackupMade:
    path: Path
    manifest: dict

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def backup_create(*, output: Path | None = None, directory: Path | None = None) -> BackupMade:
    """Make one archive (into ``output``, or a new file in ``directory``, by default
    ``settings.BACKUP_DIR``), verify it, and return it with its manifest. The archive appears
    under its final name only once complete."""
    engine = _engine()
    started = time.monotonic()
    created_at = timezone.now()
    if output is None:
        directory = Path(directory or settings.BACKUP_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        output = directory / backup_name(created_at)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        work = Path(work)
        database_name = PG_DUMP if engine == "postgresql" else SQLITE_COPY
        database_file = work / database_name
        schema = schema_applied()
        tables = _pg_dump(database_file) if engine == "postgresql" else _sqlite_copy(database_file)
        dumped = time.monotonic()
        members: list[tuple[Path, str]] = [(database_file, database_name)]
        media_root = Path(settings.MEDIA_ROOT)
        members += [(path, f"{MEDIA}/{path.relative_to(media_root).as_posix()}") for path in _media_files()]
        for name in VAR_FILES:
            path = Path(settings.VAR_DIR) / name
            if path.is_file():
                members.append((path, f"var/{name}"))
        files = {arcname: {"size": path.stat().st_size, "sha256": _sha256(path)} for path, arcname in members}
        manifest = {
            "format": FORMAT,
            "created_at": created_at.isoformat(),
            "engine": engine,
            "schema": schema,
            "tables": tables,
            "files": files,
            "media": {
                "files": sum(1 for name in files if name.startswith(f"{MEDIA}/")),
                "bytes": sum(entry["size"] for name, entry in files.items() if name.startswith(f"{MEDIA}/")),
            },
            "database_seconds": round(dumped - started, 2),
        }
        partial = work / "archive.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            for path, arcname in members:
                archive.add(path, arcname=arcname, recursive=False)
            manifest["seconds"] = round(time.monotonic() - started, 2)
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
            archive.addfile(info, io.BytesIO(body))
        os.chmod(partial, 0o600)
        os.replace(partial, output)
    backup_verify(output)
    return BackupMade(path=output, manifest=manifest)


# --- reading and checking an archive -------------------------------------------------------------


def manifest_read(path: Path) -> dict:
    """The manifest of the archive at ``path``, or BackupRefused when it is missing, not an
    archive, or damaged."""
    path = Path(path)
    if not path.is_file():
        raise BackupRefused(_("There is no backup file at %(path)s.") % {"path": path})
    try:
        with tarfile.open(path, "r:") as archive:
            member = archive.getmember(MANIFEST)
            manifest = json.loads(archive.extractfile(member).read())
    except (tarfile.TarError, KeyError, OSError, ValueError, AttributeError) as error:
        raise BackupRefused(
            _("%(path)s is not a backup of this system or it is damaged (%(error)s).")
            % {"path": path.name, "error": error}
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or "tables" not in manifest:
        raise BackupRefused(_("%(path)s is not a backup of this system.") % {"path": path.name})
    return manifest


def backup_verify(path: Path) -> dict:
    """Read the whole archive back: every file present with its manifest's size and SHA-256.
    Returns the manifest, or raises BackupRefused naming what is wrong."""
    manifest = manifest_read(path)
    expected = dict(manifest["files"])
    try:
        with tarfile.open(path, "r:") as archive:
            for member in archive:
                if member.name == MANIFEST:
                    continue
                entry = expected.pop(member.name, None)
                if entry is None or not member.isfile():
                    raise BackupRefused(
                        _("The backup holds a file its manifest does not list: %(name)s.")
                        % {"name": member.name}
                    )
                digest = hashlib.sha256()
                handle = archive.extractfile(member)
                while block := handle.read(CHUNK):
                    digest.update(block)
                if member.size != entry["size"] or digest.hexdigest() != entry["sha256"]:
                    raise BackupRefused(_("The backup's file %(name)s is damaged.") % {"name": member.name})
    except (tarfile.TarError, OSError) as error:
        raise BackupRefused(_("The backup is damaged (%(error)s).") % {"error": error}) from None
    if expected:
        raise BackupRefused(_("The backup lacks %(names)s.") % {"names": ", ".join(sorted(expected))})
    return manifest


def _safe_members(archive: tarfile.TarFile, prefix: str):
    for member in archive:
        name = member.name
        if not name.startswith(prefix) or not member.isfile():
            continue
        parts = Path(name).parts
        if name.startswith("/") or ".." in parts:
            raise BackupRefused(_("The backup holds an unsafe path: %(name)s.") % {"name": name})
        yield member


# --- restoring -----------------------------------------------------------------------------------


@dataclass
class RestoreDone:
    manifest: dict
    tables: int
    rows: int
    seconds: float


def restore_check(path: Path) -> dict:
    """Everything a restore checks before it changes anything: a whole, undamaged archive, made
    by the same database engine, of a schema this code knows. Returns the manifest."""
    manifest = backup_verify(path)
    engine = _engine()
    if manifest.get("engine") != engine:
        raise BackupRefused(
            _("This backup is of a %(theirs)s database; this system runs on %(ours)s.")
            % {"theirs": manifest.get("engine"), "ours": engine}
        )
    newer = schema_newer_than_code(manifest.get("schema") or {})
    if newer:
        raise BackupRefused(
            _(
                "This backup comes from a newer version of the system (%(migrations)s): update the system first."
            )
            % {"migrations": ", ".join(newer)}
        )
    return manifest


def _pg_restore(dump: Path) -> None:
    args, env = _pg_environment()
    with connection.cursor() as cursor:
        # Everything the database holds goes, so that a table a later migration added does not
        # outlive the restore; the dump brings back the schema (with its extensions) and data.
        cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    _run(
        [
            "pg_restore",
            *args,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={settings.DATABASES['default']['NAME']}",
            str(dump),
        ],
        env,
    )


def _sqlite_restore(copy: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def backup_restore(*, path: Path) -> RestoreDone:
    """Replace the database, the media and the var files with the archive's, then recompute every
    table's count and checksum and compare them with the manifest. Raises BackupRefused before
    changing anything when the archive cannot be restored here, and after it when the result
    does not match."""
    started = time.monotonic()
    manifest = restore_check(path)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=Path(settings.VAR_DIR)) as work:
        work = Path(work)
        with tarfile.open(path, "r:") as archive:
            database_name = PG_DUMP if manifest["engine"] == "postgresql" else SQLITE_COPY
            archive.extract(archive.getmember(database_name), work, filter="data")
            staged_media = work / "staged"
            for member in _safe_members(archive, f"{MEDIA}/"):
                archive.extract(member, staged_media, filter="data")
            for member in _safe_members(archive, "var/"):
                archive.extract(member, staged_media, filter="data")
        if manifest["engine"] == "postgresql":
            _pg_restore(work / database_name)
        else:
            _sqlite_restore(work / database_name)
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.exists():
            shutil.rmtree(media_root)
        if (staged_media / MEDIA).is_dir():
            shutil.copytree(staged_media / MEDIA, media_root)
        else:
            media_root.mkdir(parents=True)
        for name in VAR_FILES:
            staged = staged_media / "var" / name
            if staged.is_file():
                target = Path(settings.VAR_DIR) / name
                shutil.copyfile(staged, target)
                os.chmod(target, 0o600)
    connection.close()
    measured = tables_measure()
    wrong = sorted(
        table
        for table in set(manifest["tables"]) | set(measured)
        if manifest["tables"].get(table) != measured.get(table)
    )
    if wrong:
        raise BackupRefused(
            _("The restored database differs from the backup in %(count)s table(s): %(tables)s.")
            % {"count": len(wrong), "tables": ", ".join(wrong[:10])}
        )
    return RestoreDone(
        manifest=manifest,
        tables=len(measured),
        rows=sum(entry["rows"] for entry in measured.values()),
        seconds=round(time.monotonic() - started, 2),
    )


# --- the nightly job's retention ------------------------------------------------------------------


def _backup_files(directory: Path) -> list[tuple[datetime.datetime, Path]]:
    found = []
    for path in Path(directory).glob(f"{NAME_PREFIX}*{NAME_SUFFIX}"):
        stamp = path.name[len(NAME_PREFIX) : -len(NAME_SUFFIX)]
        try:
            moment = datetime.datetime.strptime(stamp, "%Y%m%d-%H%M%S")
        except ValueError:
            continue
        found.append((moment, path))
    return sorted(found, reverse=True)


def backups_keep(moments: list[datetime.datetime]) -> set[datetime.datetime]:
    """Which backups the retention keeps: the newest of each of the last 7 days that have one,
    of the last 4 ISO weeks and of the last 12 months."""
    keep: set[datetime.datetime] = set()
    for count, period in (
        (RETENTION["daily"], lambda moment: moment.date()),
        (RETENTION["weekly"], lambda moment: moment.isocalendar()[:2]),
        (RETENTION["monthly"], lambda moment: (moment.year, moment.month)),
    ):
        seen = set()
        for moment in sorted(moments, reverse=True):
            key = period(moment)
            if key in seen:
                continue
            seen.add(key)
            keep.add(moment)
            if len(seen) == count:
                break
    return keep


def backups_prune(*, directory: Path | None = None) -> list[Path]:
    """Delete the archives of ``directory`` the retention does not keep; returns them. Only
    files named as this module names its archives are touched."""
    files = _backup_files(Path(directory or settings.BACKUP_DIR))
    keep = backups_keep([moment for moment, _path in files])
    removed = []
    for moment, path in files:
        if moment not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


# --- what the operations page shows --------------------------------------------------------------


def backup_status(*, now: datetime.datetime | None = None) -> dict:
    """The last backup the job recorded (time, size, file, verified or its error) and whether
    the last good one is older than two days (``stale``), from the job's runs."""
    from .models import JobRun

    now = now or timezone.now()
    runs = JobRun.objects.filter(key="backup").exclude(state__in=[JobRun.State.QUEUED, JobRun.State.RUNNING])
    last = runs.order_by("-started_at", "-pk").first()
    good = runs.filter(state=JobRun.State.SUCCEEDED).order_by("-finished_at", "-pk").first()
    good_at = good.finished_at if good else None
    return {
        "last": last,
        "last_result": (last.result or {}) if last else {},
        "good": good,
        "good_at": good_at,
        "good_result": (good.result or {}) if good else {},
        "stale": good_at is None or now - good_at > STALE_AFTER,
        "directory": str(settings.BACKUP_DIR),
    }
