"""Campaign pages: list, create from a template, detail (phases and tasks), phase and task
edit, the county board (and its .xlsx), the school's own tasks, a task's evidence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.campaigns import forms as cf
from anxin.campaigns import progress, services
from anxin.campaigns.models import Attachment, Campaign, Phase, Task, TaskKind, TaskProgress
from anxin.campaigns.views._common import school_in_view, visible_schools
from anxin.core import audit, clock, evaluators, filecrypt, policy
from anxin.core.access import check, get_for_user, require
from anxin.core.editing import ServiceFormView, form_errors
from anxin.core.listing import current_school_id
from anxin.core.xlsx import xlsx_response

__all__ = [
    "campaign_list",
    "CampaignCreateView",
    "campaign_detail",
    "PhaseEditView",
    "TaskEditView",
    "TaskAddView",
    "task_delete",
    "board",
    "school_tasks",
    "progress_page",
    "progress_return",
    "attachment_download",
]


@login_required
def campaign_list(request):
    require(request, "campaigns.campaign.view")
    campaigns = list(
        Campaign.objects.restrict(request.user, "view")
        .prefetch_related("phases")
        .order_by("-created_at", "-id")
    )
    today = clock.today()
    for c in campaigns:
        c.current = progress.current_phase(c, list(c.phases.all()), today)
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "title": _("专项行动"),
            "campaigns": campaigns,
            "can_create": policy.can(request.user, "campaigns.campaign.change"),
        },
    )


class CampaignCreateView(ServiceFormView):
    permission = "campaigns.campaign.change"
    form_class = cf.CampaignCreateForm
    template_name = "campaigns/form.html"
    title = gettext_lazy("建立专项行动")
    help_text = gettext_lazy("从模板建立：阶段、期限和每个阶段学校要完成的任务都会建好，建立后可以修改。")
    success_message = gettext_lazy("已建立专项行动“%(obj)s”。")
    success_url_name = "campaigns:detail"

    def get_initial(self):
        return {"template_key": "seed2024", "start": clock.today()}

    def save(self, form):
        return services.create_from_template(
            by=self.request.user, county=self.request.user.county_id, **form.cleaned_data
        )


@login_required
def campaign_detail(request, pk):
    campaign = get_for_user(request, Campaign, pk)
    phases = list(campaign.phases.order_by("order"))
    tasks = list(campaign.tasks.order_by("order", "id"))
    for p in phases:
        p.task_list = [t for t in tasks if t.phase_id == p.pk]
    for t in tasks:
        ev = evaluators.get(t.evaluator) if t.evaluator else None
        t.evaluator_label = ev.label if ev else ""
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "phases": phases,
            "current": progress.current_phase(campaign, phases),
            "can_change": policy.allows(request.user, campaign, "change"),
            "can_review": policy.can(request.user, "campaigns.article.review"),
            "today": clock.today(),
        },
    )


class PhaseEditView(ServiceFormView):
    model = Phase
    form_class = cf.PhaseForm
    template_name = "campaigns/form.html"
    title = gettext_lazy("修改阶段")
    success_message = gettext_lazy("已保存阶段“%(obj)s”。")

    def get_initial(self):
        p = self.object
        return {"name": p.name, "starts_on": p.starts_on, "deadline": p.deadline}

    def save(self, form):
        return services.update_phase(by=self.request.user, phase=self.object, data=form.cleaned_data)

    def get_success_url(self, result):
        return reverse("campaigns:detail", args=[result.campaign_id])

    def get_cancel_url(self):
        return reverse("campaigns:detail", args=[self.object.campaign_id])


class TaskEditView(ServiceFormView):
    model = Task
    form_class = cf.TaskForm
    template_name = "campaigns/form.html"
    title = gettext_lazy("修改任务")
    success_message = gettext_lazy("已保存任务“%(obj)s”。")

    def get_initial(self):
        import json

        t = self.object
        return {
            "title": t.title,
            "description": t.description,
            "school_type": t.school_type,
            "evaluator": t.evaluator,
            "params": json.dumps(t.params, ensure_ascii=False) if t.params else "",
        }

    def save(self, form):
        return services.update_task(by=self.request.user, task=self.object, data=form.cleaned_data)

    def get_success_url(self, result):
        return reverse("campaigns:detail", args=[result.campaign_id])

    def get_cancel_url(self):
        return reverse("campaigns:detail", args=[self.object.campaign_id])


class TaskAddView(ServiceFormView):
    model = Phase
    form_class = cf.TaskForm
    template_name = "campaigns/form.html"
    title = gettext_lazy("添加任务")
    success_message = gettext_lazy("已添加任务“%(obj)s”。")

    def save(self, form):
        return services.add_task(by=self.request.user, phase=self.object, data=form.cleaned_data)

    def get_success_url(self, result):
        return reverse("campaigns:detail", args=[result.campaign_id])

    def get_cancel_url(self):
        return reverse("campaigns:detail", args=[self.object.campaign_id])


@login_required
@require_POST
def task_delete(request, pk):
    task = get_for_user(request, Task, pk)
    check(request, task, "change")
    try:
        services.delete_task(by=request.user, task=task)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已删除任务。"))
    return redirect("campaigns:detail", task.campaign_id)


def _board_filters(request, campaign):
    from anxin.org.models import SchoolType

    phases = list(campaign.phases.order_by("order"))
    phase = None
    raw = request.GET.get("phase")
    if raw == "all":
        phase = None
    elif raw:
        phase = next((p for p in phases if str(p.pk) == raw), None)
    else:
        phase = progress.current_phase(campaign, phases)
    stype = request.GET.get("type") or ""
    if stype not in SchoolType.values:
        stype = ""
    return phases, phase, stype, SchoolType.choices


@login_required
def board(request, pk):
    """The county board: schools × tasks, coloured, filterable by phase and school type."""
    campaign = get_for_user(request, Campaign, pk)
    require(request, "campaigns.taskprogress.view")
    phases, phase, stype, types = _board_filters(request, campaign)
    schools = visible_schools(request.user, "campaigns.taskprogress.view")
    if current_school_id(request):  # the top bar's school, for a county user looking at one
        schools = schools.filter(pk=current_school_id(request))
    if stype:
        schools = schools.filter(type=stype)
    result = progress.evaluate(campaign, schools, phase=phase)
    if request.GET.get("format") == "xlsx":
        require(request, "campaigns.campaign.export")
        header = [_("学校"), _("类型"), _("完成率")] + [f"{t.phase.name}·{t.title}" for t in result.tasks]
        rows = (
            [r.school.name, r.school.get_type_display(), f"{r.pct}%"]
            + [
                c.label if c.state == progress.CellState.NA else f"{c.label} {c.detail}".strip()
                for c in r.cells
            ]
            for r in result.rows
        )
        response = xlsx_response(
            f"{campaign.title}-进度-{timezone.localdate():%Y%m%d}.xlsx", [(_("进度"), header, rows)]
        )
        audit.record("export", campaign, data={"phase": phase.pk if phase else None, "type": stype})
        return response
    return render(
        request,
        "campaigns/board.html",
        {
            "campaign": campaign,
            "board": result,
            "phases": phases,
            "phase": phase,
            "stype": stype,
            "types": types,
            "query": request.GET.urlencode(),
            "can_export": policy.can(request.user, "campaigns.campaign.export"),
            "states": progress.LABELS,
        },
    )


@login_required
def school_tasks(request):
    """本校专项行动任务: the school's tasks of every running campaign, phase by phase."""
    require(request, "campaigns.campaign.view")
    school = school_in_view(request)
    sections = []
    if school is not None:
        for c in progress.running_campaigns([school.county_id]):
            result = progress.evaluate(c, [school])
            cells = result.rows[0].cells if result.rows else []
            by_phase = []
            for ph in c.phases.order_by("order"):
                mine = [x for x in cells if x.task.phase_id == ph.pk and x.state != progress.CellState.NA]
                if mine:
                    by_phase.append({"phase": ph, "cells": mine, "done": sum(1 for x in mine if x.done)})
            sections.append({"campaign": c, "phases": by_phase, "current": progress.current_phase(c)})
    schools = (
        list(visible_schools(request.user))
        if policy.schools_for(request.user, "campaigns.campaign.view") is None
        else []
    )
    return render(
        request,
        "campaigns/school_tasks.html",
        {
            "title": _("本校专项行动任务"),
            "school": school,
            "sections": sections,
            "schools": schools,
            "today": clock.today(),
        },
    )


