"""Helpers the screening pages share: the school a page acts on, the school picker, export names,
and ``SchoolFormView`` (the create/edit page at one school)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from anxin.core import policy
from anxin.core.access import check, require
from anxin.core.editing import ServiceFormView
from anxin.core.listing import current_school_id
from anxin.org.models import School
from anxin.screening import risk_rules, services


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _schools(request, perm: str):
    """Schools in which the user holds ``perm`` (county roles: their county's)."""
    qs = School.objects.restrict(request.user).order_by("town", "name")
    ids = policy.schools_for(request.user, perm)
    return qs if ids is None else qs.filter(pk__in=ids)


def _school_for(request, perm: str) -> School | None:
    """The school a page acts on: the one asked for (?school=), the top-bar choice of a
    county user, or the user's only school."""
    require(request, perm)
    qs = _schools(request, perm)
    wanted = _int(request.GET.get("school") or request.POST.get("school")) or current_school_id(request)
    if wanted:
        school = qs.filter(pk=wanted).first()
        if school is None:
            raise Http404
        return school
    found = list(qs[:2])
    return found[0] if len(found) == 1 else None


def _pick_school(request, perm: str, title: str):
    return render(request, "screening/pick_school.html", {"title": title, "schools": _schools(request, perm)})


def _export_name(title: str, school=None) -> str:
    return f"{title}-{school.name + '-' if school else ''}{timezone.localdate():%Y%m%d}.xlsx"


def _level_rows():
    return [(code, risk_rules.LEVEL_LABELS[code]) for code in risk_rules.LEVELS]


class SchoolFormView(ServiceFormView):
    """A create or edit page at one school, on ``screening/form.html``.

    Edit (URL with ``pk``): the object in scope (``view``, school joined), checked for ``action``;
    the page acts on its school and is titled ``edit_title``. Create: ``require(permission)``,
    then the school asked for (?school=), the top-bar choice or the user's only school — with
    several and none chosen, the school picker titled ``pick_title``. A create form carries the
    school in a hidden field. The form gets ``instance`` (with a ``model``), ``school=`` and
    ``staff=`` (the school's staff) as ``form_school`` / ``form_staff`` say; after saving, the
    page goes to ``success_url_name``.
    """

    template_name = "screening/form.html"
    pick_title: Any = ""
    edit_title: Any = ""
    form_school = False
    form_staff = False
    success_url_name = ""
    school: School | None = None

    def get_queryset(self):
        return self.model.objects.select_related("school") if self.model is not None else None

    def authorize(self) -> None:
        if self.object is not None:
            check(self.request, self.object, self.action)
            self.school = self.object.school
        else:
            self.school = _school_for(self.request, self.permission)

    def instead(self):
        """A page shown instead of the form (the school picker), or None."""
        if self.school is None:
            return _pick_school(self.request, self.permission, self.pick_title)
        return None

    def get(self, request, *args, **kwargs):
        return self.instead() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.instead() or super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        if self.model is not None:
            kwargs["instance"] = self.object
        if self.form_school:
            kwargs["school"] = self.school
        if self.form_staff:
            kwargs["staff"] = services.staff_of(self.school.pk)
        return kwargs

    def stored_object(self):
        """The object as stored, for the service (validating the form changed ``self.object``)."""
        return self.model.objects.get(pk=self.object.pk) if self.object is not None else None

    def get_context_data(self, **kwargs) -> dict:
        ctx = {"subtitle": self.school.name, "school": self.school if self.object is None else None}
        if self.object is not None and self.edit_title:
            ctx["title"] = self.edit_title
        return super().get_context_data(**{**ctx, **kwargs})

    def get_success_url(self, result) -> str:
        return reverse(self.success_url_name)
