from __future__ import annotations

import factory

from circulation.models import Reader, SchoolClass
from circulation.services import reader_create
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
        raise NotImplementedError("readers are made by circulation.services.reader_create")
