import pytest
from django.test import Client
from django.urls import reverse

from circulation.services.readers import card_issue
from circulation.tests.factories import ReaderFactory
from library_site.accounts.roles import Role

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def login(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in_user(client):
    return client.get(reverse("home")).wsgi_request.user


def test_login_page_is_in_chinese_by_default_even_for_an_english_browser(client):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    page = response.content.decode()
    assert "登录" in page
    assert 'lang="zh-hans"' in page


def test_sign_in_with_user_name(client):
    user = UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    response = login(client, "wanglib")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user(client) == user


def test_sign_in_with_student_number(client):
    reader = ReaderFactory(number="2026030105")
    login(client, "2026030105")
    assert signed_in_user(client) == reader.user


def test_sign_in_with_card_number_typed_in_full_width_digits(client):
    reader = ReaderFactory(card_number="R0000077")
    login(client, "Ｒ０００００７７")
    assert signed_in_user(client) == reader.user


def test_wrong_password_gives_a_clear_message_and_no_session(client):
    ReaderFactory(number="2026030105")
    response = login(client, "2026030105", "wrong-password")
    assert response.status_code == 200
    assert "密码不匹配" in response.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_a_replaced_card_no_longer_signs_in_and_its_owner_is_told_why(client):
    reader = ReaderFactory(card_number="R0000001")
    card_issue(reader=reader, number="R0000002")
    response = login(client, "R0000001")
    assert not signed_in_user(client).is_authenticated
    assert "R0000001" in response.content.decode()
    assert "已失效" in response.content.decode()
    login(client, "R0000002")
    assert signed_in_user(client) == reader.user


def test_a_replaced_card_with_a_wrong_password_reveals_nothing(client):
    reader = ReaderFactory(card_number="R0000001")
    card_issue(reader=reader, number="R0000002")
    response = login(client, "R0000001", "wrong-password")
    assert "已失效" not in response.content.decode()
    assert "密码不匹配" in response.content.decode()


def test_a_disabled_account_cannot_sign_in(client):
    user = UserFactory(username="gone")
    user.is_active = False
    user.save()
    login(client, "gone")
    assert not signed_in_user(client).is_authenticated


def test_repeated_failures_lock_that_name_from_that_address_for_a_while(client, settings):
    UserFactory(username="target")
    UserFactory(username="bystander")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "target", "guess").status_code == 200
    assert login(client, "target", "guess").status_code == 429  # the last failure allowed
    locked = login(client, "target")  # even the right password is refused now
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert not signed_in_user(client).is_authenticated
    # A classmate on the same computer (the same address) is not locked out.
    login(client, "bystander")
    assert signed_in_user(client).username == "bystander"


def test_login_form_refuses_a_post_without_csrf_token():
    client = Client(enforce_csrf_checks=True)
    UserFactory(username="wanglib")
    response = login(client, "wanglib")
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_an_empty_or_huge_user_name_is_refused_with_a_message(client):
    response = login(client, "", "")
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    response = login(client, "x" * 5000)
    assert response.status_code == 200
    assert not signed_in_user(client).is_authenticated


def test_sign_out_needs_a_post_and_ends_the_session(client):
    UserFactory(username="wanglib")
    login(client, "wanglib")
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not signed_in_user(client).is_authenticated


def test_password_change_applies_django_validators(client):
    user = UserFactory(username="wanglib")
    client.force_login(user)
    url = reverse("accounts:password-change")
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert "这个密码太常见了" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    response = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": "lantern-river-93", "new_password2": "lantern-river-93"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("lantern-river-93")
