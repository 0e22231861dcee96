"""The preview of an uploaded file, built by the background worker (issue 13, point 13: an upload
cannot stall the site).

Every import with a preview (the records spreadsheet, MARC, the roster, the purchase plan's
lines, the question bank) goes the same way:

1. ``preview_start`` keeps the upload in its private folder under var/imports/ (``uploads``),
   beside a small ``preview.json`` that says whose it is, what kind it is and how far its preview
   has got, and sends ``upload_preview_task`` once the request's transaction commits;
2. the worker runs the kind's builder (``preview_builder_register``, filled by each app in its
   ``AppConfig.ready()``) in the uploader's language, renewing the state's time stamp every few
   seconds while it parses (a lease: a page that sees no renewal for ``PREVIEW_SILENT_SECONDS``
   knows the worker was lost), and writes what the builder found to ``preview-result.json``;
3. the page polls ``preview_get`` (htmx, every two seconds) and shows the preview once it is
   ready; the confirmation imports from the kept file, claiming the folder first (an atomic
   rename, ``uploads.upload_claim``): a double click or a second tab finds nothing to claim.

A small file (at most ``UPLOAD_PREVIEW_INLINE_BYTES``, a few thousand rows) is previewed in the
request by the same task function: it is quicker than a round trip through the broker, and
cannot hold a web worker for long.

Only the person who uploaded a file sees its preview, its progress or confirms it: every read
takes the user and answers None for anyone else, whatever token they send. Folders of previews
never confirmed are removed after a day (``uploads.uploads_remove_stale``, beat's
``purge-abandoned-imports`` and every new upload).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from . import uploads

logger = logging.getLogger(__name__)

STATE_NAME = "preview.json"
RESULT_NAME = "preview-result.json"
# The worker renews the state's time stamp this often while it parses.
LEASE_RENEW_SECONDS = 5

# Called with (units done, units in all) while a builder reads (rows, records).
Progress = Callable[[int, int], None]
# A builder reads the kept file with the upload's options and returns what the page shows, as
# JSON: a "refusal" (a message) when nothing in the file can be imported.
Builder = Callable[[Path, dict, Progress], dict]


class State:
    QUEUED = "queued"
    PARSING = "parsing"
    READY = "ready"
    REFUSED = "refused"
    FAILED = "failed"
    WAITING = (QUEUED, PARSING)


_builders: dict[str, Builder] = {}


def preview_builder_register(kind: str, builder: Builder) -> None:
    """Register how an upload of ``kind`` (``"catalog.records"``) is read for its preview."""
    _builders[kind] = builder


def silent_seconds() -> int:
    return int(getattr(settings, "PREVIEW_SILENT_SECONDS", 120))


def queued_seconds() -> int:
    return int(getattr(settings, "PREVIEW_QUEUED_SECONDS", 600))


def inline_bytes() -> int:
    return int(getattr(settings, "UPLOAD_PREVIEW_INLINE_BYTES", 256 * 1024))


@dataclass
class Preview:
    """An upload's preview as the page sees it."""

    token: str
    kind: str
    name: str
    filename: str
    options: dict
    state: str
    done: int = 0
    total: int = 0
    at: float = 0.0
    result: dict | None = None
    message: str = ""
    language: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def waiting(self) -> bool:
        return self.state in State.WAITING

    @property
    def ready(self) -> bool:
        return self.state == State.READY

    @property
    def stopped(self) -> bool:
        """The worker said nothing for too long: lost while it parsed (its lease, renewed every
        few seconds, ran out), or it never took the task (busy or down for ten minutes)."""
        silence = time.time() - self.at
        if self.state == State.PARSING:
            return silence > silent_seconds()
        return self.state == State.QUEUED and silence > queued_seconds()

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def path(self) -> Path | None:
        return uploads.upload_path(self.token, self.filename)


