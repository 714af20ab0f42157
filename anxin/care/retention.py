"""Retention of care records (LAW 24; ``anxin.core.retention``): ``RETENTION_CARE_YEARS`` after
a contact or a counselling session, its content is overwritten (summary, people, next step,
anomaly; the counselling notes). Who, when and how stay, so the plan's history reads on."""

from __future__ import annotations

from anxin.core import retention


def _contacts_due(county_id, cutoff):
    from anxin.care.models import ContactLog

    return ContactLog.objects.filter(county_id=county_id, occurred_at__lt=cutoff)


def _sessions_due(county_id, cutoff):
    from anxin.care.models import CounsellingSession

    return CounsellingSession.objects.filter(county_id=county_id, held_at__lt=cutoff)


def anonymise_contacts(qs) -> int:
    return retention.blank_text(qs, fields=("summary", "participants", "next_step", "anomaly_note"))


def anonymise_sessions(qs) -> int:
    return retention.blank_text(qs, fields=("notes",))


for rc in (
    retention.RecordClass(
        key="care.contacts",
        label="关爱联系记录",
        parameter="RETENTION_CARE_YEARS",
        unit=retention.YEARS,
        default=5,
        action=retention.ANONYMISE,
        due=_contacts_due,
        apply=anonymise_contacts,
        note="情况摘要、对象、下一步和异常情况覆盖；联系人、时间和方式保留",
    ),
    retention.RecordClass(
        key="care.counselling",
        label="心理辅导记录",
        parameter="RETENTION_CARE_YEARS",
        unit=retention.YEARS,
        default=5,
        action=retention.ANONYMISE,
        due=_sessions_due,
        apply=anonymise_sessions,
        note="辅导记录内容清空；辅导时间、形式和心理教师保留",
    ),
):
    retention.register(rc)
