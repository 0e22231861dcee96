from django import template

from catalog.isbn import isbn_hyphenate

register = template.Library()


@register.filter
def isbn(value: str) -> str:
    """978-7-02-000220-7 from 9787020002207."""
    return isbn_hyphenate(value)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters changed (for paging and sorting links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    if "page" not in changes:
        query.pop("page", None)
    return query.urlencode()
