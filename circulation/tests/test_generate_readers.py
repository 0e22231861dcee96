"""Readers for trials and benchmarks come from circulation's own generator (moved from the
catalogue's generate_data, whose --readers option made them before: the catalogue imports no
other app)."""

from io import StringIO

import pytest
from django.core.management import call_command

from circulation.models import LibraryCard, Reader

pytestmark = pytest.mark.django_db


def test_it_adds_readers_through_the_circulation_services():
    call_command(
        "generate_school", students=5, teachers=0, grades="1-1", classes=1, seed=1, stdout=StringIO()
    )

    assert Reader.objects.count() == 5
    assert LibraryCard.objects.filter(status=LibraryCard.Status.ACTIVE).count() == 5
