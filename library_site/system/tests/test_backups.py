"""Backups and restores, run as the real commands in their own processes against the test
database (PostgreSQL in CI's PostgreSQL pass, SQLite otherwise): the drill (back up, a fresh
database, restore, the same counts and checksums of every table), the refusals with a non-zero
exit, the question before overwriting, the nightly job's retention and the operations page."""

from __future__ import annotations

import datetime
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone

from catalog.models import Record
from catalog.services.copies import copies_add
from circulation.services.loans import loan_checkout
from circulation.tests.factories import ReaderFactory, copies_of
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.celery import app
from library_site.system import backups
from library_site.system.jobs import job_get
from library_site.system.models import JobRun
from library_site.testing import subprocess_env


def _url(name: str | None = None) -> str:
    db = connection.settings_dict
    name = name or db["NAME"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{name}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


def _manage(*args, url: str, var: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = subprocess_env(DATABASE_URL=url, LIBRARY_VAR_DIR=str(var), MEDIA_ROOT=str(var / "media"))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=300,
    )


def _measure(*, url: str, var: Path) -> dict:
    done = _manage(
        "shell",
        "-c",
        "import json; from library_site.system.backups import tables_measure; print(json.dumps(tables_measure()))",
        url=url,
        var=var,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def library(data_from_migrations, tmp_path):
    """A small library in the test database (readers, records, copies, a loan) and an uploaded
    file, committed so that the commands' own processes see them."""
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    copies = copies_of(count=3, price="12.50")
    copies_add(record=copies[0].record, count=2, location=copies[0].location)
    for copy in copies[:2]:
        loan_checkout(reader=ReaderFactory(), copy=copy, user=librarian)
    media = tmp_path / "media" / "covers"
    media.mkdir(parents=True)
    (media / "封面.jpg").write_bytes(b"\xff\xd8 a cover " * 100)
    (tmp_path / "secret_key").write_text("k" * 50)
    return tmp_path


@pytest.fixture
def fresh_database(transactional_db, tmp_path):
    """An empty database beside the test database: a file not yet made on SQLite, a database
    just created on PostgreSQL (dropped at the end)."""
    if connection.vendor == "sqlite":
        yield _url(str(tmp_path / "fresh.sqlite3"))
        return
    name = f"{connection.settings_dict['NAME']}_drill"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield _url(name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _archive(var: Path) -> Path:
    (archive,) = (var / "backups").glob("library-*.tar")
    return archive


def test_the_drill_back_up_restore_into_a_fresh_database_same_counts_and_checksums(library, fresh_database):
    var = library
    before = backups.tables_measure()
    made = _manage("backup", url=_url(), var=var)
    assert made.returncode == 0, made.stderr
    assert "verified" in made.stdout
    archive = _archive(var)
    manifest = backups.manifest_read(archive)
    # The backup's own run is in the snapshot, so only the job runs' table differs from before.
    assert {t: e for t, e in manifest["tables"].items() if t != "system_jobrun"} == {
        t: e for t, e in before.items() if t != "system_jobrun"
    }
    assert manifest["tables"]["catalog_copy"]["rows"] == 5
    assert manifest["tables"]["circulation_loan"]["rows"] == 2
    # the circulation migration the database stands at: the last one in the app's graph
    (latest,) = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("circulation")
    assert manifest["schema"]["circulation"] == latest[1]
    assert manifest["engine"] == connection.vendor
    assert manifest["media"] == {"files": 1, "bytes": 1100}

    # The fresh server: an empty database and an empty var folder, with the archive in it.
    server = var / "server"
    (server / "backups").mkdir(parents=True)
    (server / "backups" / archive.name).write_bytes(archive.read_bytes())
    restored = _manage(
        "restore", str(server / "backups" / archive.name), "--yes", url=fresh_database, var=server
    )
    assert restored.returncode == 0, restored.stderr
    assert "every table's count and checksum match" in restored.stdout

    assert _measure(url=fresh_database, var=server) == manifest["tables"]
    assert (server / "media" / "covers" / "封面.jpg").read_bytes() == b"\xff\xd8 a cover " * 100
    assert (server / "secret_key").read_text() == "k" * 50


def _rewrite(archive: Path, target: Path, *, manifest_change=None, damage: str | None = None) -> Path:
    """A copy of ``archive`` with its manifest changed or one member's bytes damaged."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as copy:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == backups.MANIFEST and manifest_change:
                manifest = json.loads(data)
                manifest_change(manifest)
                data = json.dumps(manifest).encode()
            if member.name == damage:
                data = data[:100] + bytes(b ^ 0xFF for b in data[100:200]) + data[200:]
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


def test_restore_refuses_bad_archives_with_a_non_zero_exit_and_changes_nothing(library):
    var = library
    assert _manage("backup", url=_url(), var=var).returncode == 0
    archive = _archive(var)
    Record.objects.create(title="备份之后的书")
    records = Record.objects.count()
    database = backups.PG_DUMP if connection.vendor == "postgresql" else backups.SQLITE_COPY

    def newer(manifest):
        manifest["schema"]["circulation"] = "9999_from_the_future"

    garbage = var / "garbage.tar"
    garbage.write_bytes(b"not a tar file at all" * 50)
    # The commands answer in the site's language (Chinese first).
    cases = {
        var / "missing.tar": "处没有备份文件",
        garbage: "garbage.tar 不是本系统的备份，或者已经损坏",
        _rewrite(archive, var / "damaged.tar", damage=database): f"备份中的文件 {database} 已损坏",
        _rewrite(archive, var / "newer.tar", manifest_change=newer): "这个备份来自更新版本的系统"
        "（circulation.9999_from_the_future）",
    }
    for path, message in cases.items():
        refused = _manage("restore", str(path), "--yes", url=_url(), var=var)
        assert refused.returncode == 1, (path, refused.stdout)
        assert message in refused.stderr, refused.stderr
    assert Record.objects.count() == records
    assert Record.objects.filter(title="备份之后的书").exists()


def test_restore_asks_first_and_anything_but_yes_changes_nothing(library):
    var = library
    assert _manage("backup", url=_url(), var=var).returncode == 0
    Record.objects.create(title="备份之后的书")
    for answer in ("no\n", ""):
        refused = _manage("restore", str(_archive(var)), url=_url(), var=var, stdin=answer)
        assert refused.returncode == 1
        assert "Type yes to go on" in refused.stdout
        assert "Not restored: nothing was changed." in refused.stderr
        assert Record.objects.filter(title="备份之后的书").exists()
    done = _manage("restore", str(_archive(var)), url=_url(), var=var, stdin="yes\n")
    assert done.returncode == 0, done.stderr
    assert not Record.objects.filter(title="备份之后的书").exists()


def test_the_backup_command_refuses_an_existing_output_file(library):
    existing = library / "taken.tar"
    existing.write_bytes(b"keep me")
    refused = _manage("backup", "--output", str(existing), url=_url(), var=library)
    assert refused.returncode == 1
    assert existing.read_bytes() == b"keep me"


# --- the nightly job and its retention --------------------------------------------------------------


def test_retention_keeps_7_daily_4_weekly_and_12_monthly(tmp_path):
    start = datetime.datetime(2025, 1, 1, 2, 30)
    moments = [start + datetime.timedelta(days=day) for day in range(730)]
    for moment in moments:
        (tmp_path / f"library-{moment:%Y%m%d-%H%M%S}.tar").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not a backup")

    removed = backups.backups_prune(directory=tmp_path)

    kept = {path.name[8:16] for path in tmp_path.glob("library-*.tar")}
    # The last day is Thursday 2026-12-31: its 7 days, the newest of 4 ISO weeks (the 31st and
    # the 27th are among the days, then the 20th and the 13th) and of 12 months (the 31st is
    # among the days, then the last day of each month from January to November).
    days = {f"202612{day}" for day in range(25, 32)}
    weeks = {"20261220", "20261213"}
    months = {
        f"{datetime.date(2026, month + 1, 1) - datetime.timedelta(days=1):%Y%m%d}" for month in range(1, 12)
    }
    assert kept == days | weeks | months
    assert len(kept) == 20
    assert len(removed) == 730 - 20
    assert (tmp_path / "notes.txt").exists()
    assert backups.backups_prune(directory=tmp_path) == []


def test_the_backup_job_is_registered_and_scheduled_nightly():
    job = job_get("backup")
    assert job is not None and job.task == "library_site.system.tasks.backup_task"
    entries = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == job.task]
    assert len(entries) == 1
    assert "library_site.system.tasks.backup_task" in app.tasks


@pytest.mark.django_db(transaction=True)
def test_the_job_runs_a_backup_into_backup_dir_and_prunes(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "nightly"
    settings.MEDIA_ROOT = tmp_path / "media"
    old = settings.BACKUP_DIR / "library-20200101-023000.tar"
    settings.BACKUP_DIR.mkdir()
    for day in range(1, 10):
        (settings.BACKUP_DIR / f"library-202001{day:02d}-023000.tar").write_bytes(b"")
    from library_site.system.tasks import backup_task

    backup_task.apply()

    run = JobRun.objects.get(key="backup")
    assert run.state == JobRun.State.SUCCEEDED, run.error
    assert run.result["verified"] is True
    assert (settings.BACKUP_DIR / run.result["file"]).stat().st_size == run.result["size"]
    # Kept: tonight's and the six newest days of January 2020 (their weeks and month too).
    assert run.result["removed"] == 3
    assert not old.exists()
    assert sorted(path.name[8:16] for path in settings.BACKUP_DIR.glob("library-2020*.tar")) == [
        f"202001{day:02d}" for day in range(4, 10)
    ]


# --- the operations page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_operations_page_shows_the_last_good_backup_and_warns_after_two_days(client):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("system:jobs")).content.decode()
    assert "There is no good backup yet." in page

    now = timezone.now()
    JobRun.objects.create(
        key="backup",
        trigger=JobRun.Trigger.BEAT,
        state=JobRun.State.SUCCEEDED,
        started_at=now - datetime.timedelta(days=1, minutes=1),
        finished_at=now - datetime.timedelta(days=1),
        result={
            "file": "library-20261205-023000.tar",
            "size": 3_500_000,
            "tables": 71,
            "rows": 1234,
            "verified": True,
        },
    )
    page = client.get(reverse("system:jobs")).content.decode()
    assert "data-backup-warning" not in page
    assert (
        "library-20261205-023000.tar" in page
        and "3.3\xa0MB" in page
        and "verified: 71 tables, 1234 rows" in page
    )

    JobRun.objects.filter(key="backup").update(finished_at=now - datetime.timedelta(days=2, hours=1))
    JobRun.objects.create(
        key="backup",
        trigger=JobRun.Trigger.BEAT,
        state=JobRun.State.FAILED,
        started_at=now - datetime.timedelta(hours=3),
        finished_at=now - datetime.timedelta(hours=3),
        error="BackupRefused: pg_dump failed: disk full",
    )
    page = client.get(reverse("system:jobs")).content.decode()
    assert "more than two days ago" in page
    assert "pg_dump failed: disk full" in page
