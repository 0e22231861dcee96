"""The Celery application: configured from Django's settings (the CELERY_* names), tasks
discovered in every installed app, the beat schedule in settings.CELERY_BEAT_SCHEDULE."""

import os

from celery import Celery, Task
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")


class LibraryTask(Task):
    """Every task of the project: a passing fault of the database or the network is retried
    with a growing, jittered delay instead of losing the job. Tasks must be safe to run twice."""

    autoretry_for = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
    max_retries = 5
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True


app = Celery("library_site", task_cls=LibraryTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
