"""Counts for the bureau and the 台账 (register) export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from anxin.care import cadence, services
from anxin.care.models import (
    CarePlan,
    ContactLog,
    ContactTeacher,
    CounsellingSession,
    InterventionTask,
    PeerPair,
)
from anxin.core import audit, clock, policy
from anxin.core.access import require
from anxin.core.listing import current_school_id
from anxin.core.xlsx import xlsx_response

from .common import PLAN_RELATED, _local

# --- counts and the 台账 ----------------------------------------------------------------------------


@login_required
def stats(request):
    require(request, "care.careplan.stats")
    rows = services.stats_by_school(request.user)
    school = current_school_id(request)
    if school:
        rows = [r for r in rows if r["school_id"] == school]
    keys = ("active", "watch", "red", "orange", "yellow", "overdue", "closed", "open_tasks", "term_contacts")
    totals = {k: sum(r[k] for r in rows) for k in keys}
    return render(
        request,
        "care/stats.html",
        {"title": _("关爱帮扶统计"), "rows": rows, "totals": totals, "term_start": services.term_start()},
    )


@login_required
def register_export(request):
    """关爱帮扶台账 of the school: plans, contacts, tasks, counselling (never its notes),
    同学互助 and 师生联系, one sheet each. Audited."""
    require(request, "care.careplan.export")
    user = request.user
    schools = policy.schools_for(user, "care.careplan.export") or set()

    def scoped(model, action="view"):
        return model.objects.restrict(user, action).filter(school_id__in=schools)

    audit.append("export", object_type="care.careplan", data={"register": "care", "schools": sorted(schools)})
    yes, no = _("是"), _("否")
    plans = scoped(CarePlan).select_related(*PLAN_RELATED).order_by("school_id", "student__klass_id", "pk")
    contacts = (
        scoped(ContactLog)
        .select_related("student__klass__grade", "staff")
        .order_by("school_id", "occurred_at", "pk")
    )
    tasks = (
        scoped(InterventionTask).select_related("student__klass__grade", "owner").order_by("school_id", "pk")
    )
    sessions = (
        scoped(CounsellingSession)
        .defer("notes")
        .select_related("student__klass__grade", "counsellor")
        .order_by("school_id", "held_at")
    )
    pairs = scoped(PeerPair).select_related("student__klass__grade", "helper").order_by("school_id", "pk")
    links = (
        scoped(ContactTeacher).select_related("student__klass__grade", "teacher").order_by("school_id", "pk")
    )
    sheets = [
        (
            _("关爱计划"),
            [
                _("班级"),
                _("学生"),
                _("类型"),
                _("风险等级"),
                _("帮扶措施"),
                _("关爱原因"),
                _("责任人"),
                _("联系频次"),
                _("开始日期"),
                _("最近联系"),
                _("下次应联系"),
                _("状态"),
                _("结束说明"),
            ],
            (
                [
                    str(p.student.klass),
                    p.student.name,
                    p.get_kind_display(),
                    p.get_level_display(),
                    "、".join(p.measure_labels),
                    p.reason,
                    str(p.owner),
                    cadence.label_for(p.cadence),
                    p.starts_on,
                    _local(p.last_contact_at),
                    p.next_due_on or "",
                    p.get_status_display(),
                    p.close_note,
                ]
                for p in plans.iterator(chunk_size=2000)
            ),
        ),
        (
            _("联系记录"),
            [
                _("时间"),
                _("班级"),
                _("学生"),
                _("方式"),
                _("联系人"),
                _("对象"),
                _("情况摘要"),
                _("下一步"),
                _("发现异常"),
                _("异常情况"),
            ],
            (
                [
                    _local(c.occurred_at),
                    str(c.student.klass),
                    c.student.name,
                    c.get_kind_display(),
                    str(c.staff),
                    c.participants,
                    c.summary,
                    c.next_step,
                    yes if c.anomaly else no,
                    c.anomaly_note,
                ]
                for c in contacts.iterator(chunk_size=2000)
            ),
        ),
        (
            _("干预任务"),
            [
                _("班级"),
                _("学生"),
                _("任务"),
                _("异常情况"),
                _("责任人"),
                _("完成期限"),
                _("状态"),
                _("处理结果"),
            ],
            (
                [
                    str(t.student.klass),
                    t.student.name,
                    t.title,
                    t.detail,
                    str(t.owner),
                    t.due_on,
                    t.get_status_display(),
                    t.outcome,
                ]
                for t in tasks.iterator(chunk_size=2000)
            ),
        ),
        (
            _("心理辅导"),
            [_("时间"), _("班级"), _("学生"), _("形式"), _("心理教师"), _("记录")],
            (
                [
                    _local(s.held_at),
                    str(s.student.klass),
                    s.student.name,
                    s.get_form_display(),
                    str(s.counsellor),
                    _("保密"),
                ]
                for s in sessions.iterator(chunk_size=2000)
            ),
        ),
        (
            _("同学互助"),
            [_("班级"), _("受助学生"), _("互助同学"), _("结对日期"), _("解除日期"), _("说明")],
            (
                [str(p.student.klass), p.student.name, p.helper.name, p.started_on, p.ended_on or "", p.note]
                for p in pairs.iterator(chunk_size=2000)
            ),
        ),
        (
            _("师生联系"),
            [_("班级"), _("学生"), _("联系教师"), _("起"), _("止")],
            (
                [str(c.student.klass), c.student.name, str(c.teacher), c.started_on, c.ended_on or ""]
                for c in links.iterator(chunk_size=2000)
            ),
        ),
    ]
    return xlsx_response(f"{_('关爱帮扶台账')}-{clock.today():%Y%m%d}.xlsx", sheets)
