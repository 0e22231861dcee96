from __future__ import annotations

import factory

from circulation.models import Reader, SchoolClass
from circulation.services.readers import reader_create
from library_site.accounts.tests.factories import PASSWORD


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    grade = 3
    number = factory.Sequence(lambda n: n + 1)


class ReaderFactory(factory.Factory):
    """A reader made by the real service: account, role and active card included."""

    class Meta:
        model = Reader

    kind = Reader.Kind.STUDENT
    number = factory.Sequence(lambda n: f"2026{n:06d}")
    full_name = factory.Faker("name", locale="zh_CN")
    password = PASSWORD
    school_class = factory.LazyAttribute(
        lambda reader: SchoolClassFactory() if reader.kind == Reader.Kind.STUDENT else None
    )

    @classmethod
    def _create(cls, model_class, **kwargs):
        return reader_create(**kwargs)

    @classmethod
    def _build(cls, model_class, **kwargs):
        raise NotImplementedError("readers are made by circulation.services.readers.reader_create")


def copies_of(
    title: str = "草房子", *, count: int = 1, price=None, material_type: str = "book", location=None
):
    """``count`` available copies of a new record, made by the catalogue's services."""
    from catalog.models import Location
    from catalog.services.copies import copies_add
    from catalog.services.records import record_create

    fields = {"title": title, "clc_code": "I287.45", "material_type": material_type}
    if price is not None:
        fields["price"] = price
    record = record_create(fields=fields, contributors=[("曹文轩", "author")])
    location = location or Location.objects.get(kind=Location.Kind.STACKS)
    return copies_add(record=record, count=count, location=location)
