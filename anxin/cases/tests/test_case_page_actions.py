"""The case page's buttons: the main step is disabled while 尚缺 lists what blocks it, and
查无实据结案 is a secondary action that asks first."""

from __future__ import annotations

import re

from django.urls import reverse

from anxin.cases.models import CaseState as S


def _form(body: str, transition: str) -> str:
    m = re.search(rf'<form[^>]*action="[^"]*/advance/{transition}/"[^>]*>.*?</form>', body, re.S)
    assert m, f"no form for {transition}"
    return m.group(0)


def test_main_step_is_disabled_while_something_is_missing(new_case, drive, mm, as_user):
    case = new_case()
    drive(case, S.FOLLOW_UP, result="minor")
    body = as_user(mm).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    close = _form(body, "close")
    assert "disabled" in close and 'aria-describedby="missing-close"' in close
    assert "尚缺" in close and "心理辅导" in close


def test_a_step_with_nothing_missing_is_enabled_and_unfounded_closure_is_secondary(new_case, leader, as_user):
    case = new_case()
    body = as_user(leader).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    steps = re.findall(r'<form[^>]*action="[^"]*/advance/[^"]*"[^>]*>.*?</form>', body, re.S)
    # a new case can be taken to its next step at once: that button is the enabled main one
    assert any("btn primary" in f and "disabled" not in f for f in steps)
    unfounded = _form(body, "close_unfounded")
    assert "btn primary" not in unfounded and "secondary-action" in unfounded
    assert "data-confirm=" in unfounded and "查无实据" in unfounded
