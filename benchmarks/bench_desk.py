"""The circulation desk under load: lending and taking back through the real HTTP endpoint.

``BENCH_DESKS`` desks (default 8) work at once against gunicorn (``BENCH_WORKERS`` workers,
default 4, of ``BENCH_WORKER_CLASS``, default sync, with ``BENCH_THREADS`` threads each for
gthread) on loopback, each as its own librarian: it signs in through the login page
(CSRF token and session cookie, as a browser does), then repeats ``BENCH_ROUNDS`` times (default
60): scan a reader's card, scan two books (lend), switch to return mode and scan them again
(return). Every scan is the POST that desk.js sends (htmx headers, the CSRF header, the reader
whose panel the page shows), and every answer is checked to say "done". Readers (``BENCH_READERS``, default 5,000) are made once in
bulk and kept; copies are picked at random among the available books (``BENCH_SEED``).

Figures: p50/p95/max per kind of scan (card, lend, return), loans per second (lends over the
wall time of the run) and scans per second; the database queries of one lend and one reader
panel are counted in-process with Django's test client. Since the desks, gunicorn and
PostgreSQL share the machine's cores (with whatever else runs on it), the CPU time each of them
spent during the run is read from /proc and given per loan (a lend with its share of card scans
and its return): a figure that does not depend on the machine's load, and that says how many
loans per second the cores could carry at best. Targets (issue 4): p95 ≤ 50 ms and
≥ 200 loans per second with 8 desks.
``BENCH_PACE_MS`` (default 0: as fast as the answers come) makes each desk start a scan no
sooner than that many milliseconds after its previous one started, as a librarian with a
scanner does (250: four scans a second per desk): the latency a person feels at that pace.
Run with ``make bench BENCH=desk`` or ``python -m benchmarks.run desk``.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from benchmarks.figures import percentile

TARGET_P95_MS = 50
TARGET_LOANS_PER_SECOND = 200
PASSWORD = "bench-desk-password-42"  # noqa: S105 (the benchmark's own throwaway accounts)
CARD_PREFIX = "R9"
READER_SHOWN = re.compile(r'data-reader-id="([0-9]+)"')
HERE = Path(__file__).resolve().parent


# --- data ------------------------------------------------------------------------------------


def readers_ensure(count: int) -> list[str]:
    """``count`` student readers with active cards (R9xxxxxx), made in bulk once and kept."""
    from django.contrib.auth.hashers import make_password

    from circulation.models import LibraryCard, Reader, SchoolClass
    from library_site.accounts.models import User

    existing = list(
        LibraryCard.objects.filter(number__startswith=CARD_PREFIX, status="active")
        .order_by("number")
        .values_list("number", flat=True)
    )
    if len(existing) >= count:
        return existing[:count]
    classes = []
    for grade in range(1, 13):
        for number in range(1, 11):
            school_class, _created = SchoolClass.objects.get_or_create(
                grade=grade, number=number, is_active=True
            )
            classes.append(school_class)
    password = make_password(PASSWORD)
    start = len(existing)
    users = User.objects.bulk_create(
        [
            User(username=f"B{index:06d}", full_name=f"读者{index}", password=password)
            for index in range(start, count)
        ]
    )
    if not users[0].pk:
        users = list(User.objects.filter(username__in=[user.username for user in users]).order_by("username"))
    readers = Reader.objects.bulk_create(
        [
            Reader(
                user=user, kind="student", number=user.username, school_class=classes[index % len(classes)]
            )
            for index, user in enumerate(users, start=start)
        ]
    )
    if not readers[0].pk:
        readers = list(
            Reader.objects.filter(number__in=[reader.number for reader in readers]).order_by("number")
        )
    LibraryCard.objects.bulk_create(
        [
            LibraryCard(reader=reader, number=f"{CARD_PREFIX}{index:06d}")
            for index, reader in enumerate(readers, start=start)
        ]
    )
    return list(
        LibraryCard.objects.filter(number__startswith=CARD_PREFIX, status="active")
        .order_by("number")
        .values_list("number", flat=True)[:count]
    )


def desk_users_ensure(count: int) -> list[str]:
    from library_site.accounts.models import User
    from library_site.accounts.roles import Role
    from library_site.accounts.services import user_create

    names = []
    for index in range(1, count + 1):
        name = f"benchdesk{index}"
        if not User.objects.filter(username=name).exists():
            user_create(username=name, password=PASSWORD, full_name=f"馆员{index}", roles=(Role.LIBRARIAN,))
        names.append(name)
    return names


def copies_pick(count: int, seed: int) -> list[str]:
    """Available books in the stacks, at random, none with a waiting hold."""
    from catalog.models import Copy

    candidates = list(
        Copy.objects.filter(status="available", location__kind="stacks", record__material_type="book")
        .exclude(record__holds__state="waiting")
        .order_by("pk")
        .values_list("barcode", flat=True)[: count * 20]
    )
    random.Random(seed).shuffle(candidates)
    return candidates[:count]


def queries_counted(card: str, barcode: str, user_name: str) -> tuple[int, int, int]:
    """The database queries of one reader panel (card scan), one lend and one return, in-process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from library_site.accounts.models import User

    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(username=user_name))
    url = "/circulation/desk/scan/"
    # captured_queries reads the connection's log, which the next request empties: count at once.
    with CaptureQueriesContext(connection) as panel:
        page = client.post(url, {"code": card, "mode": "lend"}, HTTP_HX_REQUEST="true").content.decode()
    panel_count = len(panel.captured_queries)
    shown = READER_SHOWN.search(page)
    shown = shown.group(1) if shown else ""
    with CaptureQueriesContext(connection) as lend:
        client.post(url, {"code": barcode, "mode": "lend", "shown": shown}, HTTP_HX_REQUEST="true")
    lend_count = len(lend.captured_queries)
    with CaptureQueriesContext(connection) as taken_back:
        client.post(url, {"code": barcode, "mode": "return", "shown": shown}, HTTP_HX_REQUEST="true")
    return panel_count, lend_count, len(taken_back.captured_queries)


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(
    port: int, workers: int, worker_class: str = "sync", threads: int = 1, extra: tuple[str, ...] = ()
) -> subprocess.Popen:
    env = dict(os.environ, DEBUG="false", DJANGO_SETTINGS_MODULE="library_site.settings", LOG_LEVEL="WARNING")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "library_site.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        *extra,
    ]
    server = subprocess.Popen(command, cwd=HERE.parent, env=env)  # noqa: S603
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status in {200, 503}:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within a minute")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def gunicorn_cpu(server: subprocess.Popen) -> dict[int, float]:
    """CPU seconds of gunicorn's master and each of its workers, by process id."""
    pids = [server.pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == server.pid:
                pids.append(int(entry.name))
    return {pid: cpu_seconds(pid) for pid in pids}


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of the PostgreSQL backends serving the benchmark database (not this one's)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    connection.close()
    return {pid: cpu_seconds(pid) for pid in pids}


def machine_busy_seconds() -> float:
    """CPU seconds all the machine's cores have spent busy (not idle nor waiting) since boot."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings; a process that started in between counts whole."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


# --- one desk (a process of its own) --------------------------------------------------------------


class Desk:
    """A browser at the desk, reduced to what it sends: cookies, the CSRF header, htmx headers."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.shown = ""  # whose panel the page shows, which desk.js sends with each scan

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # A keep-alive connection the server closed while this desk was idle (gthread
            # workers do after a few seconds): the request never reached it; send it again.
            self.connection.close()
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        payload = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, payload

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _page = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
            {"Referer": "http://127.0.0.1/accounts/login/"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed ({status})")
        self.request("GET", "/circulation/desk/")

    def scan(self, code: str, mode: str) -> tuple[float, bool]:
        headers = {"X-CSRFToken": self.cookies["csrftoken"], "HX-Request": "true", "HX-Target": "desk-log"}
        started = time.perf_counter()
        body = {"code": code, "mode": mode, "shown": self.shown}
        status, page = self.request("POST", "/circulation/desk/scan/", body, headers)
        elapsed = (time.perf_counter() - started) * 1000
        if 'id="reader-panel"' in page:  # the panel swapped in: it shows this reader now, or none
            shown = READER_SHOWN.search(page)
            self.shown = shown.group(1) if shown else ""
        wanted = 'data-outcome="reader"' if code.startswith(CARD_PREFIX) else 'data-outcome="done"'
        return elapsed, status == 200 and wanted in page


def desk_run(port, username, cards, barcodes, per_reader, barriers, results, pace_ms=0):
    desk = Desk(port)
    plain_scan = desk.scan
    next_start = [0.0]

    def paced_scan(code, mode):
        """At most one scan per ``pace_ms`` from this desk; the wait is not in the timing."""
        wait = next_start[0] - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        next_start[0] = time.perf_counter() + pace_ms / 1000
        return plain_scan(code, mode)

    if pace_ms:
        desk.scan = paced_scan
    desk.login(username)
    # One card scan before the clock starts, so that the workers have read their templates and
    # translations (once per process) before the run, as a server that has been up a while has.
    desk.scan(cards[0], "lend")
    timings = {"card": [], "lend": [], "return": []}
    failures = []
    ready, go = barriers
    ready.wait()  # every desk has signed in (the password hashes are not the desk's work)
    go.wait()
    started = time.perf_counter()
    cpu_started = time.process_time()
    books = iter(barcodes)
    for card in cards:
        taken = [next(books) for _book in range(per_reader)]
        elapsed, ok = desk.scan(card, "lend")
        timings["card"].append(elapsed)
        if not ok:
            failures.append(("card", card))
        for barcode in taken:
            elapsed, ok = desk.scan(barcode, "lend")
            timings["lend"].append(elapsed)
            if not ok:
                failures.append(("lend", barcode))
        for barcode in taken:
            elapsed, ok = desk.scan(barcode, "return")
            timings["return"].append(elapsed)
            if not ok:
                failures.append(("return", barcode))
    results.put(
        {
            "timings": timings,
            "failures": failures,
            "seconds": time.perf_counter() - started,
            "cpu": time.process_time() - cpu_started,
        }
    )


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    from django.db import connections

    desks = int(os.environ.get("BENCH_DESKS", "8"))
    workers = int(os.environ.get("BENCH_WORKERS", "4"))
    worker_class = os.environ.get("BENCH_WORKER_CLASS", "sync")
    threads = int(os.environ.get("BENCH_THREADS", "1"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "60"))
    reader_count = int(os.environ.get("BENCH_READERS", "5000"))
    seed = int(os.environ.get("BENCH_SEED", "1"))
    pace_ms = float(os.environ.get("BENCH_PACE_MS", "0") or 0)
    per_reader = 2

    from django.core.management import call_command

    # The pages gunicorn renders name their static files through the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    cards = readers_ensure(reader_count)
    users = desk_users_ensure(desks)
    barcodes = copies_pick(desks * rounds * per_reader + 1, seed)
    rng = random.Random(seed)
    chosen_cards = rng.sample(cards, desks * rounds + 1)
    panel_queries, lend_queries, return_queries = queries_counted(chosen_cards[-1], barcodes[-1], users[0])
    from catalog.models import Copy
    from circulation.models import Loan, Reader

    print(
        f"{Reader.objects.count():,} readers, {Copy.objects.count():,} copies, {Loan.objects.count():,} loans so far. "
        f"{desks} desks × {rounds} readers × {per_reader} books, gunicorn with {workers} {worker_class} workers"
        f"{f' × {threads} threads' if threads > 1 else ''} on loopback"
        f"{f', each desk at most one scan per {pace_ms:.0f} ms' if pace_ms else ''}."
    )
    from django.conf import settings

    print(
        f"Cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, sessions {settings.SESSION_ENGINE}, "
        f"CONN_MAX_AGE {settings.DATABASES['default'].get('CONN_MAX_AGE')}."
    )
    print(
        f"Database queries: reader panel (card scan) {panel_queries}, lend {lend_queries}, "
        f"return {return_queries}."
    )
    connections.close_all()

    port = free_port()
    server = gunicorn_start(port, workers, worker_class, threads)
    try:
        context = multiprocessing.get_context("fork")
        barriers = (context.Barrier(desks + 1), context.Barrier(desks + 1))
        results = context.Queue()
        processes = []
        for index in range(desks):
            mine = chosen_cards[index * rounds : (index + 1) * rounds]
            books = barcodes[index * rounds * per_reader : (index + 1) * rounds * per_reader]
            process = context.Process(
                target=desk_run,
                args=(port, users[index], mine, books, per_reader, barriers, results, pace_ms),
            )
            process.start()
            processes.append(process)
        barriers[0].wait()
        server_before, database_before = gunicorn_cpu(server), postgres_cpu()
        machine_before = machine_busy_seconds()
        barriers[1].wait()
        started = time.perf_counter()
        outcomes = [results.get(timeout=600) for _process in processes]
        wall = time.perf_counter() - started
        machine_cpu = machine_busy_seconds() - machine_before
        server_cpu = spent(server_before, gunicorn_cpu(server))
        database_cpu = spent(database_before, postgres_cpu())
        for process in processes:
            process.join()
    finally:
        server.terminate()
        server.wait(timeout=30)

    timings = {"card": [], "lend": [], "return": []}
    failures = []
    for outcome in outcomes:
        for kind, values in outcome["timings"].items():
            timings[kind] += values
        failures += outcome["failures"]
    lends = len(timings["lend"])
    scans = sum(len(values) for values in timings.values())
    header = f"{'scan':<8} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    print()
    print(header)
    print("-" * len(header))
    for kind, values in timings.items():
        print(
            f"{kind:<8} {len(values):>6} {percentile(values, 0.5):>8.1f} {percentile(values, 0.95):>8.1f} {max(values):>8.1f}"
        )
    both = timings["lend"] + timings["return"]
    p95 = percentile(both, 0.95)
    print(
        f"\nLend and return together: p95 {p95:.1f} ms. {lends} loans in {wall:.1f} s: {lends / wall:.0f} loans/s, "
        f"{(lends + len(timings['return'])) / wall:.0f} lends+returns/s, {scans / wall:.0f} scans/s (card scans included)."
    )
    client_cpu = sum(outcome["cpu"] for outcome in outcomes)
    ours = server_cpu + database_cpu + client_cpu
    print(
        f"CPU per loan (a lend, its return and half a card scan): gunicorn {server_cpu / lends * 1000:.1f} ms, "
        f"PostgreSQL backends {database_cpu / lends * 1000:.1f} ms, desks (client) {client_cpu / lends * 1000:.1f} ms; "
        f"{ours / lends * 1000:.1f} ms in all, so {os.cpu_count()} cores would carry at most "
        f"{os.cpu_count() * lends / ours:.0f} loans/s. Per scan: gunicorn {server_cpu / scans * 1000:.1f} ms."
    )
    print(
        f"The machine's cores were busy {machine_cpu:.1f} s of {wall * os.cpu_count():.1f} s during the run; "
        f"{max(0.0, machine_cpu - ours):.1f} s of that was not the benchmark's own (other work, PostgreSQL's "
        "background writers)."
    )
    print(
        f"Answers that were not 'done': {len(failures)}" + (f" (first: {failures[:3]})" if failures else "")
    )
    verdict = []
    verdict.append(f"p95 {'≤' if p95 <= TARGET_P95_MS else '>'} {TARGET_P95_MS} ms")
    verdict.append(
        f"{'≥' if lends / wall >= TARGET_LOANS_PER_SECOND else '<'} {TARGET_LOANS_PER_SECOND} loans/s"
    )
    print("Targets: " + ", ".join(verdict))
    print(f"Load average after: {', '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    from benchmarks.run import main as run

    raise SystemExit(run(["desk"]))
