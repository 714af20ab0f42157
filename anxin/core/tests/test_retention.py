"""LAW 22, 24: retention per record class as county legal parameters (with the audit floor),
the nightly run that anonymises, purges or redacts what has expired (idempotent, audited,
``--dry-run``), and expired audit entries redacted by a chained redaction record: the chain
still verifies, and a redaction without its signed record does not."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings

from anxin.cases import params
from anxin.cases.law import settings as law_settings
from anxin.core import audit, clock, retention
from anxin.core.audit_redact import REDACTED_KEY
from anxin.core.models import AuditEvent, RetentionMark
from anxin.core.roles import Role
from anxin.core.tasks import nightly_retention
from anxin.core.verify import verify_all

NOW = dt.datetime(2030, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)


def _tamper(pk, data):
    """Rewrite an entry's data as the database's owner would (the guard trigger off on PostgreSQL)."""
    from django.db import connection

    pg = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        if pg:
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        AuditEvent.objects.filter(pk=pk).update(data=data)
        if pg:
            cur.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def _problems():
    return [p for _s, p in verify_all() if p is not None]


def _audit_class():
    return next(rc for rc in retention.classes() if rc.key == "core.audit")


def test_every_record_class_is_registered_with_a_county_parameter():
    keys = {rc.key: rc.parameter for rc in retention.classes()}
    assert keys == {
        "cases.closed_case": "RETENTION_CASE_YEARS",
        "intake.report": "RETENTION_REPORT_YEARS",
        "screening.survey_answers": "RETENTION_SURVEY_YEARS",
        "care.contacts": "RETENTION_CARE_YEARS",
        "care.counselling": "RETENTION_CARE_YEARS",
        "core.audit": "RETENTION_AUDIT_DAYS",
    }


def test_the_audit_floor_is_refused_in_chinese_and_a_county_value_is_versioned(world):
    admin = world.user[Role.BUREAU_ADMIN]
    with pytest.raises(ValidationError) as exc:
        params.set_version(
            by=admin,
            county_id=world.county_a.pk,
            effective_from=clock.today(),
            values={"RETENTION_AUDIT_DAYS": 100},
            reason="缩短日志保存",
        )
    assert "不得少于183日" in " ".join(exc.value.messages) and "网络安全法" in " ".join(exc.value.messages)
    version = params.set_version(
        by=admin,
        county_id=world.county_a.pk,
        effective_from=clock.today(),
        values={"RETENTION_AUDIT_DAYS": 365, "RETENTION_CASE_YEARS": 10},
        reason="县教体局数据保存规定",
    )
    assert AuditEvent.objects.filter(
        object_type="cases.legalparameterversion", object_id=str(version.pk), action="create"
    ).exists()
    assert retention.period(_audit_class(), world.county_a.pk) == 365
    assert retention.period(_audit_class(), world.county_b.pk) == 1095  # another county: the default


@override_settings(ANXIN_AUDIT_RETENTION_DAYS=400)
def test_anxin_audit_retention_days_is_the_deployment_default(world):
    assert law_settings.get("RETENTION_AUDIT_DAYS", county_id=world.county_a.pk) == 400
    assert retention.period(_audit_class(), world.county_a.pk) == 400


def test_expired_audit_entries_are_redacted_by_a_chained_record_and_the_chain_still_verifies(world):
    with time_machine.travel(NOW - dt.timedelta(days=400), tick=False):
        old = audit.append(
            "read",
            object_type="roster.student",
            object_id=7,
            county_id=world.county_a.pk,
            data={"view": "roster:student_detail", "name": "张小明"},
        )
        old_hash = old.hash
    with time_machine.travel(NOW - dt.timedelta(days=10), tick=False):
        recent = audit.append(
            "read",
            object_type="roster.student",
            object_id=8,
            county_id=world.county_a.pk,
            data={"view": "roster:student_detail"},
        )
    with time_machine.travel(NOW, tick=False):
        params.set_version(
            by=world.user[Role.BUREAU_ADMIN],
            county_id=world.county_a.pk,
            effective_from=clock.today(),
            values={"RETENTION_AUDIT_DAYS": 365},
            reason="县教体局数据保存规定",
        )
        assert _problems() == []
        [run] = retention.run(county_ids=[world.county_a.pk])
        assert run.counts["core.audit"] >= 1
        old.refresh_from_db()
        recent.refresh_from_db()
        assert REDACTED_KEY in old.data and "张小明" not in str(old.data)
        assert old.hash == old_hash and old.seq == 1  # its place and its link stay
        assert REDACTED_KEY not in recent.data
        record = AuditEvent.objects.get(action="audit.redact", data__stream=old.stream)
        assert [e[:2] for e in record.data["entries"]] == [[old.seq, old.hash]]
        assert AuditEvent.objects.filter(action="retention.run", county_id=world.county_a.pk).exists()
        assert _problems() == []  # verify_audit passes after a run
        out = StringIO()
        call_command("verify_audit", stdout=out)
        assert "intact" in out.getvalue()
        # idempotent: nothing is redacted twice
        records = AuditEvent.objects.filter(action="audit.redact").count()
        [again] = retention.run(county_ids=[world.county_a.pk])
        assert again.counts["core.audit"] == 0
        assert AuditEvent.objects.filter(action="audit.redact").count() == records


def test_a_redaction_without_its_signed_record_breaks_the_chain(world):
    with time_machine.travel(NOW - dt.timedelta(days=400), tick=False):
        ev = audit.append("read", county_id=world.county_a.pk, data={"view": "x"})
        audit.append("read", county_id=world.county_a.pk, data={"view": "y"})
    # someone with the database "redacts" an entry by hand: no signed redaction record names it
    _tamper(ev.pk, {REDACTED_KEY: "hmac:forged", "by": "x#1"})
    assert any("没有对应的删减记录" in p.what for p in _problems())


def test_a_rewritten_redaction_record_is_detected(world):
    with time_machine.travel(NOW - dt.timedelta(days=400), tick=False):
        audit.append("read", county_id=world.county_a.pk, data={"view": "x"})
    with time_machine.travel(NOW, tick=False):
        retention.run(county_ids=[world.county_a.pk])
        rec = AuditEvent.objects.filter(action="audit.redact").order_by("seq").last()
        data = dict(rec.data, entries=[])
        _tamper(rec.pk, data)
        found = " ".join(p.what for p in _problems())
        # the record's own link and its signature no longer hold, nor the entries it named
        assert "内容与哈希不符" in found and "删减记录签名不符" in found


def _report(world, **kw):
    from anxin.intake.models import Report

    kw.setdefault("channel", "form")
    return Report.objects.create(
        county=world.county_a,
        school=world.school_a1,
        text="初一2班的李小红在厕所打了张小明",
        contact="13900000000",
        people="李小红、张小明",
        **kw,
    )


def test_closed_reports_are_anonymised_after_the_county_period(world):
    from anxin.intake.models import Report, ReportStudent

    with time_machine.travel(NOW - dt.timedelta(days=4 * 365), tick=False):
        old = _report(world, status="closed", closed_at=clock.now())
        ReportStudent.objects.create(
            county=world.county_a,
            school=world.school_a1,
            report=old,
            student=world.student_own,
            role="victim",
            linked_by=world.user[Role.SAFETY_LEADER],
        )
        still_open = _report(world)
    with time_machine.travel(NOW - dt.timedelta(days=365), tick=False):
        recent = _report(world, status="closed", closed_at=clock.now())
    with time_machine.travel(NOW, tick=False):
        out = StringIO()
        call_command("apply_retention", "--dry-run", "--county", str(world.county_a.pk), stdout=out)
        assert "intake.report" in out.getvalue() and "due 1" in out.getvalue()
        assert Report.objects.get(pk=old.pk).contact == "13900000000"  # dry run changed nothing
        nightly_retention.call_local()
        old, still_open, recent = (Report.objects.get(pk=r.pk) for r in (old, still_open, recent))
        assert old.contact == "" and old.people == "" and "张小明" not in old.text
        assert old.text == retention.PLACEHOLDER
        assert not ReportStudent.objects.filter(report=old).exists()
        assert still_open.contact == "13900000000" and recent.contact == "13900000000"
        assert RetentionMark.objects.filter(record_class="intake.report", object_id=old.pk).exists()
        [run] = retention.run(county_ids=[world.county_a.pk])
        assert run.counts["intake.report"] == 0


def test_survey_answers_are_purged_after_the_county_period(world):
    from anxin.screening.models import Nomination, PeerSurvey, SurveyResponse

    teacher = world.user[Role.CLASS_TEACHER]

    def survey(closes_on):
        s = PeerSurvey.objects.create(
            county=world.county_a,
            school=world.school_a1,
            klass=world.class_a1_1,
            opens_on=closes_on - dt.timedelta(days=7),
            closes_on=closes_on,
            status="closed",
            created_by=teacher,
        )
        r = SurveyResponse.objects.create(
            county=world.county_a,
            school=world.school_a1,
            survey=s,
            student=world.student_own,
            klass=world.class_a1_1,
            victim={"verbal": 2},
            note="有人骂我",
        )
        Nomination.objects.create(
            county=world.county_a,
            school=world.school_a1,
            survey=s,
            response=r,
            nominator=world.student_own,
            nominee=world.student_other_class,
            kind="isolated",
            klass=world.class_a1_1,
        )
        return s

    old = survey(dt.date(2028, 6, 30))
    recent = survey(dt.date(2029, 12, 30))
    with time_machine.travel(NOW, tick=False):
        retention.run(county_ids=[world.county_a.pk])
    assert not SurveyResponse.objects.filter(survey=old).exists()
    assert not Nomination.objects.filter(survey=old).exists()
    assert PeerSurvey.objects.filter(pk=old.pk).exists()  # the survey itself stays
    assert SurveyResponse.objects.filter(survey=recent).count() == 1


def test_care_contacts_and_counselling_notes_are_anonymised_after_the_county_period(world):
    from anxin.care.models import ContactLog, CounsellingSession

    counsellor = world.user[Role.COUNSELLOR]

    def records(at):
        c = ContactLog.objects.create(
            county=world.county_a,
            school=world.school_a1,
            student=world.student_own,
            staff=counsellor,
            occurred_at=at,
            participants="母亲",
            summary="家中父母离异，孩子情绪低落",
            anomaly=True,
            anomaly_note="有自伤念头",
        )
        s = CounsellingSession.objects.create(
            county=world.county_a,
            school=world.school_a1,
            student=world.student_own,
            counsellor=counsellor,
            held_at=at,
            notes="自述被同学孤立",
        )
        return c, s

    old_c, old_s = records(NOW - dt.timedelta(days=6 * 365))
    new_c, new_s = records(NOW - dt.timedelta(days=30))
    with time_machine.travel(NOW, tick=False):
        retention.run(county_ids=[world.county_a.pk])
    old_c, new_c = ContactLog.objects.get(pk=old_c.pk), ContactLog.objects.get(pk=new_c.pk)
    old_s, new_s = CounsellingSession.objects.get(pk=old_s.pk), CounsellingSession.objects.get(pk=new_s.pk)
    assert old_c.summary == retention.PLACEHOLDER and old_c.anomaly_note == "" and old_c.participants == ""
    assert old_c.staff_id == counsellor.pk and old_c.anomaly  # who, when and how stay
    assert old_s.notes == "" and new_s.notes == "自述被同学孤立"
    assert new_c.summary == "家中父母离异，孩子情绪低落"


def test_on_postgresql_the_trigger_lets_only_a_redaction_through(world):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    ev = audit.append("read", county_id=world.county_a.pk, data={"view": "x"})
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=ev.pk).update(data={"view": "y"}),
        lambda: AuditEvent.objects.filter(pk=ev.pk).update(data={REDACTED_KEY: "h", "by": "r"}, actor="x"),
        lambda: AuditEvent.objects.filter(pk=ev.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    AuditEvent.objects.filter(pk=ev.pk).update(data={REDACTED_KEY: "h", "by": "r"})
    with pytest.raises(DatabaseError), transaction.atomic():  # and only once
        AuditEvent.objects.filter(pk=ev.pk).update(data={REDACTED_KEY: "h2", "by": "r"})
