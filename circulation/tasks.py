"""Background jobs of circulation."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="circulation.tasks.anonymise_leavers_task", bind=True, ignore_result=True)
def anonymise_leavers_task(self, param: str | None = None, job_run_id: int | None = None) -> int:
    """Nightly: detach the closed loans of readers who left long enough ago (the settings'
    period; nothing when it is 0). Safe to run any number of times."""
    from library_site.system.jobs import job_run

    from .services import loans_anonymise

    with job_run("anonymise_leavers", run_id=job_run_id, task_id=self.request.id) as run:
        result = loans_anonymise()
        run.result = {"loans": result.loans, "readers": result.readers}
    if result.loans:
        logger.info(
            "Anonymised %s loans of %s leavers (left on or before %s).",
            result.loans,
            result.readers,
            result.cutoff,
        )
    return result.loans
