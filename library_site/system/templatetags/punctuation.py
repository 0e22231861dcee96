"""Punctuation between a label and its value, between items and around a note in brackets, as each
language writes it: 班主任：王老师, 人民文学出版社，2018 and 草房子（T000123） in Chinese (full width,
no space), "Head teacher: Wang" and "草房子 (T000123)" in English. A builtin of the templates (settings.TEMPLATES), so no page needs to load it."""

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


@register.simple_tag
def bracket_open() -> str:
    """Before a note in brackets after a word: "（" in Chinese (no space), " (" in English."""
    return pgettext("opening bracket after a word", " (")


@register.simple_tag
def bracket_close() -> str:
    """After a note in brackets: "）" in Chinese, ")" in English."""
    return pgettext("closing bracket", ")")


def bracketed(text, note) -> str:
    """A word with a note in brackets, for text built in Python: 张三（三年级(2)班）, "Zhang (3-2)"."""
    return f"{text}{bracket_open()}{note}{bracket_close()}"
