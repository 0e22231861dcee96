"""Failed sign-ins counted per account whatever identifier was typed, and per address; the
client's address only from trusted hops; a librarian lifts a pause; the password change is
throttled by the same counter (issue 13, points 1 and 2)."""

import pytest
from django.urls import reverse

from circulation.tests.factories import ReaderFactory
from library_site.accounts.roles import Role
from library_site.accounts.signin import client_address

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def login(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in(client):
    return client.get(reverse("home")).wsgi_request.user.is_authenticated


class FakeRequest:
    def __init__(self, remote, forwarded=None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


def test_the_client_address_is_the_rightmost_entry_not_vouched_for_by_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # nginx appends the address it saw; what the client wrote before it does not count.
    assert client_address(FakeRequest("127.0.0.1", "6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert client_address(FakeRequest("127.0.0.1", "203.0.113.9")) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(FakeRequest("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"
    # Fewer hops than trusted proxies, or rubbish: the nearest peer, never the header's text.
    assert client_address(FakeRequest("127.0.0.1", "203.0.113.9")) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(FakeRequest("127.0.0.1", "6.6.6.6, not-an-address")) == "127.0.0.1"
    assert client_address(FakeRequest("127.0.0.1", "")) == "127.0.0.1"


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(FakeRequest("198.51.100.4", "6.6.6.6")) == "198.51.100.4"


def test_a_spoofed_forwarded_header_does_not_escape_the_count(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    ReaderFactory(number="2026030105")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "2026030105", "guess", HTTP_X_FORWARDED_FOR=f"10.9.9.{attempt}, 203.0.113.9")
    response = login(client, "2026030105", HTTP_X_FORWARDED_FOR="10.9.9.99, 203.0.113.9")
    assert response.status_code == 429
    assert not signed_in(client)


def test_failures_under_every_identifier_of_a_pupil_share_one_counter(client, settings):
    reader = ReaderFactory(number="2026030105", card_number="R0000077")
    typed = ["2026030105", "R0000077", "r0000077", "Ｒ０００００７７", reader.user.username]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, typed[attempt % len(typed)], "guess")
    for identifier in typed:
        response = login(client, identifier)  # the right password
        assert response.status_code == 429, identifier
        assert not signed_in(client)


def test_a_pause_on_one_pupil_leaves_a_classmate_free(client, settings):
    ReaderFactory(number="2026030105")
    classmate = ReaderFactory(number="2026030106")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "2026030105", "guess")
    login(client, "2026030106")
    assert client.get(reverse("home")).wsgi_request.user == classmate.user


def test_failures_over_many_accounts_from_one_address_pause_that_address(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    readers = [ReaderFactory(number=f"20260301{index:02d}") for index in range(5)]
    for attempt in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        # Fewer than the per-account limit on each account.
        assert login(client, readers[attempt % 5].number, "guess").status_code == 200
    response = login(client, readers[0].number)  # the right password, from the paused address
    assert response.status_code == 429
    assert not signed_in(client)
    other = client.__class__(REMOTE_ADDR="198.51.100.7")
    login(other, readers[0].number)
    assert signed_in(other)


def test_a_librarian_lifts_an_accounts_pause_and_the_pupil_signs_in(client, settings):
    reader = ReaderFactory(number="2026030105", card_number="R0000077")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "R0000077", "guess")
    assert login(client, "2026030105").status_code == 429
    librarian = UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    desk = client.__class__()
    desk.force_login(librarian)
    page = desk.get(reverse("accounts:login-lockouts")).content.decode()
    assert reader.user.username in page
    response = desk.post(reverse("accounts:login-lockouts"), {"account": reader.user.username}, follow=True)
    assert "可以再次登录" in response.content.decode()
    assert reader.user.username not in desk.get(reverse("accounts:login-lockouts")).content.decode()
    login(client, "2026030105")
    assert signed_in(client)


def test_a_pupil_or_a_volunteer_cannot_lift_a_pause(client, settings):
    reader = ReaderFactory(number="2026030105")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "2026030105", "guess")
    volunteer = ReaderFactory(number="2026030199", extra_roles=(Role.VOLUNTEER,)).user
    other = client.__class__()
    other.force_login(volunteer)
    assert (
        other.post(reverse("accounts:login-lockouts"), {"account": reader.user.username}).status_code == 403
    )
    assert login(client, "2026030105").status_code == 429


def test_lifting_nothing_says_so(client):
    client.force_login(UserFactory(username="wanglib", roles=[Role.LIBRARIAN]))
    response = client.post(reverse("accounts:login-lockouts"), {"account": "nobody"}, follow=True)
    assert "没有被暂停" in response.content.decode()


def test_wrong_current_passwords_in_the_password_change_are_throttled(client, settings):
    user = UserFactory(username="wanglib")
    client.force_login(user)
    url = reverse("accounts:password-change")
    new = {"new_password1": "Lib-Secret-2031", "new_password2": "Lib-Secret-2031"}
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"old_password": "guess", **new}).status_code == 200
    client.post(url, {"old_password": "guess", **new})
    # Paused now, even with the right current password; and the sign-in is paused too.
    response = client.post(url, {"old_password": PASSWORD, **new})
    assert response.status_code in (200, 429)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert login(client.__class__(), "wanglib").status_code == 429
