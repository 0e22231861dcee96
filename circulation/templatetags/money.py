"""``{{ amount|yuan }}``: money written one way everywhere (¥12.50)."""

from django import template

from ..money import yuan as yuan_text

register = template.Library()


@register.filter
def yuan(value) -> str:
    return yuan_text(value)
