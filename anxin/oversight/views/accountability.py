"""问责 pages (R-CMP-4): the list for 通报约谈 over the county's thresholds (with the cases
behind each row), the thresholds (bureau), the actions (通报、约谈、限期整改…) with their
follow-up, and the .xlsx of the list and the actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import audit, clock, policy
from anxin.core.access import check, deny, get_for_user, require
from anxin.core.editing import form_errors
from anxin.core.listing import ScopedListView, current_school_id
from anxin.core.xlsx import xlsx_response
from anxin.oversight import forms, services
from anxin.oversight.accountability import compute, parse_term, recent_terms
from anxin.oversight.filters import ActionFilter
from anxin.oversight.models import Action, ActionKind, Level

ACC = "oversight.accountability.view"


def _scope(request) -> tuple[int, set[int] | None]:
    """(county, schools) the user reads the list for: None = the whole county."""
    county = request.user.county_id
    schools = policy.schools_for(request.user, ACC)
    chosen = current_school_id(request)
    if chosen and (schools is None or chosen in schools):
        return county, {chosen}
    return county, schools


def _action_rows(actions):
    return [
        [
            a.school.name,
            a.target,
            a.get_kind_display(),
            a.decided_on,
            a.reason,
            a.cases,
            a.interviewees,
            a.interviewers,
            a.agreed,
            a.owner.real_name or a.owner.username,
            a.follow_up_due,
            a.done_on or _("未完成"),
            a.done_note,
        ]
        for a in actions
    ]


ACTION_HEADER = [
    gettext_lazy("学校"),
    gettext_lazy("对象"),
    gettext_lazy("问责方式"),
    gettext_lazy("日期"),
    gettext_lazy("问责原因"),
    gettext_lazy("涉及事件"),
    gettext_lazy("被约谈人"),
    gettext_lazy("约谈人"),
    gettext_lazy("约谈要求与整改承诺"),
    gettext_lazy("整改责任人"),
    gettext_lazy("整改期限"),
    gettext_lazy("整改完成"),
    gettext_lazy("整改情况"),
]


@login_required
def accountability(request):
    require(request, ACC)
    term = parse_term(request.GET.get("term"))
    county, schools = _scope(request)
    rows = compute(county, schools, term, viewer=request.user)
    actions = Action.objects.restrict(request.user, "view").select_related(
        "school", "grade", "klass", "owner"
    )
    if schools is not None:
        actions = actions.filter(school_id__in=list(schools))
    if request.GET.get("format") == "xlsx":
        require(request, "oversight.action.export")
        header = [_("学校"), _("对象"), _("名称"), _("建议"), _("原因"), _("所涉事件")]
        data = [
            [r.school, r.level_label, r.target, r.action_label, "；".join(r.reasons), "、".join(r.case_list)]
            for r in rows
        ]
        response = xlsx_response(
            f"通报约谈名单-{term.label}-{clock.today():%Y%m%d}.xlsx",
            [
                (_("通报约谈名单"), header, data),
                (
                    _("问责措施"),
                    [str(h) for h in ACTION_HEADER],
                    _action_rows(actions.order_by("school_id", "decided_on")),
                ),
            ],
        )
        audit.append("export", object_type="oversight.action", data={"term": term.key})
        return response
    done = {
        (a.level, a.school_id, a.grade_id if a.level != Level.SCHOOL else None, a.klass_id)
        for a in actions.filter(decided_on__gte=term.start, decided_on__lte=term.end)
        .select_related(None)
        .only("level", "school_id", "grade_id", "klass_id")
    }
    for r in rows:  # an action already recorded this term on the same class, grade or school
        r.recorded = (r.level, r.school_id, r.grade_id, r.klass_id) in done
    return render(
        request,
        "oversight/accountability.html",
        {
            "title": _("通报约谈名单"),
            "term": term,
            "terms": recent_terms(),
            "rows": rows,
            "setting": services.setting_for(county),
            "can_act": policy.can(request.user, "oversight.action.change"),
            "can_set": policy.can(request.user, "oversight.accountabilitysetting.change"),
            "can_export": policy.can(request.user, "oversight.action.export"),
        },
    )


@login_required
def settings_view(request):
    require(request, "oversight.accountabilitysetting.change")
    setting = services.setting_for(request.user.county_id)
    check(request, setting, "change")
    initial = {f: getattr(setting, f) for f in (*services.SETTING_FIELDS, "severe_any")}
    form = forms.SettingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_setting(by=request.user, county_id=request.user.county_id, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存通报约谈标准。"))
            return redirect("oversight:accountability")
    return render(
        request,
        "oversight/form.html",
        {
            "title": _("通报约谈标准"),
            "form": form,
            "cancel": reverse("oversight:accountability"),
            "help": _("达到以下任一标准的班级、年级、学校列入通报约谈名单（以事件发现时间计入学期）。"),
        },
    )


@login_required
def action_create(request):
    from anxin.screening.views._common import _school_for

    school = _school_for(request, "oversight.action.change")
    if school is None:
        from anxin.screening.views._common import _pick_school

        return _pick_school(request, "oversight.action.change", _("记录问责措施"))
    check(request, Action(county_id=school.county_id, school_id=school.pk), "change")
    g = request.GET
    initial = {
        "kind": g.get("kind") or ActionKind.INTERVIEW,
        "level": g.get("level") or Level.CLASS,
        "grade": g.get("grade") or None,
        "klass": g.get("klass") or None,
        "reason": g.get("reason", "")[:1000],
        "cases": g.get("cases", "")[:400],
    }
    form = forms.ActionForm(request.POST or None, school=school, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.save_action(by=request.user, school=school, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已记录问责措施，整改责任人的工作台将出现整改待办。"))
            return redirect("oversight:action_detail", pk=action.pk)
    return render(
        request,
        "oversight/form.html",
        {
            "title": _("记录问责措施"),
            "subtitle": school.name,
            "form": form,
            "hidden": {"school": school.pk},
            "cancel": reverse("oversight:accountability"),
            "help": _("约谈须写明被约谈人、约谈人与约谈要求；整改责任人在整改期限前记录整改情况。"),
        },
    )


@login_required
def action_detail(request, pk):
    qs = Action.objects.select_related("school", "grade", "klass", "owner", "decided_by")
    # the person named on it reads it (to record the follow-up) even without the register's right
    action = qs.filter(pk=pk, owner=request.user).first() or get_for_user(request, Action, pk, queryset=qs)
    can_follow = action.is_open and services.may_follow(request.user, action)
    form = forms.DoneForm(request.POST or None) if can_follow else None
    if request.method == "POST":
        if form is None:
            deny(request, "oversight.action.follow", "oversight.action", action.pk)
            raise PermissionDenied
        if form.is_valid():
            try:
                services.complete_action(
                    by=request.user,
                    action=action,
                    note=form.cleaned_data["done_note"],
                    done_on=form.cleaned_data["done_on"],
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已记录整改情况。"))
                return redirect("oversight:action_detail", pk=action.pk)
    return render(request, "oversight/action_detail.html", {"a": action, "form": form})


class ActionListView(ScopedListView):
    model = Action
    filterset_class = ActionFilter
    template_name = "oversight/action_list.html"
    title = gettext_lazy("问责措施")
    select_related = ("school", "grade", "klass", "owner")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("对象"), "target"),
        (gettext_lazy("问责方式"), "get_kind_display"),
        (gettext_lazy("日期"), "decided_on"),
        (gettext_lazy("问责原因"), "reason"),
        (gettext_lazy("被约谈人"), "interviewees"),
        (gettext_lazy("约谈人"), "interviewers"),
        (gettext_lazy("整改期限"), "follow_up_due"),
        (gettext_lazy("整改完成"), "done_on"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "oversight.action.change")
        return ctx
