"""The shared guard of the state tables, and the school calendar's rules."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import models
from django.utils import translation

from library_site.school import TERM_AUTUMN, TERM_SPRING, school_year_of, school_year_start, term_planned
from library_site.states import Move, StateTable


class Light(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class Refused(Exception):
    pass


LIGHTS = StateTable(
    "light",
    [
        Move(Light.RED, Light.GREEN, "go"),
        Move(Light.GREEN, Light.AMBER, "slow"),
        Move(Light.AMBER, Light.RED),
    ],
    choices=Light,
    refused=Refused,
)


def test_a_move_in_the_table_is_returned_with_its_reason():
    assert LIGHTS.check(Light.RED, Light.GREEN).why == "go"
    assert LIGHTS.targets(Light.GREEN) == {"amber"}


def test_a_move_not_in_the_table_is_refused_with_both_states_named():
    with translation.override("en"), pytest.raises(Refused) as refused:
        LIGHTS.check(Light.RED, Light.AMBER)
    assert str(refused.value) == "It is “Red” and cannot become “Amber”."
    with translation.override("zh-hans"), pytest.raises(Refused) as refused:
        LIGHTS.check(Light.RED, Light.AMBER)
    assert str(refused.value) == "状态为“Red”，不能改为“Amber”。"


def test_one_refused_row_refuses_them_all():
    with pytest.raises(Refused):
        LIGHTS.check_all([Light.RED, Light.AMBER, Light.RED], Light.RED)
    LIGHTS.check_all([Light.AMBER], Light.RED)


def test_the_refused_moves_are_every_other_pair():
    assert set(LIGHTS.refused_moves()) == {("red", "amber"), ("green", "red"), ("amber", "green")}


def test_a_table_refuses_a_move_twice_or_an_unknown_state():
    with pytest.raises(ValueError, match="twice"):
        StateTable("x", [Move("red", "green"), Move("red", "green")], choices=Light, refused=Refused)
    with pytest.raises(ValueError, match="blue"):
        StateTable("x", [Move("red", "blue")], choices=Light, refused=Refused)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 8, 31), 2025),
        (date(2026, 9, 1), 2026),
        (date(2027, 1, 20), 2026),
        (date(2027, 7, 1), 2026),
    ],
)
def test_a_day_belongs_to_the_school_year_that_began_before_it_in_september(day, year):
    assert school_year_of(day) == year
    assert school_year_start(year) <= day


@pytest.mark.parametrize(
    ("day", "planned"),
    [
        (date(2026, 1, 15), (2025, TERM_AUTUMN)),
        (date(2026, 2, 1), (2025, TERM_SPRING)),
        (date(2026, 7, 31), (2025, TERM_SPRING)),
        (date(2026, 8, 1), (2026, TERM_AUTUMN)),
        (date(2026, 12, 31), (2026, TERM_AUTUMN)),
    ],
)
def test_the_term_planned_is_the_term_under_way_or_the_autumn_about_to_begin(day, planned):
    assert term_planned(day) == planned


def test_the_school_year_can_begin_in_another_month(settings):
    settings.SCHOOL_YEAR_START_MONTH = 3
    assert school_year_of(date(2026, 2, 28)) == 2025
    assert school_year_of(date(2026, 3, 1)) == 2026
    assert term_planned(date(2026, 2, 10)) == (2026, TERM_AUTUMN)


def test_a_call_may_raise_its_own_refusal_with_its_own_text():
    class UndoRefused(Exception):
        pass

    with pytest.raises(UndoRefused) as refused:
        LIGHTS.check(Light.GREEN, Light.RED, refused=UndoRefused, message="No: %(current)s → %(wanted)s")
    assert str(refused.value) == "No: Green → Red"
    with pytest.raises(UndoRefused):
        LIGHTS.check_all([Light.RED, Light.GREEN], Light.RED, refused=UndoRefused)
