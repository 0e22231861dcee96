import pytest
from django.test import Client
from django.urls import path, reverse

from library_site.accounts.tests.factories import UserFactory
from library_site.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken_view), *site_urlpatterns]


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def test_404_page_is_friendly_in_chinese(client):
    response = client.get("/no-such-shelf/")
    assert response.status_code == 404
    assert "此页面不在我们的书架上" in response.content.decode()


def test_404_page_in_english_after_the_switch(client):
    english(client)
    response = client.get("/no-such-shelf/")
    assert response.status_code == 404
    assert "This page is not on our shelves" in response.content.decode()


def test_the_language_switch_keeps_the_choice_and_returns_to_the_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in to the library" in page
    assert 'lang="en"' in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "登录" in client.get("/accounts/login/").content.decode()


def test_an_unknown_language_falls_back_to_chinese(client):
    client.cookies["django_language"] = "xx"
    assert 'lang="zh-hans"' in client.get("/accounts/login/").content.decode()


def test_500_page_is_friendly_in_both_languages(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "我们这边出了问题" in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.get("/broken/")
    assert "Something went wrong on our side" in response.content.decode()


def test_403_page_names_the_missing_right(client):
    client.force_login(UserFactory())
    response = client.get(reverse("system:status"))
    assert response.status_code == 403
    assert "查看系统状态和后台任务" in response.content.decode()
