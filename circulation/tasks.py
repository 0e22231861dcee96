"""Background jobs of circulation."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="circulation.tasks.anonymise_leavers_task", ignore_result=True)
def anonymise_leavers_task() -> int:
    """Nightly: detach the closed loans of readers who left long enough ago (the settings'
    period; nothing when it is 0). Safe to run any number of times."""
    from .services import loans_anonymise

    result = loans_anonymise()
    if result.loans:
        logger.info(
            "Anonymised %s loans of %s leavers (left on or before %s).",
            result.loans,
            result.readers,
            result.cutoff,
        )
    return result.loans
