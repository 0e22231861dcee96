"""The Content-Security-Policy header, on every response that does not set its own.

Django 5.2 has none built in; this small middleware writes the policy of the setting
``CONTENT_SECURITY_POLICY`` (a dict of directive → sources). What the pages need, measured over
templates/ and static/js/: scripts only from the site itself (the vendored Bootstrap, htmx and
Chart.js, the site's own files and Django's JavaScript catalogue; no inline script or handler
anywhere: behaviour is named by data attributes in static/js/library.js); styles from the site
plus inline ``style`` attributes (progress bars' widths, the label sheet's grid) and htmx's
indicator style, hence ``'unsafe-inline'`` for styles only; images from the site and ``data:``
(Bootstrap's form controls draw their arrows and ticks with data-URI SVGs); fonts from the
site (Bootstrap Icons); htmx asks only the site.
"""

from __future__ import annotations

from django.conf import settings

HEADER = "Content-Security-Policy"


def policy_text(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{directive} {' '.join(sources)}".strip() for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy_text(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and HEADER not in response.headers:
            response.headers[HEADER] = self.header
        return response
