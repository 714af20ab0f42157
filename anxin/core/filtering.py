"""What every list's filters share."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

# a yes/no filter's choices: 全部 for any, as every other filter select says (not Django's 未知)
YES_NO_CHOICES = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter offering 全部 / 是 / 否."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Select(choices=YES_NO_CHOICES))
        super().__init__(*args, **kwargs)
