"""Duties of the roles that had none (issue 11 item 2): the legal vice-principal and the police
liaison owe the outcome of each referral sent to them, with a due time and a link; a case handed
to another handler (更换承办人) is the new owner's duty until they act on it, and they are told
at once. Each appears for the right owner and disappears when done (time-machine)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from anxin.cases import services
from anxin.cases.duties import REFERRAL_OUTCOME_DAYS
from anxin.cases.models import CaseState as S
from anxin.core import clock, duties
from anxin.core.models import Notification
from anxin.core.testing import make_user


def _duties(user, kind, now=None) -> dict:
    return {d.ref: d for d in duties.duties_for(user, now or clock.now(), kinds=[kind])}


@pytest.mark.parametrize("role", ["legal_vp", "partner_liaison"])
def test_a_referral_is_due_for_the_person_it_was_sent_to(cw, mm, new_case, drive, role):
    case = drive(new_case(), S.HANDLING, result="serious")
    to = cw.user[role]
    r = services.refer_case(case, by=mm, to_user=to, purpose="训诫")
    ref = f"cases.casereferral:{r.pk}"
    d = _duties(to, "cases.referral")[ref]
    assert d.is_mine(to) and d.url == reverse("cases:case_step", args=[case.pk, "referral_outcome"])
    assert d.due_at() == r.referred_at + dt.timedelta(days=REFERRAL_OUTCOME_DAYS)
    assert d.new and d.state(clock.now()) == duties.State.NEW
    # nobody else owes it
    other = cw.user["partner_liaison" if role == "legal_vp" else "legal_vp"]
    assert ref not in _duties(other, "cases.referral") and ref not in _duties(mm, "cases.referral")
    later = r.referred_at + dt.timedelta(days=REFERRAL_OUTCOME_DAYS, hours=1)
    with time_machine.travel(later, tick=False):
        d = _duties(to, "cases.referral", later)[ref]
        assert d.state(later) == duties.State.OVERDUE
        # the home page shows it to them, in red, with its link
        services.record_referral_outcome(r, by=to, outcome="已由法治副校长训诫，家长到场")
        assert ref not in _duties(to, "cases.referral", later)


def test_a_reassigned_case_is_the_new_owners_duty_until_they_act(cw, mm, new_case):
    case = new_case()
    leader = cw.user["safety_leader"]
    assert case.owner == mm
    services.reassign_case(case, by=mm, to_user=leader, reason="涉及两个年级，由分管副校长牵头")
    case.refresh_from_db()
    assert case.owner == leader
    note = Notification.objects.get(recipient=leader, kind="case_reassigned")
    assert case.number in note.title and note.url == reverse("cases:case_detail", args=[case.pk])
    found = _duties(leader, "cases.handover")
    assert len(found) == 1
    [d] = found.values()
    assert d.is_mine(leader) and case.number in d.title
    assert not _duties(mm, "cases.handover")  # the former owner owes nothing
    with time_machine.travel(clock.now() + dt.timedelta(days=2), tick=False):
        assert d.state(clock.now()) == duties.State.OVERDUE
    services.add_note(case, by=leader, text="已接手，约谈双方班主任")
    assert not _duties(leader, "cases.handover")


def test_a_case_goes_only_to_someone_who_may_handle_it(cw, mm, new_case):
    case = new_case()
    for nobody in (mm, cw.user["class_teacher"], cw.user_b["safety_leader"]):
        with pytest.raises(ValidationError):
            services.reassign_case(case, by=mm, to_user=nobody)
    stranger = make_user("stranger", cw.county_a)
    with pytest.raises(ValidationError):
        services.reassign_case(case, by=mm, to_user=stranger)


def test_reassigning_on_the_page(cw, mm, new_case, as_user):
    case = new_case()
    principal = cw.user["principal"]
    c = as_user(mm)
    url = reverse("cases:case_step", args=[case.pk, "reassign"])
    page = c.get(url).content.decode()
    assert "新的承办人" in page and principal.real_name in page
    resp = c.post(url, {"owner": principal.pk, "reason": "", "version": case.version})
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.owner == principal
    assert _duties(principal, "cases.handover")
