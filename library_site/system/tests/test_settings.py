"""Settings come from the environment; checked in fresh processes, as a server starts."""

import json
import stat
import subprocess
import sys

from django.conf import settings

from library_site.testing import subprocess_env

PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "d = s.DATABASES['default']; "
    "print(json.dumps({'key': s.SECRET_KEY, 'engine': d['ENGINE'], 'name': d['NAME'], "
    "'age': d['CONN_MAX_AGE'], 'health': d['CONN_HEALTH_CHECKS'], 'broker': s.CELERY_BROKER_URL, "
    "'language': s.LANGUAGE_CODE, 'zone': s.TIME_ZONE, 'debug': s.DEBUG}))"
)


def run_settings(var_dir, **environment):
    env = subprocess_env(
        drop={"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}, LIBRARY_VAR_DIR=str(var_dir), **environment
    )
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_variables_the_embedded_defaults_apply_and_a_secret_key_is_generated(tmp_path):
    first = run_settings(tmp_path)
    assert first["engine"] == "django.db.backends.sqlite3"
    assert first["name"] == str(tmp_path / "library.sqlite3")
    assert first["broker"] == "filesystem://localhost//"
    assert first["language"] == "zh-hans"
    assert first["zone"] == "Asia/Shanghai"
    assert first["debug"] is False
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == first["key"]
    assert len(first["key"]) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # The same machine keeps its key; another machine gets another.
    assert run_settings(tmp_path)["key"] == first["key"]
    assert run_settings(tmp_path / "elsewhere")["key"] != first["key"]


def test_database_url_selects_postgresql_with_persistent_checked_connections(tmp_path):
    found = run_settings(
        tmp_path,
        DATABASE_URL="postgres://library:secret@db.school.internal:5432/library",
        REDIS_URL="redis://cache.school.internal:6379/0",
        SECRET_KEY="k" * 10 + "from-the-environment" + "z" * 30,
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "library"
    assert found["age"] == 600
    assert found["health"] is True
    assert found["broker"] == "redis://cache.school.internal:6379/0"
    assert found["key"].startswith("kkkkkkkkkkfrom-the-environment")
    assert not (tmp_path / "secret_key").exists()


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    env = subprocess_env(
        LIBRARY_VAR_DIR=str(tmp_path), DEBUG="false", HTTPS="true", ALLOWED_HOSTS="library.school.example"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
