"""Retention of reports and concerns (LAW 24; ``anxin.core.retention``): ``RETENTION_REPORT_YEARS``
after a report was closed, the reporter's contact, the account of what happened, the people and
place named, the messages with the reporter and the triage notes are overwritten, and its links
to students removed; photos and videos are deleted from storage. Channel, dates, status and the case it led to stay for the statistics."""

from __future__ import annotations

from anxin.core import retention


def _due(county_id, cutoff):
    from anxin.intake.models import Report

    return Report._base_manager.filter(county_id=county_id, closed_at__isnull=False, closed_at__lt=cutoff)


def anonymise_reports(qs) -> int:
    from anxin.intake.models import Report, ReportAttachment, ReportMessage, ReportStudent, TriageEvent

    ids = list(qs.values_list("pk", flat=True))
    retention.purge_files(ReportAttachment.objects.filter(report_id__in=ids))  # photos and videos go
    retention.blank_text(ReportMessage.objects.filter(report_id__in=ids))
    retention.blank_text(TriageEvent.objects.filter(report_id__in=ids))
    ReportStudent.objects.filter(report_id__in=ids).delete()
    Report._base_manager.filter(pk__in=ids).update(student=None)
    return retention.blank_text(Report._base_manager.filter(pk__in=ids))


retention.register(
    retention.RecordClass(
        key="intake.report",
        label="举报、反映记录",
        parameter="RETENTION_REPORT_YEARS",
        unit=retention.YEARS,
        default=3,
        action=retention.ANONYMISE,
        due=_due,
        apply=anonymise_reports,
        note="举报人联系方式、陈述、涉及的人和地点、往来消息、处理说明覆盖；与学生的关联删除",
    )
)
