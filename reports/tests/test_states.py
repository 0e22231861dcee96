"""The state table of a register file's job: every move not in the table is refused by its
guard, and every move in it is made by the service that makes it."""

from __future__ import annotations

from datetime import date

import pytest

from reports import register_files
from reports.exceptions import RegisterJobRefused
from reports.selectors.register_jobs import RegisterJob, register_job_state
from reports.services.registers import register_export_run
from reports.states import REGISTER_JOB_STATES

pytestmark = pytest.mark.django_db
State = RegisterJob.State


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def a_job(letter: str = "A") -> str:
    """A register job as the page leaves it for the worker: asked for, nothing made yet."""
    job_id = register_files.job_id_for(user_id=1, token="t", request={"letter": letter})
    query = {
        "letter": letter,
        "date_from": date(2026, 9, 1).isoformat(),
        "date_to": date(2027, 1, 31).isoformat(),
        "room": None,
        "grade": None,
        "school_class": None,
        "reader_kind": "",
    }
    meta = {"query": query, "format": "csv", "language": "en", "user_id": 1, "total": 0}
    assert register_files.job_create(job_id, meta)
    return job_id


def test_the_table_names_its_moves_and_refuses_every_other():
    assert {(move.source, move.target) for move in REGISTER_JOB_STATES} == {
        (State.MAKING, State.MADE),
        (State.MAKING, State.FAILED),
    }
    refused = REGISTER_JOB_STATES.refused_moves()
    assert len(refused) == 4
    for source, target in refused:
        with pytest.raises(RegisterJobRefused) as error:
            REGISTER_JOB_STATES.check(source, target)
        assert str(State(source).label) in error.value.message


def test_a_job_being_made_becomes_ready_through_the_export():
    job_id = a_job()
    assert register_job_state(job_id) == State.MAKING
    register_export_run(job_id)
    assert register_job_state(job_id) == State.MADE
    assert register_files.job_result(job_id)["ok"] is True


def test_a_job_being_made_becomes_failed_through_the_export_when_an_error_stops_it():
    job_id = a_job(letter="Z")  # no such register: the export stops with an error
    with pytest.raises(Exception, match="There is no register Z"):
        register_export_run(job_id)
    assert register_job_state(job_id) == State.FAILED
    assert register_files.job_result(job_id)["ok"] is False


def test_a_job_that_has_ended_is_not_made_again():
    job_id = a_job()
    register_export_run(job_id)
    ended = register_files.job_result(job_id)
    register_export_run(job_id)
    assert register_files.job_result(job_id) == ended
    for target in (State.MAKING, State.FAILED):
        with pytest.raises(RegisterJobRefused):
            REGISTER_JOB_STATES.check(register_job_state(job_id), target)
