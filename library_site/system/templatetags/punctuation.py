"""Punctuation between a label and its value, and between items, as each language writes it:
班主任：王老师 and 人民文学出版社，2018 in Chinese (full width, no space), "Head teacher: Wang" in
English. A builtin of the templates (settings.TEMPLATES), so no page needs to load it."""

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def colon() -> str:
    """After a label: "：" in Chinese, ": " in English."""
    return pgettext("punctuation after a label", ": ")


@register.simple_tag
def comma() -> str:
    """Between the parts of one line (a publisher and a year): "，" in Chinese, ", " in English."""
    return pgettext("punctuation between parts", ", ")
