"""Circulation is tested on its own floor: what higher apps register with its registries (the
reading notes' borrowing check, panel line and page section) is set aside for these tests, which
register their own where they test the registries. The activities app tests what it adds."""

import pytest

from circulation.registries import registries_emptied


@pytest.fixture(autouse=True)
def _circulation_on_its_own():
    with registries_emptied():
        yield
