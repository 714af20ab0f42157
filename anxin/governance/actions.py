"""What governance offers on other apps' record pages (core.actions): 举一反三 on a closed case
and on a rectification (R-SCR-9), 编写案例警示 on a closed case for the bureau (R-EDU-3)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import actions, policy
from anxin.governance.models import Improvement, Lesson


def _improvement(key: str):
    def offer(user, obj):
        if key == "case" and obj.state != "closed":
            return None
        if not policy.allows(user, Improvement(county_id=obj.county_id, school_id=obj.school_id), "change"):
            return None
        return actions.Action(
            _("举一反三"), reverse("governance:improvement_create") + "?" + urlencode({key: obj.pk})
        )

    return offer


def _lesson(user, case):
    if case.state != "closed" or not policy.allows(user, Lesson(county_id=case.county_id), "change"):
        return None
    return actions.Action(
        _("编写案例警示"), reverse("governance:lesson_create") + "?" + urlencode({"case": case.pk})
    )


def register() -> None:
    actions.register("cases.BullyingCase", _improvement("case"))
    actions.register("cases.BullyingCase", _lesson)
    actions.register("screening.Rectification", _improvement("rectification"))
