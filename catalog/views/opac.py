"""The public catalogue (OPAC): search, a record with its copies, new arrivals, browsing by
class, and the OpenSearch description for browsers' search bars."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render

from catalog.forms.opac import SearchForm
from catalog.models import CatalogSettings
from catalog.registries import record_page_sections
from catalog.selectors.opac import OPAC_COUNT_LIMIT, class_path, classification_browse, records_search
from catalog.selectors.records import record_detail


def opac_access(view):
    """Open to anonymous visitors when the administrator allows it, to signed-in people always."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated and not CatalogSettings.current().opac_public:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


@opac_access
def search(request):
    form = SearchForm(request.GET or None)
    filters = form.filters()
    result = records_search(filters, count_limit=OPAC_COUNT_LIMIT)
    context = {"form": form, "filters": filters, "result": result}
    if request.htmx and not request.htmx.boosted:
        return render(request, "catalog/_opac_results.html", context)
    return render(request, "catalog/opac_search.html", context)


@opac_access
def new_arrivals(request):
    form = SearchForm(request.GET or None)
    filters = form.filters()
    filters.sort = "new"
    result = records_search(filters, count_limit=OPAC_COUNT_LIMIT)
    return render(request, "catalog/opac_new.html", {"form": form, "filters": filters, "result": result})


@opac_access
def record(request, pk: int):
    found = record_detail(pk)
    if found is None:
        raise Http404
    return render(
        request,
        "catalog/record_detail.html",
        {
            "record": found,
            "class_path": class_path(found.classification),
            "sections": record_page_sections(request, found),
        },
    )


@opac_access
def classes(request, code: str | None = None):
    current, rows = classification_browse(code)
    if code and current is None:
        raise Http404
    return render(request, "catalog/opac_classes.html", {"current": current, "rows": rows})


def opensearch(request):
    return render(
        request,
        "catalog/opensearch.xml",
        {"search_url": request.build_absolute_uri("/opac/")},
        content_type="application/opensearchdescription+xml",
    )
