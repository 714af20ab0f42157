"""Time as teachers say it: "2小时4分钟前", not "2 小时，4 分钟" or a bare timestamp."""

from __future__ import annotations

from django import template
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def ago(value, now=None) -> str:
    """``{{ r.created_at|ago }}``: 刚刚 within a minute, else the two largest units and 前."""
    if not value:
        return ""
    text = timesince(value, now, depth=2).replace("\xa0", " ")
    if text.startswith("0"):
        return _("刚刚")
    if (get_language() or "").startswith("zh"):
        text = text.replace("，", "").replace(", ", "").replace(" ", "").replace("日", "天")  # 3天, as said
    return _("%(time)s前") % {"time": text}
