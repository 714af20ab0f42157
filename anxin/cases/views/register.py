"""The register (台账, LAW 17) and opening a case (R-CASE-1)."""

from __future__ import annotations

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.cases import forms, permissions, services
from anxin.cases.filters import CaseFilter, late_q
from anxin.cases.models import (
    BullyingCase,
    CaseState,
    Source,
)
from anxin.cases.views._common import S
from anxin.core import clock, policy
from anxin.core.duties import id_path
from anxin.core.editing import ServiceFormView
from anxin.core.listing import ScopedListView, choice_labels, figures

# --- the register (台账) -------------------------------------------------------------------------


def _can_open_annotation(user):
    q = permissions.case_scope_q(user, "view")
    if q is None:
        return Value(False, output_field=BooleanField())
    return ExpressionWrapper(q, output_field=BooleanField())


class CaseListView(ScopedListView):
    """Every case in scope (LAW 17), late reports marked; no students' names (the register is
    what the bureau and supervisors see of cases not reported to them)."""

    model = BullyingCase
    filterset_class = CaseFilter
    template_name = "cases/case_list.html"
    title = gettext_lazy("欺凌事件台账")
    export_name = gettext_lazy("欺凌事件台账")
    select_related = ("school",)
    cache_counts = True  # 200,000 cases in a county: no COUNT(*) per page view
    columns = [
        (gettext_lazy("案件编号"), "number"),
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("来源"), "source"),
        (gettext_lazy("发现时间"), "discovered_local"),
        (gettext_lazy("发生时间"), "occurred_local"),
        (gettext_lazy("地点"), "place"),
        (gettext_lazy("行为类型"), "behaviour_text"),
        (gettext_lazy("阶段"), "state"),
        (gettext_lazy("认定结果"), "result"),
        (gettext_lazy("舆情"), "is_public_opinion"),
        (gettext_lazy("须报告"), "report_required"),
        (gettext_lazy("首报时间"), "reported_local"),
        (gettext_lazy("迟报"), "late_text"),
        (gettext_lazy("报警时间"), "police_local"),
        (gettext_lazy("结案时间"), "closed_local"),
    ]

    def dispatch(self, request, *args, **kwargs):
        # the register for those who keep or supervise it; otherwise the cases one may open
        if request.user.is_authenticated and not policy.can(request.user, "cases.bullyingcase.register"):
            self.action = "view"
        else:
            self.action = "register"
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        qs = (
            super()
            .base_queryset()
            .only(
                "id",
                "number",
                "school__name",
                "school__town",
                "source",
                "discovered_at",
                "occurred_at",
                "place",
                "behaviour_types",
                "state",
                "result",
                "is_public_opinion",
                "report_required",
                "report_due_at",
                "first_reported_at",
                "report_late",
                "police_reported_at",
                "closed_at",
                "county_id",
                "school_id",
            )
        )
        return qs.annotate(
            can_open=_can_open_annotation(self.request.user),
            late_now=ExpressionWrapper(late_q(), output_field=BooleanField()),
        ).order_by("-discovered_at", "-id")

    @staticmethod
    def _local(value):
        return value.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""

    def discovered_local(self, obj):
        return self._local(obj.discovered_at)

    def occurred_local(self, obj):
        return self._local(obj.occurred_at)

    def reported_local(self, obj):
        return self._local(obj.first_reported_at)

    def police_local(self, obj):
        return self._local(obj.police_reported_at)

    def closed_local(self, obj):
        return self._local(obj.closed_at)

    def behaviour_text(self, obj):
        return "、".join(obj.behaviour_labels)

    def late_text(self, obj):
        return "迟报" if obj.is_late_now else ""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        base = BullyingCase.objects.restrict(user, self.action)

        def cards():  # one pass over the cases in scope for both cards
            return base.aggregate(
                open=Count("pk", filter=~Q(state=S.CLOSED)),
                late=Count("pk", filter=late_q()),
            )

        counts = figures(self.request, "cases", ("register-cards", self.action), cards)
        ctx.update(
            rows=_rows(ctx["object_list"].values(*_ROW_FIELDS)),
            can_open_case=policy.can(user, "cases.bullyingcase.open"),
            late_count=counts["late"],
            open_count=counts["open"],
        )
        return ctx


# what a row of the page shows: read as values, not as cases (no model instance per row)
_ROW_FIELDS = (
    "pk",
    "number",
    "can_open",
    "school__name",
    "discovered_at",
    "first_reported_at",
    "source",
    "is_public_opinion",
    "state",
    "result",
    "late_now",
    "report_required",
)


def _rows(cases) -> list[dict]:
    """The page's rows as plain strings, made once here rather than resolved cell by cell in
    the template (labels of choices, local times, the case page's address); ``cases`` are
    dicts of ``_ROW_FIELDS``."""
    sources, states, results = choice_labels(BullyingCase, "source", "state", "result")
    page_of = id_path("cases:case_detail")
    rows = []
    for c in cases:
        found = timezone.localtime(c["discovered_at"])
        reported = timezone.localtime(c["first_reported_at"]) if c["first_reported_at"] else None
        rows.append(
            {
                "number": c["number"],
                "url": page_of(c["pk"]) if c["can_open"] else "",
                "school": c["school__name"],
                "discovered": f"{found:%Y-%m-%d %H:%M}",
                "source": sources.get(c["source"], c["source"]),
                "opinion": c["is_public_opinion"],
                "state": states.get(c["state"], c["state"]),
                "closed": c["state"] == CaseState.CLOSED,
                "result": results.get(c["result"], c["result"]),
                "late_now": c["late_now"],
                "reported": f"{reported:%m-%d %H:%M}" if reported else "",
                "required": c["report_required"],
            }
        )
    return rows


# --- opening a case ----------------------------------------------------------------------------


class CaseNewView(ServiceFormView):
    """登记欺凌事件 (R-CASE-1) at a school where the user may open cases."""

    permission = "cases.bullyingcase.open"
    form_class = forms.OpenCaseForm
    template_name = "cases/case_new.html"
    title = gettext_lazy("登记欺凌事件")

    def get_form_kwargs(self) -> dict:
        from anxin.org.models import School

        ids = policy.schools_for(self.request.user, "cases.bullyingcase.open")
        schools = School.objects.restrict(self.request.user).filter(pk__in=ids or []).order_by("name")
        return {"data": self.request.POST or None, "schools": schools}

    def save(self, form):
        d = form.cleaned_data
        return services.open_case(
            by=self.request.user,
            school=d["school"],
            source=d["source"],
            discovered_at=d["discovered_at"],
            occurred_at=d["occurred_at"],
            place=d["place"],
            summary=d["summary"],
            behaviour_types=d["behaviour_types"],
            is_public_opinion=d["is_public_opinion"],
            suspected_serious=d["suspected_serious"],
        )

    def get_success_message(self, result) -> str:
        return _("已登记事件 %(n)s。请添加当事人。") % {"n": result.number}

    def get_success_url(self, result) -> str:
        return reverse("cases:case_detail", args=[result.pk])

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(first_responder_sources=[Source.HOTLINE, Source.EMAIL], **kwargs)


case_new = CaseNewView.as_view()
