from django.conf import settings

from .navigation import menu_for


def navigation(request):
    """The menu, the school's name, and the language switch's choices, each named in its own
    language (中文, English) whatever the page's language."""
    user = getattr(request, "user", None)
    context = {"school_name": settings.SCHOOL_NAME, "interface_languages": settings.LANGUAGES}
    if user is not None:
        match = getattr(request, "resolver_match", None)
        context["menu"] = menu_for(user)
        context["current_url_name"] = match.view_name if match else ""
    return context
