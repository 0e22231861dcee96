"""Background jobs of the reading activities."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="activities.tasks.compute_recommendations_task", bind=True, ignore_result=True)
def compute_recommendations_task(self, param: str | None = None, job_run_id: int | None = None) -> int:
    """Nightly: the co-borrowing counts and each grade's popular titles, replaced per grade (safe
    to run any number of times)."""
    from library_site.system.jobs import job_run

    from .services.recommendations import recommendations_compute

    with job_run("compute_recommendations", run_id=job_run_id, task_id=self.request.id) as run:
        result = recommendations_compute()
        run.result = {"grades": result.grades, "pairs": result.pairs, "popular": result.popular}
    return result.pairs


@shared_task(name="activities.tasks.close_overdue_attempts_task", bind=True, ignore_result=True)
def close_overdue_attempts_task(self, param: str | None = None, job_run_id: int | None = None) -> int:
    """Every minute: close and grade, at its deadline, each quiz attempt whose time ran out (a
    pupil who closed the laptop is counted). Safe to run twice, and beside the requests."""
    from library_site.system.jobs import job_run

    from .services.quiz import attempts_close_overdue

    with job_run("close_overdue_attempts", run_id=job_run_id, task_id=self.request.id) as run:
        closed = attempts_close_overdue()
        run.result = {"closed": closed}
    return closed


@shared_task(name="activities.tasks.mark_missed_shifts_task", bind=True, ignore_result=True)
def mark_missed_shifts_task(self, param: str | None = None, job_run_id: int | None = None) -> dict:
    """Every 30 minutes: the service team's shifts that were over with nobody checked in are
    marked missed (today's and yesterday's; ``param`` names one day, YYYY-MM-DD). Safe to run
    twice, and beside the door's and the desk's check-ins."""
    from datetime import date

    from library_site.system.jobs import job_run

    from .services.team import shifts_mark_missed_scheduled

    with job_run("mark_missed_shifts", run_id=job_run_id, task_id=self.request.id, param=param) as run:
        run.result = shifts_mark_missed_scheduled(day=date.fromisoformat(param) if param else None)
    return run.result
