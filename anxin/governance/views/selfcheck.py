"""学校自查 (R-SCR-8): the school's self-check, its answers and evidence; the county's checklist
and settings; the bureau's board of every school (self-check gaps, documents, work plan,
leading group, lessons studied) with its .xlsx export."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.core import audit, policy
from anxin.core.access import check, get_for_user, require
from anxin.core.editing import form_errors, run_action
from anxin.core.listing import ScopedListView
from anxin.core.xlsx import xlsx_response
from anxin.governance import files, forms, services
from anxin.governance.checklist import items_for
from anxin.governance.documents_state import rules_states, setting_for
from anxin.governance.filters import SelfCheckFilter
from anxin.governance.leading import groups
from anxin.governance.models import (
    Answer,
    AnswerEvidence,
    ChecklistItem,
    Dimension,
    LessonAssignment,
    SelfCheck,
    SelfCheckAnswer,
)
from anxin.governance.views._common import pick_school, school_for, schools

SC = "governance.selfcheck"


class SelfCheckListView(ScopedListView):
    model = SelfCheck
    filterset_class = SelfCheckFilter
    template_name = "governance/selfcheck_list.html"
    title = gettext_lazy("学校自查")
    select_related = ("school", "submitted_by")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("自查批次"), "period"),
        (gettext_lazy("自查日期"), "checked_on"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("问题项"), "gaps"),
        (gettext_lazy("提交人"), "submitted_by"),
        (gettext_lazy("提交时间"), "submitted_at"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_start"] = policy.can(self.request.user, f"{SC}.change")
        ctx["can_board"] = policy.can(self.request.user, f"{SC}.export")
        return ctx


def _answers_by_dimension(sc: SelfCheck):
    answers = list(
        sc.answers.select_related("item", "rectification")
        .prefetch_related("evidence")
        .order_by("item__position", "item_id")
    )
    grouped: dict[str, list] = defaultdict(list)
    for a in answers:
        grouped[a.item.dimension].append(a)
    labels = dict(Dimension.choices)
    return [(labels[d], grouped[d]) for d in Dimension.values if grouped[d]], answers


@login_required
def selfcheck_start(request):
    school = school_for(request, f"{SC}.change")
    if school is None:
        return pick_school(request, f"{SC}.change", _("开展学校自查"))
    form = forms.StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sc = services.start_selfcheck(request.user, school, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已开始自查：平台已按现有数据给出部分建议，请逐项确认。"))
            return redirect("governance:selfcheck_detail", pk=sc.pk)
    return render(
        request,
        "governance/form.html",
        {
            "title": _("开展学校自查"),
            "subtitle": school.name,
            "school": school,
            "form": form,
            "help": _(
                "自查覆盖工作机制、制度措施、队伍建设、责任落实、宣传引导、教育惩戒、条件保障七个方面。"
            ),
            "cancel": reverse("governance:selfcheck_list"),
        },
    )


def _save_posted(request, sc: SelfCheck) -> None:
    """The answers posted from the self-check page ({answer id: (value, note)})."""
    values = {}
    for a in sc.answers.all():
        if f"answer_{a.pk}" in request.POST or f"note_{a.pk}" in request.POST:
            values[a.pk] = (request.POST.get(f"answer_{a.pk}", ""), request.POST.get(f"note_{a.pk}", ""))
    if values:
        services.save_answers(request.user, sc, values)


@login_required
def selfcheck_detail(request, pk):
    sc = get_for_user(
        request, SelfCheck, pk, queryset=SelfCheck.objects.select_related("school", "submitted_by")
    )
    can_change = sc.status == SelfCheck.Status.DRAFT and policy.allows(request.user, sc, "change")
    if request.method == "POST":
        check(request, sc, "change")
        run_action(request, lambda: _save_posted(request, sc), _("已保存。"))
        return redirect("governance:selfcheck_detail", pk=sc.pk)
    groups_, answers = _answers_by_dimension(sc)
    return render(
        request,
        "governance/selfcheck_detail.html",
        {
            "sc": sc,
            "groups": groups_,
            "answered": sum(1 for a in answers if a.answer),
            "total": len(answers),
            "gap_count": sum(1 for a in answers if a.is_gap),
            "can_change": can_change,
            "choices": Answer.choices,
            "evidence_form": forms.EvidenceForm() if can_change else None,
        },
    )


@login_required
@require_POST
def selfcheck_submit(request, pk):
    sc = get_for_user(request, SelfCheck, pk)
    check(request, sc, "change")
    try:
        with transaction.atomic():
            _save_posted(request, sc)
        sc = services.submit_selfcheck(request.user, sc)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        if sc.gaps:
            messages.success(request, _("自查已提交，%(n)d 个问题项已转入问题整改台账。") % {"n": sc.gaps})
        else:
            messages.success(request, _("自查已提交。"))
    return redirect("governance:selfcheck_detail", pk=sc.pk)


@login_required
@require_POST
def evidence_upload(request, pk):
    answer = get_for_user(
        request, SelfCheckAnswer, pk, queryset=SelfCheckAnswer.objects.select_related("selfcheck")
    )
    check(request, answer.selfcheck, "change")
    form = forms.EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择文件。"))
    else:
        run_action(
            request,
            lambda: services.add_evidence(request.user, answer, form.cleaned_data["file"]),
            _("佐证材料已上传。"),
        )
    return redirect(reverse("governance:selfcheck_detail", args=[answer.selfcheck_id]) + f"#a{answer.pk}")


@login_required
def evidence_download(request, pk):
    ev = get_for_user(request, AnswerEvidence, pk)
    return files.download(ev, filename=f"自查佐证-{ev.pk}", view="governance:evidence_download")


# --- the county: checklist and settings ---------------------------------------------------------


@login_required
def checklist(request):
    require(request, "governance.checklistitem.view")
    county_id = request.user.county_id
    items_for(county_id)  # the default checklist on first use
    items = (
        ChecklistItem.objects.restrict(request.user, "view")
        .filter(county_id=county_id)
        .order_by("position", "id")
    )
    probe = ChecklistItem(county_id=county_id)
    can_change = policy.allows(request.user, probe, "change")
    form = forms.ChecklistItemForm(request.POST or None, initial={"position": 200}) if can_change else None
    if request.method == "POST":
        check(request, probe, "change")
        if form.is_valid():
            try:
                services.save_item(request.user, county_id, form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已添加自查项目。"))
                return redirect("governance:checklist")
    grouped: dict[str, list] = defaultdict(list)
    for i in items:
        grouped[i.dimension].append(i)
    labels = dict(Dimension.choices)
    return render(
        request,
        "governance/checklist.html",
        {
            "title": _("学校自查清单"),
            "groups": [(labels[d], grouped[d]) for d in Dimension.values],
            "form": form,
            "can_change": can_change,
        },
    )


@login_required
def checklist_item_edit(request, pk):
    item = get_for_user(request, ChecklistItem, pk)
    check(request, item, "change")
    form = forms.ChecklistItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_item(
                request.user, item.county_id, form.cleaned_data, ChecklistItem.objects.get(pk=item.pk)
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("governance:checklist")
    return render(
        request,
        "governance/form.html",
        {"title": _("修改自查项目"), "form": form, "cancel": reverse("governance:checklist")},
    )


@login_required
def settings_view(request):
    require(request, "governance.governancesetting.change")
    setting = setting_for(request.user.county_id)
    form = forms.SettingForm(
        request.POST or None, initial={"rules_max_age_months": setting.rules_max_age_months}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_setting(
                request.user, request.user.county_id, form.cleaned_data["rules_max_age_months"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("governance:board")
    return render(
        request,
        "governance/form.html",
        {"title": _("制度文件修订周期"), "form": form, "cancel": reverse("governance:board")},
    )


# --- the board: every school at a glance ------------------------------------------------------


def board_rows(school_list):
    """One row per school: the latest submitted self-check and its gaps, the rules documents,
    the work plan, the leading group and lessons studied. A fixed number of queries."""
    school_list = list(school_list)
    latest: dict[int, SelfCheck] = {}
    for sc in SelfCheck.objects.filter(school__in=school_list, status=SelfCheck.Status.SUBMITTED).order_by(
        "school_id", "-submitted_at", "-id"
    ):
        latest.setdefault(sc.school_id, sc)
    gaps: dict[int, list[str]] = defaultdict(list)
    for a in (
        SelfCheckAnswer.objects.filter(
            selfcheck__in=list(latest.values()), answer__in=[Answer.NO, Answer.PARTIAL]
        )
        .select_related("item")
        .order_by("item__position")
    ):
        gaps[a.school_id].append(
            f"{a.item.get_dimension_display()}：{a.item.text}（{a.get_answer_display()}）"
        )
    docs = rules_states(school_list)
    lg = groups(school_list)
    studied = {
        r["school_id"]: (r["done"], r["total"])
        for r in LessonAssignment.objects.filter(school__in=school_list)
        .values("school_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(studied_at__isnull=False)))
    }
    rows = []
    for s in school_list:
        rows.append(
            {
                "school": s,
                "selfcheck": latest.get(s.pk),
                "gaps": gaps.get(s.pk, []),
                "docs": docs[s.pk],
                "group": lg[s.pk],
                "studied": studied.get(s.pk, (0, 0)),
            }
        )
    return rows


@login_required
def board(request):
    require(request, f"{SC}.view")
    school_list = list(schools(request, f"{SC}.view"))
    rows = board_rows(school_list)
    if request.GET.get("format") == "xlsx":
        require(request, f"{SC}.export")
        header = [
            _("学校"),
            _("最近提交自查"),
            _("问题项"),
            _("问题明细"),
            _("制度文件"),
            _("工作方案"),
            _("领导小组"),
            _("案例学习"),
        ]
        data = [
            [
                r["school"].name,
                f"{r['selfcheck'].period} {timezone.localtime(r['selfcheck'].submitted_at):%Y-%m-%d}"
                if r["selfcheck"]
                else _("未提交"),
                r["selfcheck"].gaps if r["selfcheck"] else "",
                "；".join(r["gaps"]),
                r["docs"].reason,
                f"第{r['docs'].workplan.number}版" if r["docs"].workplan else _("未上传"),
                _("已成立") if r["group"].formed else _("缺：") + "、".join(r["group"].missing),
                f"{r['studied'][0]}/{r['studied'][1]}",
            ]
            for r in rows
        ]
        response = xlsx_response(
            f"各校自查与制度情况-{timezone.localdate():%Y%m%d}.xlsx", [(_("各校情况"), header, data)]
        )
        audit.append("export", object_type="governance.selfcheck", data={"board": len(rows)})
        return response
    return render(
        request,
        "governance/board.html",
        {
            "title": _("各校自查与制度情况"),
            "rows": rows,
            "can_export": policy.can(request.user, f"{SC}.export"),
            "can_settings": policy.can(request.user, "governance.governancesetting.change"),
            "max_age": setting_for(request.user.county_id).rules_max_age_months
            if request.user.county_id
            else 12,
        },
    )
