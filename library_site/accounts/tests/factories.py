from __future__ import annotations

import factory

from library_site.accounts.models import User
from library_site.accounts.roles import Role
from library_site.accounts.services import user_set_roles

PASSWORD = "correct-horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    """An account. ``roles=[Role.LIBRARIAN]`` gives it roles through the real service."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:04d}")
    full_name = factory.Faker("name", locale="zh_CN")
    email = factory.LazyAttribute(lambda user: f"{user.username}@school.example")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            user_set_roles(user=self, roles=extracted)


def user_with_role(role: Role, **kwargs) -> User:
    return UserFactory(roles=[role], **kwargs)
