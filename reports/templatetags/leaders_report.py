"""``{% leaders_report_url period %}``: the report to school leaders for the same period as a
page showing ``period`` (the statistics dashboard links to it)."""

from __future__ import annotations

from django import template

from reports.selectors.leaders import leaders_report_url

register = template.Library()


@register.simple_tag
def leaders_report_url_for(period) -> str:
    return leaders_report_url(period)
