"""Template helpers: the one colour scale, always with the word (GUIDE look and feel)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from anxin.screening import risk_rules

register = template.Library()


@register.simple_tag
def level_badge(level: str):
    level = level or risk_rules.GREEN
    label = risk_rules.LEVEL_LABELS.get(level, "")
    return format_html('<span class="level {}">{}</span>', level, _(label))


@register.filter
def level_label(level: str) -> str:
    return _(risk_rules.LEVEL_LABELS.get(level or risk_rules.GREEN, ""))


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
