"""What the supervision pages share: the school a page acts on (screening's rule: the school
asked for, the top-bar choice, or the user's only school — a supervisor's assigned schools)."""

from __future__ import annotations

from django.shortcuts import render

from anxin.screening.views._common import _school_for, _schools  # one rule for "which school"


def school_for(request, perm: str):
    return _school_for(request, perm)


def pick_school(request, perm: str, title):
    return render(request, "screening/pick_school.html", {"title": title, "schools": _schools(request, perm)})
