"""Issue 17's figures: a whole grade takes the timed quiz at once, through gunicorn.

    make bench BENCH=quiz        (on BENCH_DATABASE_URL, PostgreSQL for the figures that count)

BENCH_PUPILS pupils (default 600, in classes of 50 of one grade, numbered BQ…, made once and
kept) start a quiz of BENCH_QUESTIONS questions (20) within the same minute (their starts spread
over BENCH_START_SPREAD s, 60), each then saving an answer about every BENCH_EVERY s (10) through
the real endpoints on gunicorn (BENCH_WORKERS gthread workers × BENCH_THREADS threads, 4 × 4).
The time limit is BENCH_MINUTES (2). Half the pupils hand in before the deadline; 30 % go on
saving until the server refuses an answer (the next request closes their attempt at its
deadline); 20 % close the laptop half-way and are closed by ``attempts_close_overdue`` (what
the beat task runs every minute; here a thread runs it every 15 s beside the load).

It prints start p95 and save p95, lost answers (an answer the server acknowledged but does not
hold, or holds with another value), duplicated answers (more than one row for an attempt and a
question), and attempts closed at their deadline. Targets: start p95 ≤ 200 ms, save p95 ≤ 100 ms,
0 lost or duplicated, every attempt closed. A fresh quiz is made on each run.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from datetime import timedelta
from pathlib import Path

import django

from benchmarks.figures import percentile


def pupils_ensure(count: int):
    from django.contrib.auth.hashers import make_password

    from circulation.models import Reader, SchoolClass
    from library_site.accounts.models import User

    have = Reader.objects.filter(number__startswith="BQ").count()
    if have >= count:
        return
    password = make_password(None)
    classes = []
    for number in range(1, count // 50 + 2):
        school_class, _created = SchoolClass.objects.get_or_create(grade=5, number=number, is_active=True)
        classes.append(school_class)
    users = User.objects.bulk_create(
        [
            User(username=f"bq{index:05d}", password=password, full_name=f"测验{index:04d}")
            for index in range(have, count)
        ]
    )
    Reader.objects.bulk_create(
        [
            Reader(
                user=user,
                kind=Reader.Kind.STUDENT,
                number=f"BQ{index:05d}",
                school_class=classes[index // 50],
            )
            for index, user in zip(range(have, count), users, strict=True)
        ]
    )


def quiz_make(questions: int, minutes: int):
    from django.utils import timezone

    from activities.models import Activity, Question, Quiz, QuizQuestion

    now = timezone.now()
    activity = Activity.objects.create(
        kind=Activity.Kind.QUIZ,
        title=f"基准知识竞赛 {now:%H:%M:%S}",
        starts_on=now.date(),
        ends_on=now.date(),
        state=Activity.State.OPEN,
    )
    kinds = ["single", "multiple", "true_false", "fill"]
    bank = []
    for index in range(questions):
        kind = "short" if index == questions - 1 else kinds[index % 4]
        options = ["甲", "乙", "丙", "丁"] if kind in ("single", "multiple") else []
        key = {
            "single": [1],
            "multiple": [0, 2],
            "true_false": [True],
            "fill": ["安徒生"],
            "short": ["善良"],
        }[kind]
        bank.append(
            Question(kind=kind, theme="基准", text=f"第{index + 1}题", options=options, key=key, points=5)
        )
    bank = Question.objects.bulk_create(bank)
    quiz = Quiz.objects.create(
        activity=activity,
        grades="5",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=1),
        minutes=minutes,
        shuffle_options=True,
    )
    QuizQuestion.objects.bulk_create(
        [QuizQuestion(quiz=quiz, question=question, position=index) for index, question in enumerate(bank)]
    )
    return quiz, bank


def value_for(question, rng: random.Random) -> tuple[list[str], bool]:
    """What a pupil sends for a question: the values, and whether several options are chosen."""
    if question.kind == "single":
        return [str(rng.randrange(4))], False
    if question.kind == "multiple":
        return [str(item) for item in sorted(rng.sample(range(4), rng.randint(1, 3)))], True
    if question.kind == "true_false":
        return [rng.choice(["true", "false"])], False
    return [rng.choice(["安徒生", "格林", "ａｎｄｅｒｓｅｎ", "不知道"]) + str(rng.randrange(1000))], False


def server_times(log: Path, quiz_id: int) -> dict[str, list[float]]:
    """The milliseconds gunicorn spent on each successful start and save (``%(D)s``, in µs)."""
    times: dict[str, list[float]] = {"start": [], "save": []}
    start_path = f"/activities/quizzes/{quiz_id}/start/"
    for line in log.read_text().splitlines() if log.exists() else []:
        method, path, status, micros = line.split()
        if method != "POST":
            continue
        if path == start_path and status == "302":
            times["start"].append(int(micros) / 1000)
        elif path.endswith("/answer/") and status == "200":
            times["save"].append(int(micros) / 1000)
    return times


def main() -> None:
    import http.client
    import urllib.parse

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from activities.models import Answer, Attempt
    from activities.services.quiz import attempts_close_overdue
    from benchmarks.bench_desk import free_port, gunicorn_start
    from circulation.models import Reader

    call_command("migrate", verbosity=0)
    pupils = int(os.environ.get("BENCH_PUPILS", "600"))
    questions = int(os.environ.get("BENCH_QUESTIONS", "20"))
    every = float(os.environ.get("BENCH_EVERY", "10"))
    spread = float(os.environ.get("BENCH_START_SPREAD", "60"))
    minutes = int(os.environ.get("BENCH_MINUTES", "2"))
    workers = int(os.environ.get("BENCH_WORKERS", "4"))
    threads = int(os.environ.get("BENCH_THREADS", "4"))
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"Database: {vendor} {settings.DATABASES['default'].get('NAME')}; {os.cpu_count()} cores.")
    started = time.perf_counter()
    pupils_ensure(pupils)
    quiz, bank = quiz_make(questions, minutes)
    by_id = {question.pk: question for question in bank}
    readers = list(
        Reader.objects.filter(number__startswith="BQ").select_related("user").order_by("number")[:pupils]
    )
    sessions = []
    for reader in readers:
        client = Client()
        client.force_login(reader.user)
        sessions.append(client.cookies["sessionid"].value)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(
        f"Data ready in {time.perf_counter() - started:.0f} s: {pupils} pupils of grade 5, a quiz of {questions} questions, {minutes} min."
    )
    connections.close_all()
    port = free_port()
    # The server's own time per request (from its worker taking the request to the response
    # written, without the wait for a free thread), in its access log: the load generator runs
    # on the same cores, so the times the clients measure include their own share of the CPU.
    access_log = Path(settings.VAR_DIR) / "bench_quiz_access.log"
    access_log.unlink(missing_ok=True)
    server = gunicorn_start(
        port,
        workers,
        "gthread",
        threads,
        ("--access-logfile", str(access_log), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"),
    )
    starts, saves, failures = [], [], []
    acknowledged: dict[tuple[int, int], tuple] = {}
    refused_at_deadline = []
    lock = threading.Lock()
    warm_up = float(os.environ.get("BENCH_WARM_UP", "60"))
    begin = time.time() + warm_up + 10

    def pupil(index: int, session: str):
        try:
            pupil_steps(index, session)
        except ConnectionError as error:
            with lock:
                failures.append(str(error))

    def pupil_steps(index: int, session: str):
        rng = random.Random(index)
        behaviour = "submit" if index % 10 < 5 else "until_refused" if index % 10 < 8 else "abandon"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        cookies = {"sessionid": session}

        def request(method, path, body=None, headers=None):
            headers = dict(headers or {})
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in cookies.items())
            data = urllib.parse.urlencode(body) if body is not None else None
            if data is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            for _try in range(2):
                try:
                    connection.request(method, path, body=data, headers=headers)
                    response = connection.getresponse()
                    break
                except (http.client.HTTPException, OSError):  # a dropped connection or a timeout
                    connection.close()
            else:
                raise ConnectionError(f"{method} {path}: no answer")
            payload = response.read().decode()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _sep, rest = value.partition("=")
                    cookies[name.strip()] = rest.split(";", 1)[0]
                if header.lower() == "location":
                    response.location = value
            return response, payload

        # The pupils open the quiz page in the minute before it starts (not all in the same
        # instant: that is a page load, not what is measured).
        time.sleep(index * warm_up / max(1, pupils))
        response, page = request("GET", "/activities/quizzes/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if response.status != 200 or token is None:
            with lock:
                failures.append(f"list {response.status}")
            return
        headers = {"X-CSRFToken": cookies.get("csrftoken", ""), "Referer": f"http://127.0.0.1:{port}/"}
        time.sleep(max(0, begin - time.time()) + rng.uniform(0, spread))
        t0 = time.perf_counter()
        response, _page = request(
            "POST", f"/activities/quizzes/{quiz.pk}/start/", {"csrfmiddlewaretoken": token.group(1)}, headers
        )
        elapsed = (time.perf_counter() - t0) * 1000
        location = getattr(response, "location", "")
        match = re.search(r"/attempts/(\d+)/", location)
        if response.status != 302 or match is None:
            with lock:
                failures.append(f"start {response.status} {location}")
            return
        with lock:
            starts.append(elapsed)
        attempt_id = int(match.group(1))
        limit = time.time() + minutes * 60
        stop_at = {
            "submit": limit - rng.uniform(5, 30),
            "until_refused": limit + 30,
            "abandon": limit - minutes * 30,
        }[behaviour]
        order = [question.pk for question in bank]
        rng.shuffle(order)
        step = 0
        while time.time() < stop_at:
            time.sleep(max(0, rng.uniform(every * 0.7, every * 1.3)))
            if time.time() >= stop_at:
                break
            question_id = order[step % len(order)]
            step += 1
            values, many = value_for(by_id[question_id], rng)
            body = [("question", str(question_id))] + ([("many", "1")] if many else [])
            body += [("value", value) for value in values]
            t0 = time.perf_counter()
            response, answer = request("POST", f"/activities/attempts/{attempt_id}/answer/", body, headers)
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                if response.status == 200:
                    saves.append(elapsed)
                    acknowledged[(attempt_id, question_id)] = tuple(
                        value for key, value in body if key == "value"
                    )
                elif response.status == 409:
                    refused_at_deadline.append(attempt_id)
                    break
                else:
                    failures.append(f"save {response.status} {answer[:80]}")
        if behaviour == "submit":
            response, _page = request(
                "POST",
                f"/activities/attempts/{attempt_id}/submit/",
                {"csrfmiddlewaretoken": token.group(1)},
                headers,
            )
            if response.status != 302:
                with lock:
                    failures.append(f"submit {response.status}")

    done = threading.Event()
    beat_closed = []

    def beat():
        while not done.wait(15):
            beat_closed.append(attempts_close_overdue(quiz=quiz))
        connections.close_all()

    beat_thread = threading.Thread(target=beat)
    beat_thread.start()
    try:
        pool = [
            threading.Thread(target=pupil, args=(index, session)) for index, session in enumerate(sessions)
        ]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        # The last laptops closed: wait past every deadline, then one more beat.
        last = (
            Attempt.objects.filter(quiz=quiz).order_by("-deadline").values_list("deadline", flat=True).first()
        )
        from django.utils import timezone

        if last:
            time.sleep(max(0, (last - timezone.now()).total_seconds()) + 1)
    finally:
        done.set()
        beat_thread.join()
        # The server finishes the requests it holds before the last beat, whose attempts it
        # would otherwise skip as locked.
        server.terminate()
        server.wait(timeout=60)
    beat_closed.append(attempts_close_overdue(quiz=quiz))
    attempts = list(Attempt.objects.filter(quiz=quiz))
    answers = {
        (row[0], row[1]): row[2]
        for row in Answer.objects.filter(attempt__quiz=quiz).values_list(
            "attempt_id", "question_id", "response"
        )
    }
    rows = Answer.objects.filter(attempt__quiz=quiz).count()
    from django.db.models import Count

    duplicated = sum(
        row["n"] - 1
        for row in Answer.objects.filter(attempt__quiz=quiz)
        .values("attempt_id", "question_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    lost = 0
    orders = {attempt.pk: attempt.option_orders for attempt in attempts}
    for (attempt_id, question_id), values in acknowledged.items():
        stored = answers.get((attempt_id, question_id))
        question = by_id[question_id]
        if question.kind in ("single", "multiple"):
            order = orders[attempt_id].get(str(question_id))
            expected = sorted({order[int(value)] for value in values})
        elif question.kind == "true_false":
            expected = [values[0] == "true"]
        else:
            expected = [values[0].strip()] if values and values[0].strip() else []
        if stored is None or list(stored) != expected:
            lost += 1
    timed_out = [attempt for attempt in attempts if attempt.state == Attempt.State.TIMED_OUT]
    at_deadline = sum(1 for attempt in timed_out if attempt.closed_at == attempt.deadline)
    still_open = sum(1 for attempt in attempts if attempt.state == Attempt.State.OPEN)
    graded = sum(1 for attempt in attempts if attempt.score is not None)
    print(
        f"Starts: {len(starts)} of {pupils} pupils within {spread:.0f} s, gunicorn {workers} gthread workers × {threads} threads: "
        f"p50 {percentile(starts, 0.5):.1f} ms, p95 {percentile(starts, 0.95):.1f} ms, max {max(starts or [0]):.1f} ms."
    )
    print(
        f"Answer saves: {len(saves)} (one per pupil about every {every:.0f} s): p50 {percentile(saves, 0.5):.1f} ms, "
        f"p95 {percentile(saves, 0.95):.1f} ms, max {max(saves or [0]):.1f} ms; {len(failures)} failed requests"
        f"{f' ({failures[0]})' if failures else ''}."
    )
    served = server_times(access_log, quiz.pk)
    print(
        f"Server's own time (gunicorn access log): start p50 {percentile(served['start'], 0.5):.1f} ms, "
        f"p95 {percentile(served['start'], 0.95):.1f} ms ({len(served['start'])}); save p50 "
        f"{percentile(served['save'], 0.5):.1f} ms, p95 {percentile(served['save'], 0.95):.1f} ms ({len(served['save'])})."
    )
    print(
        f"Answers: {len(acknowledged)} acknowledged (last value per attempt and question), {rows} rows kept; "
        f"lost {lost}, duplicated {duplicated}."
    )
    print(
        f"Attempts: {len(attempts)}; handed in {sum(1 for a in attempts if a.state == Attempt.State.SUBMITTED)}; "
        f"closed at the deadline {len(timed_out)} ({at_deadline} with closed_at = deadline; "
        f"{len(timed_out) - sum(beat_closed)} by a request, {sum(beat_closed)} by the beat service; "
        f"{len(set(refused_at_deadline))} pupils refused a late answer with 409); "
        f"still open {still_open}; graded {graded}."
    )


if __name__ == "__main__":
    main()
