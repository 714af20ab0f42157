"""What the education pages share: the school a page acts on (screening's rule: the school asked
for, the top-bar choice, or the user's only school) and the school picker."""

from __future__ import annotations

from django.shortcuts import render

from anxin.screening.views._common import _school_for, _schools


def school_for(request, perm: str):
    return _school_for(request, perm)


def pick_school(request, perm: str, title):
    return render(request, "screening/pick_school.html", {"title": title, "schools": _schools(request, perm)})


def schools(request, perm: str):
    return _schools(request, perm)
