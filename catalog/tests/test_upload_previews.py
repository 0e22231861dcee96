"""The records spreadsheet's preview built by the background worker (issue 13, point 13), through
the shared mechanism of library_site.documents.previews: the page shows the progress, then the
preview; only the uploader sees or confirms it; a confirmation while the preview is being built,
a second one, or one by someone else saves nothing.

The unit tests keep the task the page sends and run it as the worker would (the task function
itself); ``test_a_real_worker_builds_the_preview`` sends it through the broker to a real Celery
worker process."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from catalog.models import Contributor, Copy, Record
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.documents import previews, uploads
from library_site.system.tasks import upload_preview_task
from library_site.testing import database_url, subprocess_env

from .spreadsheet_files import GOOD_ROWS, HEADER, write_xlsx

pytestmark = pytest.mark.django_db


def counts():
    return Record.objects.count(), Copy.objects.count(), Contributor.objects.count()


def bad_row(**changes):
    row = dict(zip(HEADER, GOOD_ROWS[0], strict=True))
    row.update(changes)
    return [row[name] for name in HEADER]


def librarian_client(language="en"):
    client = Client()
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def librarian(client):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def sent(monkeypatch, settings):
    """Every file is previewed by the worker; the tasks the page sends are kept here."""
    settings.UPLOAD_PREVIEW_INLINE_BYTES = 0
    kept = []
    monkeypatch.setattr(
        "library_site.system.tasks.upload_preview_task.delay",
        lambda *args, **kwargs: kept.append((args, kwargs)),
    )
    return kept


def run(task):
    args, kwargs = task
    upload_preview_task(*args, **kwargs)


def upload(client, path, capture):
    with capture(execute=True), path.open("rb") as handle:
        return client.post(reverse("catalog:records-import"), {"file": handle})


def preview_url():
    return reverse("catalog:records-import-preview")


def token_of(client):
    return client.session["catalog-import"]["token"]


def test_the_page_shows_progress_until_the_worker_has_read_the_file_then_the_preview(
    librarian, tmp_path, sent, django_capture_on_commit_callbacks
):
    response = upload(
        librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302 and response["Location"] == preview_url()
    assert len(sent) == 1 and counts() == (0, 0, 0)

    waiting = librarian.get(preview_url()).content.decode()
    assert 'data-preview-state="queued"' in waiting and "Waiting for the background worker" in waiting
    assert f'hx-get="{preview_url()}"' in waiting and "data-confirm-import" not in waiting
    card = librarian.get(preview_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="upload-preview")
    assert 'id="upload-preview"' in card.content.decode() and "<html" not in card.content.decode()
    # Confirmed before the preview exists: refused, nothing saved.
    early = librarian.post(reverse("catalog:records-import-confirm"), {"token": token_of(librarian)})
    assert early.status_code == 302 and counts() == (0, 0, 0)

    run(sent[0])

    done = librarian.get(preview_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="upload-preview")
    assert done["HX-Redirect"] == preview_url()
    page = librarian.get(preview_url()).content.decode()
    assert page.count('data-fate="new"') == 2 and page.count('data-fate="same"') == 4
    assert "data-confirm-import" in page and "草房子" in page

    confirmed = librarian.post(reverse("catalog:records-import-confirm"), {"token": token_of(librarian)})
    assert confirmed.status_code == 302 and counts()[:2] == (2, 6)


def test_a_second_confirmation_and_the_task_run_twice_save_once(
    librarian, tmp_path, sent, django_capture_on_commit_callbacks
):
    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS), django_capture_on_commit_callbacks)
    run(sent[0])
    run(sent[0])  # delivered twice: the preview is built once
    token = token_of(librarian)
    librarian.post(reverse("catalog:records-import-confirm"), {"token": token})
    again = librarian.post(reverse("catalog:records-import-confirm"), {"token": token}, follow=True)
    assert "no import waiting for confirmation" in again.content.decode()
    assert counts()[:2] == (2, 6)
    run(sent[0])  # and after the save: nothing to read
    assert counts()[:2] == (2, 6)


def test_another_user_with_the_token_sees_nothing_and_saves_nothing(
    librarian, tmp_path, sent, django_capture_on_commit_callbacks
):
    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS), django_capture_on_commit_callbacks)
    run(sent[0])
    token = token_of(librarian)
    other = librarian_client()
    session = other.session
    session["catalog-import"] = {"token": token, "extension": ".xlsx", "name": "books.xlsx"}
    session.save()

    page = other.get(preview_url(), follow=True).content.decode()
    assert "There is no import waiting for confirmation" in page and "草房子" not in page
    refused = other.post(reverse("catalog:records-import-confirm"), {"token": token}, follow=True)
    assert "no import waiting for confirmation" in refused.content.decode()
    other.post(reverse("catalog:records-import-cancel"))
    assert counts() == (0, 0, 0)
    # Not even the cancel touched the uploader's file: it is still there to confirm.
    assert librarian.get(preview_url()).content.decode().count("data-confirm-import") == 1
    other_user = other.session.get("_auth_user_id")
    assert previews.preview_get(token, user=UserFactory.build(pk=int(other_user))) is None


def test_row_errors_found_by_the_worker_are_in_the_uploaders_language_and_cannot_be_confirmed(
    tmp_path, sent, django_capture_on_commit_callbacks
):
    pupil_librarian = librarian_client(language="zh-hans")
    rows = [GOOD_ROWS[0], bad_row(ISBN="12345"), bad_row(馆藏地点="月球")]
    upload(pupil_librarian, write_xlsx(tmp_path / "bad.xlsx", rows), django_capture_on_commit_callbacks)
    with translation.override("en"):  # the worker's own language does not matter
        run(sent[0])
    page = pupil_librarian.get(preview_url()).content.decode()
    assert page.count('data-fate="error"') == 2
    assert 'data-error-column="ISBN"' in page and 'data-error-column="馆藏地点"' in page
    assert "data-confirm-import" not in page
    pupil_librarian.post(reverse("catalog:records-import-confirm"), {"token": token_of(pupil_librarian)})
    assert counts() == (0, 0, 0)


def test_a_file_the_worker_refuses_goes_back_to_the_upload_with_the_reason(
    librarian, tmp_path, sent, django_capture_on_commit_callbacks
):
    empty = write_xlsx(tmp_path / "empty.xlsx", [])
    upload(librarian, empty, django_capture_on_commit_callbacks)
    folder = uploads.folder_for(token_of(librarian))
    run(sent[0])
    page = librarian.get(preview_url(), follow=True).content.decode()
    assert "The file has no rows below its header." in page
    assert "catalog-import" not in librarian.session and counts() == (0, 0, 0)
    assert not folder.exists()


def test_a_preview_the_worker_never_builds_is_given_up(
    librarian, tmp_path, sent, settings, django_capture_on_commit_callbacks
):
    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS), django_capture_on_commit_callbacks)
    settings.PREVIEW_QUEUED_SECONDS = -1  # as if no worker had taken the task for too long
    page = librarian.get(preview_url(), follow=True).content.decode()
    assert "stopped without finishing" in page and "catalog-import" not in librarian.session
    run(sent[0])  # the worker starts after all: the upload is gone, nothing happens
    assert counts() == (0, 0, 0)


def test_a_small_file_is_previewed_in_the_request(
    librarian, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(
        "library_site.system.tasks.upload_preview_task.delay",
        lambda *args, **kwargs: pytest.fail("a small file goes to no worker"),
    )
    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS), django_capture_on_commit_callbacks)
    assert librarian.get(preview_url()).content.decode().count('data-fate="new"') == 2


def test_stale_uploads_are_removed_by_the_nightly_job(
    tmp_path, librarian, sent, django_capture_on_commit_callbacks
):
    import os

    from catalog.tasks import imports_purge_task

    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS), django_capture_on_commit_callbacks)
    folder = uploads.folder_for(token_of(librarian))
    old = time.time() - uploads.STALE_AFTER_SECONDS - 60
    os.utime(folder, (old, old))
    imports_purge_task.apply()
    assert not folder.exists()


# --- a real worker -------------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_preview(tmp_path, monkeypatch, settings, data_from_migrations):
    """The upload's task goes through the configured broker (the filesystem transport under var/,
    or Redis with REDIS_URL) to a Celery worker process, which reads the kept file and writes
    the preview the page then shows."""
    settings.UPLOAD_PREVIEW_INLINE_BYTES = 0
    queue = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(
        "library_site.system.tasks.upload_preview_task.delay",
        lambda *args, **kwargs: upload_preview_task.apply_async(args, kwargs, queue=queue),
    )
    env = subprocess_env(
        LIBRARY_VAR_DIR=str(django_settings.VAR_DIR),
        DATABASE_URL=database_url(),
        SECRET_KEY=django_settings.SECRET_KEY,
    )
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "library_site",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
            "-n",
            f"{queue}@%h",
        ],
        env=env,
        cwd=django_settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        librarian = librarian_client()
        with write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS).open("rb") as handle:
            librarian.post(reverse("catalog:records-import"), {"file": handle})
        deadline = time.monotonic() + 90
        page = ""
        while time.monotonic() < deadline:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            response = librarian.get(preview_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="upload-preview")
            if response.get("HX-Redirect"):
                page = librarian.get(preview_url()).content.decode()
                break
            time.sleep(0.5)
        assert page, (tmp_path / "worker.log").read_text()
        assert page.count('data-fate="new"') == 2 and page.count('data-fate="same"') == 4
        librarian.post(reverse("catalog:records-import-confirm"), {"token": token_of(librarian)})
        assert counts()[:2] == (2, 6)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
