"""Helpers the screening pages share: the school a page acts on, the school picker, export names."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from anxin.core import policy
from anxin.core.access import require
from anxin.core.listing import current_school_id
from anxin.org.models import School
from anxin.screening import risk_rules


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


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