def _progress_target(request, task_pk, school_pk):
    task = get_for_user(request, Task, task_pk)
    school = visible_schools(request.user, "campaigns.taskprogress.view").filter(pk=school_pk).first()
    if school is None or task.kind != TaskKind.EVIDENCE or not task.applies_to(school):
        audit.append(
            "denied",
            object_type="org.school",
            object_id=school_pk,
            result="denied",
            data={"perm": "campaigns.taskprogress.view"},
        )
        raise Http404
    return task, school


@login_required
def progress_page(request, task_pk, school_pk):
    """An evidenced task for one school: the school reports (note and files); the bureau reads
    and may return it with a comment."""
    task, school = _progress_target(request, task_pk, school_pk)
    prog = TaskProgress.objects.filter(task=task, school=school).prefetch_related("files").first()
    probe = prog or TaskProgress(county_id=school.county_id, school_id=school.pk, task=task)
    can_submit = policy.allows(request.user, probe, "change")
    can_return = prog is not None and prog.done and policy.allows(request.user, prog, "review")
    form = None
    if can_submit:
        initial = {"note": prog.note} if prog else {}
        form = cf.ProgressForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.submit_progress(
                    by=request.user,
                    task=task,
                    school=school,
                    note=form.cleaned_data["note"],
                    files=form.cleaned_data["files"],
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已上报“%(t)s”的完成情况。") % {"t": task.title})
                return redirect("campaigns:progress", task.pk, school.pk)
    elif request.method == "POST":
        check(request, probe, "change")
    if prog is not None:
        audit.record("read", prog, data={"view": "campaigns:progress"})
    return render(
        request,
        "campaigns/progress.html",
        {
            "task": task,
            "school": school,
            "prog": prog,
            "form": form,
            "return_form": cf.CommentForm() if can_return else None,
            "overdue": clock.today() > task.phase.deadline and not (prog and prog.done),
        },
    )


@login_required
@require_POST
def progress_return(request, pk):
    prog = get_for_user(request, TaskProgress, pk)
    check(request, prog, "review")
    try:
        services.return_progress(by=request.user, progress=prog, comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已退回，学校将看到退回意见。"))
    return redirect("campaigns:progress", prog.task_id, prog.school_id)


@login_required
def attachment_download(request, pk):
    att = get_object_or_404(Attachment.objects.select_related("progress", "article"), pk=pk)
    parent = att.progress or att.article
    if parent is None or not policy.allows(request.user, parent, "view"):
        audit.append(
            "denied", object_type="campaigns.attachment", object_id=pk, result="denied", data={"perm": "view"}
        )
        raise Http404
    try:
        fh = filecrypt.open_plain(att.file)
    except (OSError, filecrypt.Damaged):
        raise Http404 from None
    audit.record("read", att, data={"view": "campaigns:attachment"})
    response = FileResponse(
        fh, content_type=att.content_type, as_attachment=not att.is_image, filename=att.original_name
    )
    response["Content-Length"] = str(fh.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response
