from __future__ import annotations

import factory

from catalog.models import Location, Record
from catalog.services.copies import copies_add
from catalog.services.records import record_create


def location_default() -> Location:
    return Location.objects.order_by("position").first()


class RecordFactory(factory.Factory):
    """A record made by the real service (search fields, call number and all), with copies
    when ``copies=N`` is given."""

    class Meta:
        model = Record

    title = factory.Sequence(lambda n: f"测试图书{n}")
    authors = ("佚名",)
    clc_code = "I247.5"
    publisher = "人民文学出版社"
    year = 2020
    isbn = ""
    copies = 0

    @classmethod
    def _create(cls, model_class, authors=(), copies=0, **fields):
        record = record_create(fields=fields, contributors=[(name, "author") for name in authors])
        if copies:
            copies_add(record=record, count=copies, location=location_default())
        return record

    @classmethod
    def _build(cls, model_class, **kwargs):
        raise NotImplementedError("records are made by catalog.services.record_create")
