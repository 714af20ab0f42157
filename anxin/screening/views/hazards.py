"""Hazard points (R-SCR-5) with their measures, the 人防/物防/技防 overview and coverage, and
the monitoring zones and cameras that cover them."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.core import clock, policy
from anxin.core.access import check, get_for_user, require
from anxin.core.editing import post_inline_form
from anxin.core.listing import ScopedListView, current_school_id
from anxin.screening import filters as f
from anxin.screening import forms as sf
from anxin.screening import services
from anxin.screening.models import (
    Camera,
    DutyShift,
    HazardMeasure,
    HazardPoint,
    MeasureType,
    MonitoringZone,
    RiskSignal,
)
from anxin.screening.views._common import SchoolFormView, _schools

# --- hazard points (R-SCR-5) ----------------------------------------------------------------------


class HazardListView(ScopedListView):
    model = HazardPoint
    filterset_class = f.HazardFilter
    template_name = "screening/hazard_list.html"
    title = gettext_lazy("隐患点台账")
    export_name = gettext_lazy("隐患点台账")
    select_related = ("school", "owner")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("地点"), "name"),
        (gettext_lazy("位置"), "location"),
        (gettext_lazy("类型"), "kind"),
        (gettext_lazy("易发时段"), "time_windows"),
        (gettext_lazy("风险"), "risk"),
        (gettext_lazy("隐患情况"), "description"),
        (gettext_lazy("防范措施"), "measure_text"),
        (gettext_lazy("监控覆盖"), "camera_text"),
        (gettext_lazy("责任人"), "owner_name"),
        (gettext_lazy("整改期限"), "due_date"),
        (gettext_lazy("状态"), "status"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .prefetch_related("measures", "cameras")
            .order_by("school__name", "status", "name")
        )

    def measure_text(self, obj):
        return "；".join(f"{m.get_type_display()}：{m.description}" for m in obj.measures.all())

    def camera_text(self, obj):
        working = [c.name for c in obj.cameras.all() if c.working]
        return "、".join(working) if working else _("无")

    def owner_name(self, obj):
        return (obj.owner.real_name or obj.owner.username) if obj.owner_id else ""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "screening.hazardpoint.change")
        ctx["today"] = clock.today()
        return ctx


class HazardEditView(SchoolFormView):
    model = HazardPoint
    permission = "screening.hazardpoint.change"
    form_class = sf.HazardForm
    form_staff = True
    title = pick_title = gettext_lazy("登记隐患点")
    edit_title = gettext_lazy("修改隐患点")
    help_text = gettext_lazy(
        "摸清学校内部及周边易发生欺凌地点，制定切实可行的防范措施，明确责任人和整改期限（贺教发〔2024〕7号 二(二)）。"
    )
    success_message = gettext_lazy("隐患点已保存。")

    def get_cancel_url(self) -> str:
        if self.object:
            return reverse("screening:hazard_detail", args=[self.object.pk])
        return reverse("screening:hazard_list")

    def save(self, form):
        return services.save_hazard(
            by=self.request.user, school=self.school, data=form.cleaned_data, hazard=self.stored_object()
        )

    def get_success_url(self, result) -> str:
        return reverse("screening:hazard_detail", args=[result.pk])


hazard_edit = HazardEditView.as_view()


@login_required
def hazard_detail(request, pk):
    h = get_for_user(
        request, HazardPoint, pk, "view", queryset=HazardPoint.objects.select_related("school", "owner")
    )
    can_change = policy.allows(request.user, h, "change")
    form = sf.MeasureForm(request.POST or None, staff=services.staff_of(h.school_id)) if can_change else None
    done = post_inline_form(
        request,
        h,
        form,
        lambda data: services.add_measure(by=request.user, hazard=h, **data),
        message=_("措施已添加。"),
        success_url=reverse("screening:hazard_detail", args=[h.pk]),
    )
    if done:
        return done
    return render(
        request,
        "screening/hazard_detail.html",
        {
            "title": h.name,
            "h": h,
            "measures": h.measures.select_related("owner"),
            "cameras": h.cameras.select_related("zone"),
            "reported": _reports_naming(request.user, h),
            "form": form,
            "can_change": can_change,
            "today": clock.today(),
        },
    )


def _reports_naming(user, h: HazardPoint) -> dict | None:
    """How often reporters picked this place on the report form: counts only, and only for
    those who may read the school's reports (the triagers), not everyone who sees the register."""
    Report = apps.get_model("intake", "Report")  # intake sits above screening: via the registry

    if not policy.allows(user, Report(county_id=h.county_id, school_id=h.school_id), "view"):
        return None
    return h.reports.aggregate(
        n=Count("pk"),
        recent=Count("pk", filter=Q(created_at__gte=timezone.now() - dt.timedelta(days=90))),
        last=Max("created_at"),
    )


@require_POST
@login_required
def measure_done(request, pk):
    m = get_for_user(request, HazardMeasure, pk, "view")
    check(request, m, "change")
    services.complete_measure(by=request.user, measure=m)
    messages.success(request, _("措施已落实。"))
    return redirect("screening:hazard_detail", pk=m.hazard_id)


