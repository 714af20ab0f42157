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


def _filtersets():
    import importlib
    import pkgutil

    import django_filters

    import anxin

    for m in pkgutil.walk_packages(anxin.__path__, "anxin."):
        if ".tests" not in m.name and ".migrations" not in m.name:
            importlib.import_module(m.name)

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return {fs for fs in below(django_filters.FilterSet) if fs.__module__.startswith("anxin.")}


def test_no_list_filter_offers_a_choice_that_finds_nothing():
    """A select offers what its list can hold: no 「未填写」 (django-filter's null choice) where
    the field is never empty (it filtered on IS NULL and always found nothing)."""
    import django_filters

    checked = 0
    for fs in _filtersets():
        for name, f in fs.base_filters.items():
            if isinstance(f, (django_filters.ChoiceFilter, django_filters.ModelChoiceFilter)):
                assert getattr(f.field, "null_label", None) is None, f"{fs.__module__}.{fs.__name__}.{name}"
                checked += 1
    assert checked > 50


@pytest.mark.django_db
def test_the_register_stage_filter_offers_the_stages_only(world, as_user):
    body = as_user(world.user[Role.SAFETY_LEADER]).get("/cases/").content.decode()
    select = body.split('name="state"', 1)[1].split("</select>", 1)[0]
    assert 'value="null"' not in select and "未填写" not in select
    assert ">登记</option>" in select and ">结案</option>" in select
