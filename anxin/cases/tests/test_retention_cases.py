"""LAW 24: a closed case is anonymised the county's RETENTION_CASE_YEARS after it was closed
(parties no longer point at students, narrative and free text overwritten); an open case, or
one closed more recently, is untouched; the case timeline still verifies."""

from __future__ import annotations

import datetime as dt

import time_machine

from anxin.cases import params, scenarios, services
from anxin.cases.models import BullyingCase, CaseParty, CaseState, NoticePurpose
from anxin.cases.verify import verify_cases
from anxin.core import clock, retention
from anxin.core.roles import Role

S = CaseState
START = dt.datetime(2026, 9, 7, 10, 0, tzinfo=clock.SHANGHAI)


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("谈话记录.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


GROUNDS = "两名学生课间追逐嬉闹，双方均无恶意，未造成伤害，事后已和好。"


def _closed(new_case, drive, leader, mm, evidence=None):
    case = new_case(summary="张小明被李小红推倒在走廊")
    if evidence is not None:
        evidence.append(services.upload_evidence(case, by=mm, upload=_pdf()))
    drive(case, S.NOTIFYING)
    scenarios.notify_sides(case, mm)
    services.settle_directly(case, by=leader, result="joke", grounds=GROUNDS)
    scenarios.notify_sides(case, mm, NoticePurpose.DETERMINATION, participated=False)
    services.advance(case, "close_not_bullying", by=mm)
    case.refresh_from_db()
    assert case.state == S.CLOSED
    return case


def test_a_closed_case_is_anonymised_after_the_county_period(cw, new_case, drive, leader, mm):
    from anxin.cases.models import Evidence

    evidence = []
    with time_machine.travel(START, tick=False):
        old = _closed(new_case, drive, leader, mm, evidence)
        [ev] = evidence
        stored = ev.file.name
        assert ev.file.storage.exists(stored)
        still_open = new_case(summary="张小明的书包被李小红扔进垃圾桶")
    with time_machine.travel(START + dt.timedelta(days=365), tick=False):
        recent = _closed(new_case, drive, leader, mm)
        params.set_version(
            by=cw.user[Role.BUREAU_ADMIN],
            county_id=cw.county_a.pk,
            effective_from=clock.today(),
            values={"RETENTION_CASE_YEARS": 2},
            reason="县教体局数据保存规定",
        )
    with time_machine.travel(START + dt.timedelta(days=2 * 365 + 10), tick=False):
        [dry] = retention.run(dry_run=True, county_ids=[cw.county_a.pk])
        assert dry.counts["cases.closed_case"] == 1 and dry.periods["cases.closed_case"] == "2 years"
        [run] = retention.run(county_ids=[cw.county_a.pk])
        assert run.counts["cases.closed_case"] == 1
    old, still_open, recent = (BullyingCase.objects.get(pk=c.pk) for c in (old, still_open, recent))
    assert old.summary == retention.PLACEHOLDER and "张小明" not in old.summary
    assert old.result == "joke" and old.number  # kept for the statistics
    assert not CaseParty.objects.filter(case=old, student__isnull=False).exists()
    assert set(CaseParty.objects.filter(case=old).values_list("outsider_name", flat=True)) == {"（已匿名）"}
    assert old.determinations.get().reason == ""  # the grounds' free text is gone too
    assert "张小明" in still_open.summary and "张小明" in recent.summary
    assert CaseParty.objects.filter(case=recent, student__isnull=False).exists()
    assert all(problem is None for _s, problem in verify_cases())  # the timelines still verify
    # the evidence file itself is gone from storage; the row says there was evidence
    ev = Evidence.objects.get(pk=ev.pk)
    assert ev.file.name == "" and not ev.file.storage.exists(stored) and ev.size
