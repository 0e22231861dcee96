"""Run the benchmarks: ``python -m benchmarks.run [names...]`` (``make bench``).

Every module ``benchmarks/bench_<name>.py`` with a ``main()`` is a benchmark; name some (``opac``
or ``bench_opac``) to run only those. Before the first one runs, this prepares the benchmark
database once:

- ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/library_bench``) is the
  database; a PostgreSQL one is created when missing (UTF-8, C.UTF-8 character classes, as the
  search indexes need) and migrated. The benchmarks see it as Django's default database.
- It is filled by ``manage.py generate_data`` up to ``BENCH_RECORDS`` records (default 200,000)
  with ``BENCH_COPIES_PER_RECORD`` copies on average (default 2.5) from ``BENCH_SEED`` (default
  1), when it holds fewer; the data are kept for the next run, since generating takes minutes.

Each benchmark prints its own figures; this prints, before each, the database and the data size.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path
from urllib.parse import unquote, urlparse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/library_bench"
HERE = Path(__file__).resolve().parent


def settings_from_environment() -> dict:
    """What the benchmarks run against, from the environment."""
    return {
        "database_url": os.environ.get("BENCH_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
        "records": int(os.environ.get("BENCH_RECORDS", "200000")),
        "copies_per_record": float(os.environ.get("BENCH_COPIES_PER_RECORD", "2.5")),
        "seed": int(os.environ.get("BENCH_SEED", "1")),
    }


def benchmark_names() -> list[str]:
    return sorted(path.stem for path in HERE.glob("bench_*.py"))


def postgres_create_if_missing(url: str) -> None:
    """createdb with the locale the search indexes need, unless the database exists."""
    import psycopg2

    parsed = urlparse(url)
    name = unquote(parsed.path.lstrip("/"))
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5432
    user = unquote(parsed.username) if parsed.username else None
    password = unquote(parsed.password) if parsed.password else None
    server = psycopg2.connect(dbname="postgres", host=host, port=port, user=user, password=password)
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
    finally:
        server.close()
    if exists:
        return
    print(f"Creating the benchmark database {name}…", flush=True)
    environment = dict(os.environ, **({"PGPASSWORD": password} if password else {}))
    command = ["createdb", "-h", host, "-p", str(port), *(["-U", user] if user else [])]
    command += ["-E", "UTF8", "--locale=C.UTF-8", "-T", "template0", name]
    # The operator's own command line and environment, run as they would type it.
    subprocess.run(command, env=environment, check=True)  # noqa: S603


_prepared: dict | None = None


def prepare() -> dict:
    """Point Django at the benchmark database, create, migrate and fill it (once per process)."""
    global _prepared
    if _prepared is not None:
        return _prepared
    settings = settings_from_environment()
    url = settings["database_url"]
    if url.startswith(("postgres://", "postgresql://")):
        postgres_create_if_missing(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")
    root = str(HERE.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from catalog.models import Record

    existing = Record.objects.count()
    if existing < settings["records"]:
        missing = settings["records"] - existing
        print(
            f"The benchmark database holds {existing:,} records; generating {missing:,} more "
            "(kept for the next run)…",
            flush=True,
        )
        call_command(
            "generate_data",
            records=missing,
            copies_per_record=settings["copies_per_record"],
            seed=settings["seed"],
            append=existing > 0,
        )
    _prepared = settings
    return settings


def data_description() -> str:
    """The database and the size of the data, for every benchmark's header."""
    from django.db import connection

    from catalog.models import Copy, Record

    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
        database = f"PostgreSQL {version} ({connection.settings_dict['NAME']})"
    elif vendor == "sqlite":
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"
    else:
        database = vendor
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{database}; {Record.objects.count():,} records, {Copy.objects.count():,} copies; "
        f"{os.cpu_count()} CPUs, load average {load}"
    )


def main(argv: list[str] | None = None) -> int:
    wanted = list(sys.argv[1:] if argv is None else argv)
    available = benchmark_names()
    chosen = []
    for name in wanted:
        module = name if name.startswith("bench_") else f"bench_{name}"
        module = module.removesuffix(".py")
        if module not in available:
            print(f"No benchmark {name!r}. There are: {', '.join(available)}", file=sys.stderr)
            return 2
        chosen.append(module)
    chosen = chosen or available
    prepare()
    failed = []
    for module_name in chosen:
        print(f"\n=== {module_name} === {data_description()}", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{module_name}")
            module.main()
        except Exception:
            traceback.print_exc()
            failed.append(module_name)
        print(f"--- {module_name}: {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
