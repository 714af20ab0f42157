"""Risk levels (R-SCR-4): the list, this week's changes, one student's level and reasons, and
the rules page (the table itself lives in ``anxin.screening.risk_rules``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import audit, clock, policy
from anxin.core.access import check, get_for_user, require
from anxin.core.crypto import encrypted_fields
from anxin.core.listing import ScopedListView
from anxin.roster.models import Student
from anxin.screening import filters as f
from anxin.screening import risk_rules
from anxin.screening.models import (
    RiskAssessment,
    RiskSignal,
    RiskState,
    ScreeningRecord,
    TendencyEntry,
    VulnerabilityEntry,
)

# --- risk (R-SCR-4) -------------------------------------------------------------------------------


class RiskListView(ScopedListView):
    model = RiskState
    filterset_class = f.RiskFilter
    template_name = "screening/risk_list.html"
    title = gettext_lazy("学生风险等级")
    export_name = gettext_lazy("学生风险等级")
    select_related = ("student__klass__grade", "school")
    unread_on_page = encrypted_fields(Student, "student__")  # (the name and class are shown)
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("班级"), "klass_name"),
        (gettext_lazy("学生"), "student.name"),
        (gettext_lazy("风险等级"), "level"),
        (gettext_lazy("分值"), "points"),
        (gettext_lazy("原因"), "reason_text"),
        (gettext_lazy("变化时间"), "changed_local"),
    ]

    def base_queryset(self):
        qs = super().base_queryset().filter(student__status="enrolled")
        if not self.request.GET.get("level"):
            qs = qs.exclude(level=risk_rules.GREEN)
        return qs.order_by("-points", "student__klass__grade__year", "student__klass__name", "student__name")

    def klass_name(self, obj):
        return str(obj.student.klass)

    def reason_text(self, obj):
        return "；".join(r["text"] for r in obj.reasons)

    def changed_local(self, obj):
        return obj.changed_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["week_start"] = f.week_start()
        return ctx


class RiskChangesView(ScopedListView):
    """Who changed level this week (本周等级变化)."""

    model = RiskAssessment
    filterset_class = f.AssessmentFilter
    template_name = "screening/risk_changes.html"
    title = gettext_lazy("本周风险等级变化")
    action = "view"
    select_related = ("student__klass__grade", "school")
    unread_on_page = encrypted_fields(Student, "student__")  # (the name and class are shown)
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("班级"), "klass_name"),
        (gettext_lazy("学生"), "student.name"),
        (gettext_lazy("原等级"), "previous_level"),
        (gettext_lazy("现等级"), "level"),
        (gettext_lazy("时间"), "at"),
    ]

    def base_queryset(self):
        qs = super().base_queryset().filter(student__status="enrolled").exclude(level=F("previous_level"))
        if not self.request.GET.get("since"):
            qs = qs.filter(at__gte=f.week_start())
        return qs.order_by("-at", "-id")

    def klass_name(self, obj):
        return str(obj.student.klass)


@login_required
def student_risk(request, student_pk):
    """A student's level, every reason, and the history of changes."""
    student = get_for_user(
        request,
        Student,
        student_pk,
        "view",
        queryset=Student.objects.select_related("klass__grade", "school"),
    )
    probe = RiskState(county_id=student.county_id, school_id=student.school_id, student=student)
    check(request, probe, "view")
    audit.record("read", student, data={"view": "student_risk"})
    state = RiskState.objects.filter(student=student).first()
    history = list(RiskAssessment.objects.filter(student=student).order_by("-at", "-id")[:50])
    user = request.user
    entries = VulnerabilityEntry.objects.filter(student=student, ended_on__isnull=True).select_related(
        "category"
    )
    tendency = TendencyEntry.objects.filter(student=student, status=TendencyEntry.Status.ACTIVE).first()
    records = (
        ScreeningRecord.objects.filter(student=student, missing_reason="")
        .select_related("round")
        .order_by("-round_id")[:5]
    )
    return render(
        request,
        "screening/student_risk.html",
        {
            "title": _("风险等级"),
            "student": student,
            "state": state,
            "history": history,
            "level": state.level if state else risk_rules.GREEN,
            "entries": entries,
            "tendency": tendency,
            "records": records
            if policy.allows(
                user,
                ScreeningRecord(
                    county_id=student.county_id, school_id=student.school_id, klass_id=student.klass_id
                ),
                "view",
            )
            else [],
            "signals": RiskSignal.objects.filter(student=student).order_by("-at")[:20],
            "rules": risk_rules.RULES,
            "thresholds": risk_rules.THRESHOLDS,
            "can_add_vuln": policy.can(user, "screening.vulnerabilityentry.change"),
            "can_add_tendency": policy.can(user, "screening.tendencyentry.change"),
        },
    )


@login_required
def risk_rules_page(request):
    """The risk table as staff read it (the same rows the engine evaluates)."""
    require(request, "screening.riskstate.view")
    return render(
        request,
        "screening/risk_rules.html",
        {
            "title": _("风险等级规则"),
            "rules": risk_rules.RULES,
            "thresholds": risk_rules.THRESHOLDS,
            "labels": risk_rules.LEVEL_LABELS,
        },
    )
