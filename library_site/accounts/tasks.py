from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(name="library_site.accounts.tasks.clear_expired_sessions_task", bind=True)
def clear_expired_sessions_task(self, param: str | None = None, job_run_id: int | None = None) -> None:
    """Remove expired sessions, which Django keeps until told. Safe to run twice."""
    from library_site.system.jobs import job_run

    with job_run("clear_sessions", run_id=job_run_id, task_id=self.request.id):
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
