"""Bureau report pages (LAW 7): a report with its draft form, submission and acknowledgement,
its .docx, and the list (the bureau's inbox, a school's reports)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.cases import documents, forms, permissions, services
from anxin.cases.filters import ReportFilter
from anxin.cases.models import (
    REPORT_FIELDS,
    BullyingCase,
    BureauReport,
    ReportKind,
)
from anxin.cases.views._common import _elapsed_text, get_case_for_user
from anxin.core import audit, clock, policy
from anxin.core.access import deny
from anxin.core.crypto import encrypted_fields
from anxin.core.editing import run_action
from anxin.core.listing import ScopedListView

# --- bureau reports (LAW 7) ---------------------------------------------------------------------


def _report_for_user(request, pk) -> BureauReport:
    report = (
        BureauReport.objects.select_related(
            "case__school", "case__county", "previous", "submitted_by", "acknowledged_by", "signed_off_by"
        )
        .filter(pk=pk if str(pk).isdigit() else 0)
        .first()
    )
    if report is None:
        raise Http404
    get_case_for_user(request, report.case_id)  # the case's rules decide (404 + audit outside scope)
    if report.submitted_at is None and not permissions.can_case(request.user, report.case, "report_draft"):
        raise Http404  # drafts stay in the school
    return report


@login_required
def report_detail(request, pk):
    report = _report_for_user(request, pk)
    case = report.case
    user = request.user
    can_draft = report.submitted_at is None and permissions.can_case(user, case, "report_draft")
    can_submit = report.submitted_at is None and permissions.can_case(user, case, "report_submit")
    can_sign = (
        report.submitted_at is None
        and report.signed_off_at is None
        and permissions.can_case(user, case, "report_sign")
    )
    can_ack = (
        report.submitted_at is not None
        and report.acknowledged_at is None
        and permissions.can_case(user, case, "acknowledge")
    )
    form = forms.ReportForm(request.POST or None, report=report) if can_draft else None
    if request.method == "POST":
        if not can_draft:
            deny(request, "cases.bullyingcase.report_draft", "cases.bureaureport", report.pk)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            was_signed = report.signed_off_at is not None
            try:
                updated = services.update_report(report, by=user, **values)
                if request.POST.get("submit") == "1":
                    if not can_submit:
                        deny(request, "cases.bullyingcase.report_submit", "cases.bureaureport", report.pk)
                    services.submit_report(report, by=user)
                    messages.success(request, _("报告已报送县教体局。"))
                elif was_signed and updated.signed_off_at is None:
                    messages.warning(request, _("草稿已保存。报告内容有改动，原签发已失效，须重新签发。"))
                else:
                    messages.success(request, _("草稿已保存。"))
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return redirect("cases:report_detail", pk=report.pk)
    now = clock.now()
    until = report.submitted_at or now
    ctx = {
        "title": f"{case.number} {report.title_suffix}",
        "report": report,
        "case": case,
        "fields": [(label, getattr(report, f)) for f, label in REPORT_FIELDS],
        "form": form,
        "can_submit": can_submit,
        "can_sign": can_sign,
        "signed": report.signed_off_at is not None,
        "can_ack": can_ack,
        "ack_form": forms.AcknowledgeForm() if can_ack else None,
        "elapsed": _elapsed_text(case.discovered_at, until),
        "as_of": now,
        "due_at": case.report_due_at,
        "overdue": bool(
            case.report_required
            and case.report_due_at
            and until > case.report_due_at
            and report.kind == ReportKind.FIRST
        ),
        "names_visible": True,
    }
    return render(request, "cases/report_detail.html", ctx)


@require_POST
@login_required
def report_sign_off(request, pk):
    """签发: the principal (or the designated deputy) signs the report as it stands."""
    report = _report_for_user(request, pk)
    if not permissions.can_case(request.user, report.case, "report_sign"):
        deny(request, "cases.bullyingcase.report_sign", "cases.bureaureport", report.pk)
    run_action(
        request, lambda: services.sign_off(request.user, report), _("已签发。报送人现在可以报送县教体局。")
    )
    return redirect("cases:report_detail", pk=report.pk)


@require_POST
@login_required
def report_acknowledge(request, pk):
    report = _report_for_user(request, pk)
    if not permissions.can_case(request.user, report.case, "acknowledge"):
        deny(request, "cases.bullyingcase.acknowledge", "cases.bureaureport", report.pk)
    form = forms.AcknowledgeForm(request.POST)
    form.is_valid()
    run_action(
        request,
        lambda: services.acknowledge_report(report, by=request.user, note=form.cleaned_data.get("note", "")),
        _("已签收。"),
    )
    return redirect("cases:report_detail", pk=report.pk)


@login_required
def report_docx(request, pk):
    report = _report_for_user(request, pk)
    audit.record("export", report, data={"format": "docx"})
    response = HttpResponse(documents.report_docx(report), content_type=documents.DOCX)
    from django.utils.encoding import escape_uri_path

    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{escape_uri_path(documents.filename_of(report))}"
    )
    return response


class ReportListView(ScopedListView):
    """Reports to the bureau: the bureau's inbox (submitted reports of cases reported to it),
    a school's own reports and drafts."""

    model = BureauReport
    filterset_class = ReportFilter
    # the list shows titles and times: no narrative, of the report or of its case, decrypted
    unread_on_page = encrypted_fields(BureauReport) + encrypted_fields(BullyingCase, "case__")
    template_name = "cases/report_list.html"
    title = gettext_lazy("向教体局报告")
    export_name = gettext_lazy("欺凌事件报告登记")
    columns = [
        (gettext_lazy("案件编号"), "case.number"),
        (gettext_lazy("学校"), "case.school.name"),
        (gettext_lazy("类别"), "title_suffix"),
        (gettext_lazy("报送时间"), "submitted_local"),
        (gettext_lazy("迟报"), "is_late"),
        (gettext_lazy("签收时间"), "ack_local"),
    ]

    def get(self, request, *args, **kwargs):
        if not (
            policy.can(request.user, "cases.bullyingcase.acknowledge")
            or policy.can(request.user, "cases.bullyingcase.report_draft")
        ):
            deny(request, "cases.bullyingcase.acknowledge")
        return super().get(request, *args, **kwargs)

    def base_queryset(self):
        user = self.request.user
        cases = BullyingCase.objects.restrict(user, "view")
        qs = BureauReport.objects.filter(case__in=cases.values("pk")).select_related("case__school")
        drafting = BullyingCase.objects.restrict(user, "report_draft").values("pk")
        qs = qs.filter(Q(submitted_at__isnull=False) | Q(case__in=drafting))
        return qs.order_by(
            F("acknowledged_at").asc(nulls_first=True), "-id"
        )  # the inbox: unacknowledged first

    def submitted_local(self, obj):
        return (
            obj.submitted_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")
            if obj.submitted_at
            else "草稿"
        )

    def ack_local(self, obj):
        return (
            obj.acknowledged_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")
            if obj.acknowledged_at
            else ""
        )
