"""The Celery application: configured from Django's settings (the CELERY_* names), tasks
discovered in every installed app, the beat schedule in settings.CELERY_BEAT_SCHEDULE."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")

app = Celery("library_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
