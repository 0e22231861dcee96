"""The home-page registry (home.py): each app registers its pages, and "/" shows a person the
first one, by order, that they may have."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.urls import reverse

from library_site.accounts import home
from library_site.accounts.home import HomePage, home_page_for, home_register
from library_site.accounts.roles import Capability, Role

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_each_role_gets_the_first_page_it_may_have_by_order():
    assert home_page_for(UserFactory(roles=[Role.LIBRARIAN])).key == "desk"
    assert home_page_for(UserFactory(roles=[Role.LEADER])).key == "leader-home"  # reports' page
    assert home_page_for(UserFactory(roles=[Role.STUDENT])).key == "my-library"
    assert home_page_for(UserFactory()).key == "my-library"


def test_an_app_registers_a_page_that_comes_first_for_whom_it_is(client, monkeypatch):
    monkeypatch.setattr(home, "_pages", dict(home._pages))
    home_register(
        HomePage(
            key="test-corner",
            view=lambda request: HttpResponse("the corner"),
            order=50,
            capability=Capability.MANAGE_ACTIVITIES,
            visible=lambda user: user.username.startswith("corner"),
        )
    )
    librarian = UserFactory(roles=[Role.LIBRARIAN], username="corner-keeper")
    client.force_login(librarian)
    assert client.get(reverse("home")).content == b"the corner"
    assert home_page_for(UserFactory(roles=[Role.LIBRARIAN])).key == "desk"  # the test fails


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert home_page_for(AnonymousUser()) is None
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
