"""Does the desk keep answering while a 20 MB spreadsheet is being previewed? (issue 13, point 13)

The site runs as in production: gunicorn (``BENCH_WORKERS`` sync workers, default 2) and one
Celery worker (solo pool) on the benchmark database, sharing a var/ directory and the broker
(Redis with REDIS_URL, else the filesystem transport under var/). One librarian uploads a
generated records spreadsheet of about 20 MB (``BENCH_UPLOAD_ROWS`` rows, default 100,000, the
import's row limit, with a filled notes column) and polls its preview page as the browser does;
meanwhile ``BENCH_DESKS`` desks (default 2) scan reader cards one after another. Printed: the
upload request's own time, how long the worker took to read and check the file (what a web worker
was held for when the preview was parsed in the request), and the desks' scan latencies before
and during the parse (p50, p95, max, failures).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x BENCH_RECORDS=2000 \\
        make bench BENCH=uploads

Nothing is saved: the upload is cancelled at the end.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from benchmarks.bench_desk import Desk, desk_users_ensure, free_port, gunicorn_start, readers_ensure
from benchmarks.bench_transfer import generate_import_file
from benchmarks.figures import percentile

HERE = Path(__file__).resolve().parent
BOUNDARY = "----bench-uploads-" + uuid.uuid4().hex


def worker_start(env: dict, log: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "library_site",
        "worker",
        "--pool=solo",
        "--without-mingle",
        "--without-gossip",
        "--loglevel=WARNING",
        "-n",
        f"bench-uploads-{uuid.uuid4().hex[:6]}@%h",
    ]
    return subprocess.Popen(command, cwd=HERE.parent, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)  # noqa: S603


def upload(desk: Desk, path: Path) -> tuple[float, int, str]:
    """POST the file as the import form does; (seconds, status, Location)."""
    _status, page = desk.request("GET", "/catalog/import/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    content = path.read_bytes()
    body = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.xlsx"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    headers = {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Cookie": "; ".join(f"{key}={value}" for key, value in desk.cookies.items()),
        "Referer": "http://127.0.0.1/catalog/import/",
    }
    started = time.perf_counter()
    desk.connection.request("POST", "/catalog/import/", body=body, headers=headers)
    response = desk.connection.getresponse()
    response.read()
    return time.perf_counter() - started, response.status, response.getheader("Location") or ""


def scans(port: int, username: str, cards: list[str], stop: threading.Event, out: list) -> None:
    desk = Desk(port)
    desk.login(username)
    rng = random.Random(username)
    while not stop.is_set():
        try:
            elapsed, ok = desk.scan(rng.choice(cards), "lend")
        except (OSError, http.client.HTTPException):
            elapsed, ok = float("nan"), False
        out.append((time.monotonic(), elapsed, ok))


def summary(samples: list[tuple[float, float, bool]]) -> str:
    times = [elapsed for _at, elapsed, ok in samples if ok]
    failed = sum(1 for _at, _elapsed, ok in samples if not ok)
    return (
        f"{len(samples)} scans, p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms, "
        f"max {max(times, default=float('nan')):.0f} ms, {failed} failed"
    )


def main() -> None:
    from django.conf import settings
    from django.core.management import call_command

    from catalog.models import ClassificationClass, Location

    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    desks = int(os.environ.get("BENCH_DESKS", "2"))
    rows = int(os.environ.get("BENCH_UPLOAD_ROWS", "100000"))
    notes_chars = int(os.environ.get("BENCH_UPLOAD_NOTES_CHARS", "24"))
    baseline_seconds = float(os.environ.get("BENCH_BASELINE_SECONDS", "15"))
    call_command("collectstatic", interactive=False, verbosity=0)
    cards = readers_ensure(200)
    users = desk_users_ensure(desks + 1)
    classes = list(ClassificationClass.objects.filter(level__gte=2).values_list("code", flat=True))
    locations = list(Location.objects.filter(is_active=True).values_list("name", flat=True))
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        path = folder / "bench.xlsx"
        started = time.perf_counter()
        generate_import_file(
            path, rows, seed=1, run="UPL", classes=classes, locations=locations, notes_chars=notes_chars
        )
        size = path.stat().st_size
        print(
            f"generated {rows:,} rows, {size / 1024 / 1024:.1f} MB, in {time.perf_counter() - started:.0f} s"
        )
        secret = f"bench-uploads-{uuid.uuid4().hex}"
        env = dict(
            os.environ,
            LIBRARY_VAR_DIR=str(settings.VAR_DIR),
            SECRET_KEY=secret,
            DJANGO_SETTINGS_MODULE="library_site.settings",
        )
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        saved_environment = dict(os.environ)
        os.environ.update(LIBRARY_VAR_DIR=str(settings.VAR_DIR), SECRET_KEY=secret)
        port = free_port()
        server = gunicorn_start(port, workers)
        os.environ.clear()
        os.environ.update(saved_environment)
        worker = worker_start(env, folder / "worker.log")
        stop = threading.Event()
        samples: list[tuple[float, float, bool]] = []
        threads = [
            threading.Thread(target=scans, args=(port, users[index + 1], cards, stop, samples), daemon=True)
            for index in range(desks)
        ]
        try:
            for thread in threads:
                thread.start()
            time.sleep(baseline_seconds)
            baseline_end = time.monotonic()
            librarian = Desk(port)
            librarian.connection.timeout = 120
            librarian.login(users[0])
            seconds, status, location = upload(librarian, path)
            uploaded_at = time.monotonic()
            print(f"upload request: {seconds:.2f} s, HTTP {status} → {location}")
            if status != 302:
                raise RuntimeError("the upload was refused (over CATALOG_IMPORT_MAX_BYTES?)")
            ready_at = None
            polls = 0
            deadline = uploaded_at + 900
            while time.monotonic() < deadline:
                polls += 1
                _poll_status, page = librarian.request(
                    "GET",
                    "/catalog/import/preview/",
                    headers={"HX-Request": "true", "HX-Target": "upload-preview"},
                )
                if 'id="upload-preview"' not in page:
                    ready_at = time.monotonic()
                    break
                time.sleep(2)
            parse_end = time.monotonic()
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
            if ready_at is None:
                print("the preview was not ready within 15 minutes")
            else:
                print(f"preview ready {ready_at - uploaded_at:.1f} s after the upload ({polls} polls)")
            _status, page = librarian.request("GET", "/catalog/import/preview/")
            shown = re.search(r'data-count="rows">([0-9,]+)<', page)
            print(f"preview page: HTTP {_status}" + (f", {shown.group(1)} rows" if shown else ""))
            librarian.request(
                "POST",
                "/catalog/import/cancel/",
                {"csrfmiddlewaretoken": librarian.cookies.get("csrftoken", "")},
                {
                    "X-CSRFToken": librarian.cookies.get("csrftoken", ""),
                    "Referer": "http://127.0.0.1/catalog/import/",
                },
            )
            before = [sample for sample in samples if sample[0] <= baseline_end]
            during = [sample for sample in samples if uploaded_at <= sample[0] <= parse_end]
            print(f"desks before the upload: {summary(before)}")
            print(f"desks while the worker parses: {summary(during)}")
            print(f"gunicorn {workers} sync workers, {desks} desks, 1 Celery worker (solo)")
        finally:
            stop.set()
            server.terminate()
            worker.terminate()
            for process in (server, worker):
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


if __name__ == "__main__":
    import django

    django.setup()
    main()
