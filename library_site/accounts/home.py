"""The site's home page ("/"), filled by each app, as the menu is (navigation.py).

``accounts`` sits below every other app, so it cannot name their pages. Each app registers, in
its ``AppConfig.ready()``, the home pages it offers: which view, for whom (a capability, and
a further test if any) and with what priority (``order``, lowest first). The router
(``views.home``) shows a signed-in person the first page they may have::

    home_register(HomePage(key="desk", view="circulation.views.desk.desk", order=100,
                           capability=Capability.USE_DESK))

``view`` is the dotted path of a view (imported when first shown) or the view itself; it
renders the page in place, so "/" stays the address. A page with neither a capability nor a
test is everybody's (the reader's own page, last).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import import_string

from .models import User
from .roles import Capability


@dataclass(frozen=True)
class HomePage:
    key: str
    view: str | Callable
    order: int
    capability: Capability | None = None
    # A further test, for pages that depend on the person rather than on a role.
    visible: Callable[[User], bool] | None = None
    _resolved: list = field(default_factory=list, compare=False, repr=False)

    def for_user(self, user: User) -> bool:
        if self.capability is not None and not user.has_perm(self.capability.permission):
            return False
        return self.visible is None or self.visible(user)

    def resolve(self) -> Callable:
        """The view, imported once."""
        if not self._resolved:
            self._resolved.append(import_string(self.view) if isinstance(self.view, str) else self.view)
        return self._resolved[0]


_pages: dict[str, HomePage] = {}


def home_register(page: HomePage) -> None:
    _pages[page.key] = page


def home_page_for(user: User) -> HomePage | None:
    """The home page this signed-in person gets: the first by ``order`` they may have."""
    if not user.is_authenticated:
        return None
    for page in sorted(_pages.values(), key=lambda item: item.order):
        if page.for_user(user):
            return page
    return None
