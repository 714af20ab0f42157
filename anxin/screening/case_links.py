"""The cases a register entry came from, as this user may see them: a sealed case (LAW 24) or
one out of the user's reach is not even named. Cases are read through the registry: screening
sits beside cases, not on it (docs/architecture.md)."""

from __future__ import annotations

from django.apps import apps


def visible_cases(user, ids) -> list:
    if not ids or not apps.is_installed("anxin.cases"):
        return []
    BullyingCase = apps.get_model("cases", "BullyingCase")  # noqa: N806
    return list(
        BullyingCase.objects.restrict(user, "view")
        .filter(pk__in=list(ids))
        .only("pk", "number")
        .order_by("pk")
    )