def preview_start(
    *,
    kind: str,
    chunks: Iterable[bytes],
    filename: str,
    name: str,
    owner_id: int,
    options: dict | None = None,
    size: int | None = None,
    language: str | None = None,
) -> str:
    """Keep an upload and have its preview built: in this request for a small file (``size``
    at most ``UPLOAD_PREVIEW_INLINE_BYTES``), by the worker for a larger one. Returns the token."""
    if kind not in _builders:
        raise LookupError(f"no preview builder for {kind!r}")
    from django.utils.translation import get_language

    token = uploads.upload_store(chunks, name=filename)
    uploads.json_write(
        token,
        STATE_NAME,
        {
            "kind": kind,
            "owner": owner_id,
            "name": (name or "")[-200:],
            "filename": filename,
            "options": options or {},
            "state": State.QUEUED,
            "done": 0,
            "total": 0,
            "at": time.time(),
        },
    )
    language = language or get_language() or settings.LANGUAGE_CODE
    _send(token, size=size, language=language)
    return token


def _state_read(token: str) -> dict | None:
    state = uploads.json_read(token, STATE_NAME)
    return state if isinstance(state, dict) and state.get("kind") in _builders else None


def _state_update(token: str, **changes) -> None:
    state = _state_read(token)
    if state is not None:
        uploads.json_write(token, STATE_NAME, {**state, **changes, "at": time.time()})


def preview_upload(upload, *, kind: str, user, filename: str, options: dict | None = None) -> Preview:
    """Keep a Django upload of ``user``'s and start its preview (``preview_start``); the preview
    as it stands now: ready or refused for a small file read in this request, waiting otherwise."""
    token = preview_start(
        kind=kind,
        chunks=upload.chunks(),
        filename=filename,
        name=upload.name or "",
        owner_id=user.pk,
        options=options,
        size=upload.size,
    )
    return preview_get(token, user=user)


def preview_get(token: str, *, user) -> Preview | None:
    """The preview of ``token`` for ``user``; None when there is none, or it is someone else's."""
    if uploads.folder_for(token) is None:
        return None
    state = _state_read(token)
    if state is None or user is None or state.get("owner") != getattr(user, "pk", None):
        return None
    result = uploads.json_read(token, RESULT_NAME) if state["state"] not in State.WAITING else None
    return Preview(
        token=token,
        kind=state["kind"],
        name=state.get("name", ""),
        filename=state.get("filename", uploads.UPLOAD_NAME),
        options=state.get("options") or {},
        state=state["state"],
        done=int(state.get("done") or 0),
        total=int(state.get("total") or 0),
        at=float(state.get("at") or 0),
        result=result if isinstance(result, dict) else None,
        message=state.get("message", ""),
        language=state.get("language", ""),
    )


def preview_owned(token: str, *, user) -> bool:
    return preview_get(token, user=user) is not None


def preview_discard(token: str, *, user) -> bool:
    """Remove an upload and its preview, if it is ``user``'s."""
    if not preview_owned(token, user=user):
        return False
    uploads.upload_discard(token)
    return True


class _LeaseKeeper(threading.Thread):
    """Renews the preview's time stamp while the builder runs, so that a page can tell a long
    parse from a lost worker."""

    def __init__(self, token: str):
        super().__init__(daemon=True, name=f"preview-lease-{token[:6]}")
        self.token = token
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(LEASE_RENEW_SECONDS):
            try:
                _state_update(self.token)
            except OSError:
                return

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=LEASE_RENEW_SECONDS)


