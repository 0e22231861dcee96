"""The library's locations: a class's book corner gets one of its own when the class first has
a corner (issue 18), so that every copy's location says where it stands."""

from __future__ import annotations

from django.db import transaction

from catalog.models import Location


@transaction.atomic
def class_corner_location_get_or_create(*, name: str) -> Location:
    """The class-corner location of this name, made (in use, after the library's rooms) when
    there is none."""
    location, _created = Location.objects.get_or_create(
        name=name[:100], defaults={"kind": Location.Kind.CLASS_CORNER, "position": 900}
    )
    return location
