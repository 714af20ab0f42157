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


def _nullable(model, field_name: str):
    """Is the model field at ``field_name`` (``a__b``) nullable? None when it is no field path."""
    from django.core.exceptions import FieldDoesNotExist

    field = None
    for part in field_name.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field.null if field is not None else None


def test_no_list_filter_offers_a_choice_that_finds_nothing():
    """A select offers what its list can hold: django-filter's null choice (「未填写」, which
    filters on IS NULL) only on a field that may be empty; elsewhere it always found nothing.
    The API's filters built from ``filterset_fields`` are checked the same way."""
    import django_filters
    from rest_framework.viewsets import GenericViewSet

    from config.api_urls import router

    checked = 0
    for fs in _filtersets():
        for name, f in fs.base_filters.items():
            if not isinstance(f, (django_filters.ChoiceFilter, django_filters.ModelChoiceFilter)):
                continue
            checked += 1
            if getattr(f.field, "null_label", None) is not None:
                assert f.method is None and fs._meta.model is not None, f"{fs.__name__}.{name}"
                assert _nullable(fs._meta.model, f.field_name), f"{fs.__module__}.{fs.__name__}.{name}"
    assert checked > 50
    for _prefix, viewset, _basename in router.registry:
        if issubclass(viewset, GenericViewSet) and getattr(viewset, "filterset_fields", None):
            model = viewset.queryset.model
            nullable = [n for n in viewset.filterset_fields if _nullable(model, n)]
            assert not nullable, f"{viewset.__name__}: {nullable} need a FilterSet offering the null choice"


@pytest.mark.django_db
def test_the_register_stage_filter_offers_the_stages_only(world, as_user):
    body = as_user(world.user[Role.SAFETY_LEADER]).get("/cases/").content.decode()
    select = body.split('name="state"', 1)[1].split("</select>", 1)[0]
    assert 'value="null"' not in select and "未填写" not in select
    assert ">登记</option>" in select and ">结案</option>" in select


def test_every_yes_no_filter_offers_all_yes_no():
    """A yes/no filter says 全部 / 是 / 否, as every other filter select does, never Django's
    未知 (Unknown) for "any"."""
    import django_filters
    from django import forms

    from anxin.core.filtering import YES_NO_CHOICES

    checked = 0
    with translation.override("zh-hans"):
        for fs in _filtersets():
            for name, f in fs.base_filters.items():
                if isinstance(f, django_filters.BooleanFilter):
                    widget = f.field.widget
                    assert isinstance(widget, forms.Select), f"{fs.__name__}.{name}"
                    choices = [(v, str(label)) for v, label in widget.choices]
                    where = f"{fs.__module__}.{fs.__name__}.{name}"
                    assert [v for v, _l in choices] == [v for v, _l in YES_NO_CHOICES], where
                    assert choices[0][1] == "全部" and "未知" not in {label for _v, label in choices}, where
                    checked += 1
    assert checked > 20


@pytest.mark.django_db
def test_the_register_yes_no_filters_say_all(world, as_user):
    body = as_user(world.user[Role.SAFETY_LEADER]).get("/cases/?late=true").content.decode()
    late = body.split('name="late"', 1)[1].split("</select>", 1)[0]
    assert "未知" not in body
    assert '<option value="">全部</option>' in late and '<option value="true" selected>是</option>' in late
