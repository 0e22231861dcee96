from __future__ import annotations

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Chinese unless the person chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language header, so a school
    computer set up in English would greet every pupil in English. Here the interface language is
    the one chosen with the switch (kept in the language cookie), and Chinese otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary = response.headers.get("Vary", "")
        if "Cookie" not in patch_vary:
            response.headers["Vary"] = f"{patch_vary}, Cookie" if patch_vary else "Cookie"
        return response


class PasswordChangeRequiredMiddleware:
    """Someone signed in with a first password (``User.password_change_required``) reaches only
    the password change, the sign-out and the language switch until they have chosen their
    own: every other page, GET or POST, htmx or not, leads to the password change and does
    nothing."""

    ALLOWED_NAMES = {"accounts:password-change", "accounts:logout", "accounts:login", "set_language"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "password_change_required", False):
            answer = self._refusal(request)
            if answer is not None:
                return answer
        return self.get_response(request)

    def _refusal(self, request):
        from django.http import HttpResponse
        from django.shortcuts import redirect
        from django.urls import Resolver404, resolve, reverse

        path = request.path_info
        prefixes = tuple(
            "/" + (prefix or "").lstrip("/") for prefix in (settings.STATIC_URL, settings.MEDIA_URL)
        )
        if path.startswith(prefixes):
            return None
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if match.view_name in self.ALLOWED_NAMES or match.view_name in {"healthz", "javascript-catalog"}:
            return None
        target = reverse("accounts:password-change")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
