from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(name="library_site.accounts.tasks.clear_expired_sessions_task")
def clear_expired_sessions_task() -> None:
    """Remove expired sessions, which Django keeps until told. Safe to run twice."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