def preview_build(token: str, *, language: str) -> str | None:
    """Build the preview of ``token`` (what ``upload_preview_task`` runs): its final state, or
    None when there is nothing to do (the upload is gone, claimed, or its preview built already:
    a task delivered twice reads the file once more at most and changes nothing)."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    state = _state_read(token)
    if state is None or uploads.upload_is_claimed(token) or state["state"] in (State.READY, State.REFUSED):
        return None
    path = uploads.upload_path(token, state.get("filename", uploads.UPLOAD_NAME))
    _state_update(token, state=State.PARSING, language=language)
    keeper = _LeaseKeeper(token)
    keeper.start()

    def progress(done: int, total: int) -> None:
        _state_update(token, state=State.PARSING, done=done, total=total)

    try:
        with translation.override(language):
            try:
                result = _builders[state["kind"]](path, state.get("options") or {}, progress)
            except Exception:
                logger.exception("The preview of upload %s (%s) failed", token, state["kind"])
                _state_update(
                    token,
                    state=State.FAILED,
                    message=str(_("The file could not be read because of an error; nothing was saved.")),
                )
                return State.FAILED
    finally:
        keeper.stop()
    uploads.json_write(token, RESULT_NAME, result)
    final = State.REFUSED if result.get("refusal") else State.READY
    _state_update(token, state=final, message=str(result.get("refusal") or ""))
    return final


# --- the page's side -------------------------------------------------------------------------------


def preview_waiting_response(
    request,
    preview: Preview,
    *,
    poll_url: str,
    heading: str,
    cancel_url: str | None = None,
    cancel_action: str | None = None,
):
    """The page (or, for htmx, the card alone) that shows a preview's progress while it is built."""
    from django.shortcuts import render

    template = (
        "_partials/upload_preview_progress.html" if request.htmx else "_partials/upload_preview_page.html"
    )
    context = {
        "preview": preview,
        "poll_url": poll_url,
        "heading": heading,
        "cancel_url": cancel_url,
        "cancel_action": cancel_action,
    }
    return render(request, template, context)


def preview_redirect(request, url: str):
    """Where the page goes once the preview is ready or refused: a whole page, also for htmx."""
    from django.shortcuts import redirect
    from django_htmx.http import HttpResponseClientRedirect

    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def preview_stopped_message() -> str:
    from django.utils.translation import gettext as _

    return _(
        "The file's preview stopped without finishing (the background worker did not answer); "
        "nothing was saved. Upload the file again."
    )


def preview_result_replace(token: str, result: dict) -> None:
    """What a refused confirmation found when it checked the file again (the library changed
    since the preview): the page shows that instead."""
    uploads.json_write(token, RESULT_NAME, result)


def _send(token: str, *, size: int | None, language: str) -> None:
    if size is not None and size <= inline_bytes():
        preview_build(token, language=language)
    else:
        from library_site.system.tasks import upload_preview_task

        transaction.on_commit(lambda: upload_preview_task.delay(token, language=language))


def preview_rebuild(token: str, *, user, language: str | None = None) -> bool:
    """Have the preview of a kept upload built again (a confirmation refused because the library
    changed since): by the worker, as at the upload. False when it is not ``user``'s."""
    from django.utils.translation import get_language

    preview = preview_get(token, user=user)
    if preview is None or preview.path is None:
        return False
    folder = uploads.folder_for(token)
    (folder / RESULT_NAME).unlink(missing_ok=True)
    _state_update(token, state=State.QUEUED, done=0, total=0, message="")
    try:
        size = preview.path.stat().st_size
    except OSError:
        return False
    _send(token, size=size, language=language or get_language() or settings.LANGUAGE_CODE)
    return True


def preview_for_page(token: str, *, user) -> Preview | None:
    """The preview as a page shows it: one built in another language than the page's (the
    librarian switched language) is built again in the page's, as the page used to read the file
    again at every visit: in the request for a small file, by the worker for a larger one."""
    from django.utils.translation import get_language

    preview = preview_get(token, user=user)
    language = get_language()
    if (
        preview is not None
        and preview.state in (State.READY, State.REFUSED)
        and preview.language
        and language
        and preview.language != language
        and not uploads.upload_is_claimed(token)
    ):
        preview_rebuild(token, user=user, language=language)
        preview = preview_get(token, user=user)
    return preview
