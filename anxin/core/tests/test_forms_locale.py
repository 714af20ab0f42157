"""Inputs as teachers type them: dates in the forms they write, 全部 for "any" in list filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from anxin.core.roles import Role


class _F(forms.Form):
    on = forms.DateField()
    at = forms.DateTimeField()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-04", dt.date(2026, 12, 4)),
        ("2026/12/4", dt.date(2026, 12, 4)),
        ("2026.12.04", dt.date(2026, 12, 4)),
        ("2026年12月4日", dt.date(2026, 12, 4)),
        ("2026年1月15日", dt.date(2026, 1, 15)),
    ],
)
def test_dates_typed_the_chinese_way_are_read(lang, typed, expected):
    with translation.override(lang):
        f = _F({"on": typed, "at": f"{typed} 14:30"})
        assert f.is_valid(), f.errors
        assert f.cleaned_data["on"] == expected
        assert f.cleaned_data["at"].replace(tzinfo=None) == dt.datetime.combine(expected, dt.time(14, 30))


def test_a_date_that_does_not_exist_is_refused():
    with translation.override("zh-hans"):
        assert not _F({"on": "2026年2月30日", "at": "2026-02-01 08:00"}).is_valid()


@pytest.mark.django_db
def test_list_filters_say_all_for_any(world, as_user):
    body = (
        as_user(world.user[Role.AUDITOR]).get("/audit/").content.decode()
    )  # filters with no label of their own
    assert "---------" not in body
    assert ">全部</option>" in body
