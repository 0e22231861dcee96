from django import template

from catalog.isbn import isbn_hyphenate
from catalog.models import Copy, PurchasePlan, PurchasePlanEvent, Stocktake, StocktakeScan, WriteOffBatch

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


# --- how a state looks: the badge of each state, decided here (by the model's own TextChoices),
# so that a template never compares state strings ----------------------------------------------

STATE_BADGES = {
    Copy: (
        {
            Copy.Status.AVAILABLE: "text-bg-success",
            Copy.Status.WITHDRAWN: "text-bg-light border",
            Copy.Status.LOST: "text-bg-light border",
        },
        "text-bg-secondary",
    ),
    WriteOffBatch: (
        {
            WriteOffBatch.Status.APPROVED: "text-bg-success",
            WriteOffBatch.Status.SUBMITTED: "text-bg-warning",
            WriteOffBatch.Status.CANCELLED: "text-bg-secondary",
        },
        "text-bg-light border",
    ),
    PurchasePlan: (
        {
            PurchasePlan.Status.APPROVED: "text-bg-success",
            PurchasePlan.Status.REJECTED: "text-bg-danger",
            PurchasePlan.Status.SUBMITTED: "text-bg-warning",
        },
        "text-bg-secondary",
    ),
    Stocktake: (
        {Stocktake.Status.CONFIRMED: "text-bg-success", Stocktake.Status.OPEN: "text-bg-primary"},
        "text-bg-secondary",
    ),
}
EVENT_BORDERS = {
    PurchasePlanEvent.Action.APPROVED: "border-success",
    PurchasePlanEvent.Action.REJECTED: "border-danger",
}
SCAN_ALERTS = {
    StocktakeScan.Outcome.HERE: "alert-success",
    StocktakeScan.Outcome.AGAIN: "alert-secondary",
    StocktakeScan.Outcome.MISPLACED: "alert-warning",
    StocktakeScan.Outcome.ON_LOAN: "alert-warning",
    StocktakeScan.Outcome.STATUS: "alert-warning",
}


@register.filter
def state_badge(item) -> str:
    """The badge classes of a copy's, a write-off batch's, a purchase plan's or a stocktake's
    state."""
    badges, other = STATE_BADGES[type(item)]
    return badges.get(item.status, other)


@register.filter
def event_border(event) -> str:
    """The border of a step in a purchase plan's trail: approvals and rejections stand out."""
    return EVENT_BORDERS.get(event.action, "border-secondary-subtle")


@register.filter
def scan_alert(outcome: str) -> str:
    """The colour of the scanner's answer in a stocktake."""
    return SCAN_ALERTS.get(outcome, "alert-danger")


# --- cover images (issue 19) ---


@register.inclusion_tag("catalog/_cover.html")
def record_cover(record, size="small"):
    """The record's cover (or its placeholder) as an image; ``record`` annotated with
    ``cover_version`` (``Record.objects.with_display()`` is)."""
    from ..covers import cover_info

    info = cover_info(record, size=size)
    return {"record": record, "url": info["url"], "placeholder": info["placeholder"], "size": size}
