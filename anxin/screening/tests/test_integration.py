"""With the other wave-2 apps installed: the real signals reach the registers, and a 苗头 in a
duty log arrives in intake's triage inbox as a concern."""

import pytest

from anxin.screening import services
from anxin.screening.models import DutyLog, RiskSignal, TendencyEntry
from anxin.screening.tests.test_registers import Obj


def test_real_cases_signals_feed_the_tendency_register(world):
    signals = pytest.importorskip("anxin.cases.signals")
    signals.bullying_confirmed.send(
        sender=None,
        case=Obj("cases.bullyingcase", 12),
        bullies=[world.student_own],
        victims=[world.student_other_class],
    )
    assert TendencyEntry.objects.get(student=world.student_own).case_ids == [12]
    signals.case_party_added.send(
        sender=None, case=Obj("cases.bullyingcase", 13), student=world.student_own, role="victim"
    )
    assert RiskSignal.objects.filter(student=world.student_own, kind="case_victim").exists()


def test_real_intake_signal_feeds_the_risk_engine(world):
    signals = pytest.importorskip("anxin.intake.signals")
    signals.students_named.send(
        sender=None,
        school=world.school_a1,
        students=[world.student_own],
        source_obj=Obj("intake.report", 3, place="操场"),
    )
    sig = RiskSignal.objects.get(student=world.student_own)
    assert (sig.kind, sig.place) == ("named_report", "操场")


def test_a_sign_in_a_duty_log_becomes_an_intake_concern(world):
    from anxin.intake import services as intake  # both apps ship together now: no skip
    from anxin.intake.models import Concern

    assert hasattr(intake, "raise_concern")

    log = services.log_duty(
        by=world.user["security_staff"],
        school=world.school_a1,
        summary="厕所门口围堵",
        place="东侧厕所",
        is_sign=True,
    )
    log.refresh_from_db()
    concern = Concern.objects.get(pk=log.concern_id)
    assert concern.source == "monitoring" and concern.school_id == world.school_a1.pk
    assert DutyLog.objects.get().concern_id == concern.pk
