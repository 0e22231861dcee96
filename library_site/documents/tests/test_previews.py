"""The shared preview of uploads (library_site.documents.previews) on its own: whose it is, what
a builder's failure leaves, a task delivered again, a lost worker."""

from __future__ import annotations

import pytest

from library_site.accounts.tests.factories import UserFactory
from library_site.documents import previews, uploads

pytestmark = pytest.mark.django_db

calls: list[str] = []


def counting_builder(path, options, progress):
    calls.append(path.read_text())
    progress(1, 2)
    return {"refusal": "", "text": path.read_text(), "options": options}


def failing_builder(path, options, progress):
    raise ValueError("a bug in the reader")


previews.preview_builder_register("test.counting", counting_builder)
previews.preview_builder_register("test.failing", failing_builder)


def start(kind: str, user, size: int = 3) -> str:
    return previews.preview_start(
        kind=kind,
        chunks=[b"abc"],
        filename="upload.txt",
        name="a.txt",
        owner_id=user.pk,
        options={"n": 1},
        size=size,
    )


def test_a_small_upload_is_built_at_once_and_only_its_owner_reads_it():
    owner, other = UserFactory(), UserFactory()
    token = start("test.counting", owner)
    preview = previews.preview_get(token, user=owner)
    assert preview.ready and preview.result == {"refusal": "", "text": "abc", "options": {"n": 1}}
    assert previews.preview_get(token, user=other) is None
    assert previews.preview_get(token, user=None) is None
    assert previews.preview_get("../../etc", user=owner) is None
    assert previews.preview_discard(token, user=other) is False and uploads.folder_for(token).exists()
    assert previews.preview_discard(token, user=owner) is True and not uploads.folder_for(token).exists()


def test_a_task_delivered_again_or_for_a_claimed_upload_reads_nothing():
    owner = UserFactory()
    calls.clear()
    token = start("test.counting", owner)
    assert previews.preview_build(token, language="en") is None  # built already
    assert uploads.upload_claim(token)
    assert previews.preview_build(token, language="en") is None  # being saved
    assert len(calls) == 1


def test_a_builder_that_fails_leaves_a_failed_preview_with_a_message(caplog):
    owner = UserFactory()
    token = start("test.failing", owner)
    preview = previews.preview_get(token, user=owner)
    assert preview.state == previews.State.FAILED and not preview.ready
    assert preview.message == "文件因出错无法读取，未保存任何内容。"


def test_a_parse_whose_lease_runs_out_is_stopped(settings, monkeypatch):
    owner = UserFactory()
    settings.UPLOAD_PREVIEW_INLINE_BYTES = 0
    monkeypatch.setattr("library_site.system.tasks.upload_preview_task.delay", lambda *args, **kwargs: None)
    token = start("test.counting", owner, size=10_000)
    previews._state_update(token, state=previews.State.PARSING)
    assert not previews.preview_get(token, user=owner).stopped  # the worker renewed it just now
    settings.PREVIEW_SILENT_SECONDS = -1
    assert previews.preview_get(token, user=owner).stopped