@login_required
def hazard_overview(request):
    """人防、物防、技防 overview per school (三 第三阶段 “立体体系”)."""
    require(request, "screening.hazardpoint.view")

    schools = _schools(request, "screening.hazardpoint.view")
    if current_school_id(request):
        schools = schools.filter(pk=current_school_id(request))
    page = Paginator(schools, settings.ANXIN_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [s.pk for s in page.object_list]
    stats = {sid: {t: {"total": 0, "done": 0} for t in MeasureType.values} for sid in ids}
    for sid, t, total, done in (
        HazardMeasure.objects.filter(school_id__in=ids)
        .values("school_id", "type")
        .annotate(total=Count("id"), done=Count("id", filter=Q(done_on__isnull=False)))
        .values_list("school_id", "type", "total", "done")
    ):
        stats[sid][t] = {"total": total, "done": done}
    hazards = dict(
        HazardPoint.objects.filter(school_id__in=ids)
        .exclude(status=HazardPoint.Status.ELIMINATED)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    cameras = dict(
        Camera.objects.filter(school_id__in=ids, working=True)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    shifts = dict(
        DutyShift.objects.filter(school_id__in=ids, active=True)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    rows = [
        {
            "school": s,
            "stats": [(MeasureType(t).label, stats[s.pk][t]) for t in MeasureType.values],
            "hazards": hazards.get(s.pk, 0),
            "cameras": cameras.get(s.pk, 0),
            "shifts": shifts.get(s.pk, 0),
        }
        for s in page.object_list
    ]
    return render(
        request,
        "screening/hazard_overview.html",
        {
            "title": _("人防、物防、技防概览"),
            "rows": rows,
            "page_obj": page,
            "query": "",
        },
    )


@login_required
def hazard_coverage(request):
    """Hazard points with no working camera or no measure; places where signals cluster."""
    require(request, "screening.hazardpoint.view")

    qs = HazardPoint.objects.restrict(request.user).exclude(status=HazardPoint.Status.ELIMINATED)
    if current_school_id(request):
        qs = qs.filter(school_id=current_school_id(request))
    qs = (
        qs.annotate(
            n_cameras=Count("cameras", filter=Q(cameras__working=True), distinct=True),
            n_measures=Count("measures", distinct=True),
        )
        .filter(Q(n_cameras=0) | Q(n_measures=0))
        .select_related("school")
        .order_by("school__name", "-risk", "name")
    )
    page = Paginator(qs, settings.ANXIN_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    clusters = []
    if policy.can(request.user, "screening.riskstate.view"):
        since = clock.now() - dt.timedelta(days=180)
        sig = RiskSignal.objects.restrict(request.user).filter(at__gte=since).exclude(place="")
        if current_school_id(request):
            sig = sig.filter(school_id=current_school_id(request))
        clusters = list(
            sig.values("school__name", "place")
            .annotate(n=Count("source_id", distinct=True))
            .filter(n__gte=2)
            .order_by("-n")[:20]
        )
    return render(
        request,
        "screening/hazard_coverage.html",
        {
            "title": _("监控与措施覆盖"),
            "page_obj": page,
            "object_list": page.object_list,
            "clusters": clusters,
            "query": "",
        },
    )


# --- monitoring zones and cameras (R-SCR-6) ------------------------------------------------------


@login_required
def camera_list(request):
    require(request, "screening.camera.view")
    user = request.user
    zones = MonitoringZone.objects.restrict(user).select_related("school")
    cams = Camera.objects.restrict(user).select_related("school", "zone").prefetch_related("covers")
    if current_school_id(request):
        zones, cams = (
            zones.filter(school_id=current_school_id(request)),
            cams.filter(school_id=current_school_id(request)),
        )
    page = Paginator(
        cams.order_by("school__name", "zone__name", "name"), settings.ANXIN_LIST_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "screening/camera_list.html",
        {
            "title": _("监控区域与摄像头"),
            "zones": zones.order_by("school__name", "name")[:200],
            "page_obj": page,
            "object_list": page.object_list,
            "query": "",
            "can_change": policy.can(user, "screening.camera.change"),
        },
    )


class ZoneCreateView(SchoolFormView):
    permission = "screening.camera.change"
    form_class = sf.ZoneForm
    title = pick_title = gettext_lazy("新增监控区域")
    cancel_url = reverse_lazy("screening:camera_list")
    success_message = gettext_lazy("监控区域已添加。")
    success_url_name = "screening:camera_list"

    def save(self, form):
        return services.add_zone(by=self.request.user, school=self.school, **form.cleaned_data)


zone_create = ZoneCreateView.as_view()


class CameraEditView(SchoolFormView):
    model = Camera
    permission = "screening.camera.change"
    form_class = sf.CameraForm
    form_school = True
    title = pick_title = gettext_lazy("新增摄像头")
    edit_title = gettext_lazy("修改摄像头")
    cancel_url = reverse_lazy("screening:camera_list")
    success_message = gettext_lazy("摄像头已保存。")
    success_url_name = "screening:camera_list"

    def save(self, form):
        return services.save_camera(
            by=self.request.user, school=self.school, data=form.cleaned_data, camera=self.stored_object()
        )


camera_edit = CameraEditView.as_view()
