"""督导 (R-SUP-1): the visits register, planning a visit, scoring it on a phone, completing it,
the 督导意见书; rectification items (raise, answer with evidence, verify or send back); the
county's checklist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.core import audit, policy
from anxin.core.access import check, deny, get_for_user, require
from anxin.core.editing import ServiceFormView, form_errors, run_action
from anxin.core.listing import ScopedListView
from anxin.supervision import access, documents, files, forms, services
from anxin.supervision.checklist import items_for
from anxin.supervision.filters import RectificationFilter, VisitFilter
from anxin.supervision.models import ChecklistItem, Evidence, RectificationItem, Visit
from anxin.supervision.views._common import pick_school, school_for

V = "supervision.visit"
R = "supervision.rectificationitem"


class VisitListView(ScopedListView):
    model = Visit
    filterset_class = VisitFilter
    template_name = "supervision/visit_list.html"
    title = gettext_lazy("督导检查")
    select_related = ("school", "supervisor", "inspection")
    export_action = "view"
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("类别"), "kind"),
        (gettext_lazy("责任督学"), "supervisor"),
        (gettext_lazy("计划日期"), "planned_on"),
        (gettext_lazy("督导日期"), "visited_on"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("得分"), "total"),
    ]

    def kind(self, obj):
        return _("联合检查") if obj.inspection_id else _("责任督学督导")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_plan"] = policy.can(self.request.user, f"{V}.change")
        return ctx


@login_required
def visit_create(request):
    school = school_for(request, f"{V}.change")
    if school is None:
        return pick_school(request, f"{V}.change", _("计划督导"))
    bureau_side = policy.schools_for(request.user, f"{V}.change") is None
    supervisors = services.supervisors_of(school.pk) if bureau_side else None
    form = forms.VisitForm(request.POST or None, supervisors=supervisors)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            visit = services.plan_visit(request.user, school, **data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已计划督导，到校后逐项评分。"))
            return redirect("supervision:visit_detail", pk=visit.pk)
    return render(
        request,
        "supervision/form.html",
        {
            "title": _("计划督导"),
            "subtitle": school.name,
            "school": school,
            "form": form,
            "help": _("按本县督导检查清单逐项评分；发现的问题可当场提出整改事项，明确整改期限。"),
            "cancel": reverse("supervision:visit_list"),
        },
    )


def _visit(request, pk):
    qs = access.visits(request.user).select_related("school", "supervisor", "inspection", "county")
    return access.load(request, qs, pk)


@login_required
def visit_detail(request, pk):
    visit = _visit(request, pk)
    scores = list(visit.scores.all())
    can_work = access.may_work(request.user, visit)
    can_score = can_work and visit.status == Visit.Status.PLANNED
    form = None
    if can_score:
        form = forms.ScoreForm(request.POST or None, initial=forms.visit_initial(visit), scores=scores)
    if request.method == "POST":
        if not can_score:
            deny(request, f"{V}.change", "supervision.visit", visit.pk)
        if form.is_valid():
            complete = "complete" in request.POST
            data = {
                f: form.cleaned_data[f]
                for f in ("findings", "strengths", "visited_on")
                if form.cleaned_data[f] is not None
            }
            try:
                services.save_scores(request.user, visit, form.values(), data)
                if complete:
                    services.complete_visit(request.user, visit)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("督导已完成。") if complete else _("评分已保存。"))
                return redirect("supervision:visit_detail", pk=visit.pk)
    rects = list(visit.rectifications.order_by("due_date", "id"))
    scored = [s for s in scores if s.score is not None]
    return render(
        request,
        "supervision/visit_detail.html",
        {
            "visit": visit,
            "scores": scores,
            "scored": len(scored),
            "form": form,
            "can_work": can_work,
            "can_docx": visit.status == Visit.Status.DONE
            and (policy.allows(request.user, visit, "export") or can_work),
            "rects": rects,
        },
    )


@login_required
def visit_docx(request, pk):
    visit = _visit(request, pk)
    if not (policy.allows(request.user, visit, "export") or access.may_work(request.user, visit)):
        deny(request, f"{V}.export", "supervision.visit", visit.pk)
    if visit.status != Visit.Status.DONE:
        messages.error(request, _("督导完成后才能生成督导意见书。"))
        return redirect("supervision:visit_detail", pk=visit.pk)
    audit.record("export", visit, data={"view": "supervision:visit_docx"})
    return documents.opinion_response(visit)


@login_required
def rectification_create(request, pk):
    visit = _visit(request, pk)
    if not access.may_work(request.user, visit):
        deny(request, f"{R}.change", "supervision.visit", visit.pk)
    form = forms.RectificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.raise_rectification(request.user, visit, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("整改事项已交学校办理。"))
            return redirect("supervision:visit_detail", pk=visit.pk)
    return render(
        request,
        "supervision/form.html",
        {
            "title": _("提出整改事项"),
            "subtitle": visit.school.name,
            "form": form,
            "help": _("学校分管安全副校长在工作台收到整改事项，按期填写整改情况并上传佐证后报送核验。"),
            "cancel": reverse("supervision:visit_detail", args=[visit.pk]),
        },
    )


class RectificationListView(ScopedListView):
    model = RectificationItem
    filterset_class = RectificationFilter
    template_name = "supervision/rectification_list.html"
    title = gettext_lazy("督导整改事项")
    select_related = ("school", "visit")
    export_action = "view"
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("存在问题"), "problem"),
        (gettext_lazy("整改要求"), "requirement"),
        (gettext_lazy("整改期限"), "due_date"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("退回次数"), "returns"),
    ]


def _rect(request, pk):
    qs = access.rectifications(request.user).select_related("school", "visit", "visit__supervisor")
    return access.load(request, qs, pk)


@login_required
def rectification_detail(request, pk):
    item = _rect(request, pk)
    S = RectificationItem.Status
    can_respond = item.status in (S.OPEN, S.RETURNED) and policy.allows(request.user, item, "respond")
    can_review = item.status == S.SUBMITTED and access.may_work(request.user, item.visit)
    response_form = forms.ResponseForm(
        request.POST if request.method == "POST" and "respond" in request.POST else None,
        initial={"action_taken": item.action_taken},
    )
    review_form = forms.ReviewForm(
        request.POST if request.method == "POST" and "review" in request.POST else None
    )
    if request.method == "POST" and "respond" in request.POST:
        check(request, item, "respond")
        if response_form.is_valid():
            text = response_form.cleaned_data["action_taken"]
            try:
                if request.POST.get("respond") == "submit":
                    services.submit_response(request.user, item, action_taken=text)
                    msg = _("已报送督学核验。")
                else:
                    services.save_response(request.user, item, action_taken=text)
                    msg = _("已保存。")
            except ValidationError as exc:
                form_errors(response_form, exc)
            else:
                messages.success(request, msg)
                return redirect("supervision:rectification_detail", pk=item.pk)
    elif request.method == "POST" and "review" in request.POST:
        if not access.may_work(request.user, item.visit):
            deny(request, f"{R}.change", "supervision.rectificationitem", item.pk)
        if review_form.is_valid():
            accept = request.POST.get("review") == "accept"
            try:
                services.review(
                    request.user, item, accept=accept, note=review_form.cleaned_data["review_note"]
                )
            except ValidationError as exc:
                form_errors(review_form, exc)
            else:
                messages.success(request, _("已核验通过。") if accept else _("已退回学校继续整改。"))
                return redirect("supervision:rectification_detail", pk=item.pk)
    elif request.method == "POST":
        deny(request, f"{R}.respond", "supervision.rectificationitem", item.pk)
    return render(
        request,
        "supervision/rectification_detail.html",
        {
            "item": item,
            "evidence": list(item.evidence.all()),
            "can_respond": can_respond,
            "can_review": can_review,
            "response_form": response_form,
            "review_form": review_form,
            "evidence_form": forms.EvidenceForm() if can_respond else None,
        },
    )


@login_required
@require_POST
def evidence_upload(request, pk):
    item = _rect(request, pk)
    check(request, item, "respond")
    form = forms.EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择文件。"))
    else:
        run_action(
            request,
            lambda: services.add_evidence(request.user, item, form.cleaned_data["file"]),
            _("整改佐证已上传。"),
        )
    return redirect("supervision:rectification_detail", pk=item.pk)


@login_required
def evidence_download(request, pk):
    ev = Evidence.objects.filter(pk=pk, rectification__in=access.rectifications(request.user)).first()
    if ev is None:
        ev = get_for_user(request, Evidence, pk)  # 404 and the audited denial
    return files.download(ev, filename=f"整改佐证-{ev.pk}", view="supervision:evidence_download")


@login_required
def checklist(request):
    require(request, "supervision.checklistitem.view")
    county_id = request.user.county_id
    items_for(county_id)
    items = (
        ChecklistItem.objects.restrict(request.user).filter(county_id=county_id).order_by("position", "id")
    )
    can_edit = policy.can(request.user, "supervision.checklistitem.change")
    form = forms.ChecklistItemForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        require(request, "supervision.checklistitem.change")
        if form.is_valid():
            try:
                services.save_item(request.user, county_id, form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已添加检查项目。"))
                return redirect("supervision:checklist")
    items = list(items)
    return render(
        request,
        "supervision/checklist.html",
        {
            "items": items,
            "total": sum(i.weight for i in items if i.active),
            "form": form,
            "can_edit": can_edit,
        },
    )


class ChecklistItemEditView(ServiceFormView):
    """Edit one item of the county's checklist (the bureau): the shared edit page."""

    model = ChecklistItem
    form_class = forms.ChecklistItemForm
    template_name = "supervision/form.html"
    title = gettext_lazy("编辑检查项目")
    help_text = gettext_lazy("改动只影响今后计划的督导；已计划和已完成的督导保留当时的项目和分值。")
    success_message = gettext_lazy("已保存。")
    cancel_url = reverse_lazy("supervision:checklist")

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "instance": self.object}

    def save(self, form):
        return services.save_item(
            self.request.user, self.object.county_id, form.cleaned_data, item=self.object
        )

    def get_success_url(self, result) -> str:
        return reverse("supervision:checklist")


checklist_item_edit = ChecklistItemEditView.as_view()
