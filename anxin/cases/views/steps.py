"""One form per step: the table of steps (``STEPS``: form, states, rights, service call) and
the page that shows and saves a step (``case_step``); the API exposes the same table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.cases import forms, permissions, rules, workflow
from anxin.cases.models import (
    AppealKind,
    BullyingCase,
    BureauReport,
    DeterminationSource,
    MeasureState,
)
from anxin.cases.views._common import get_case_for_user
from anxin.cases.views.step_actions import (
    _appeal_decide_kwargs,
    _determination_kwargs,
    _measure_kwargs,
    _referees,
    _run_appeal,
    _run_appeal_decide,
    _run_defence,
    _run_determination,
    _run_effect,
    _run_escalate,
    _run_evidence,
    _run_facts,
    _run_flag,
    _run_follow_up,
    _run_hearing,
    _run_immediate,
    _run_investigation,
    _run_measure,
    _run_measure_done,
    _run_note,
    _run_notice,
    _run_participation,
    _run_party,
    _run_police,
    _run_police_outcome,
    _run_reassign,
    _run_referral,
    _run_referral_outcome,
    _run_report,
    _run_settle,
    _run_special,
    _run_special_decide,
    _run_statement,
    _run_support,
    _run_unfounded,
    _student_search,
    _support_kwargs,
)
from anxin.core.access import deny, get_for_user
from anxin.core.editing import ServiceFormView


@dataclass
class Step:
    slug: str
    title: str
    form: type
    key: str  # workflow.ACTIONS key: the states where the step is open
    rights: tuple[str, ...]
    run: Callable[..., Any]
    help: str = ""
    form_kwargs: Callable[..., dict] | None = None
    multipart: bool = False
    initial_param: str = ""  # a query parameter preselecting a record (?measure=12)
    needs: str = ""  # a key of :func:`_present`: the step needs such a record to act on

    def available(self, case, rights, present: dict | None = None) -> bool:
        if case.state not in workflow.ACTIONS[self.key] or not set(self.rights) & rights:
            return False
        if self.needs:
            present = present if present is not None else _present(case)
            return present.get(self.needs, False)
        return True


def _present(case, ctx: dict | None = None) -> dict[str, bool]:
    """Which records the record-specific steps need, from lists the case page loaded already."""
    if ctx is None:
        ctx = {
            "notices": list(case.notices.all()),
            "measures": list(case.measures.all()),
            "follow_ups": list(case.follow_ups.all()),
            "police": list(case.police_reports.all()),
            "appeals": list(case.appeals.all()),
            "special": list(case.special_applications.all()),
            "referrals": list(case.referrals.all()),
        }
    proposed = [m for m in ctx["measures"] if m.state == MeasureState.PROPOSED]
    return {
        "unjoined_notice": any(not n.participated for n in ctx["notices"]),
        "proposed": bool(proposed),
        "hearing": any(m.hearing_requested for m in proposed),
        "effective": any(m.state == MeasureState.EFFECTIVE for m in ctx["measures"]),
        "open_follow_up": any(f.done_at is None for f in ctx["follow_ups"]),
        "police": bool(ctx["police"]),
        "school_appeal": any(not a.outcome and a.kind == AppealKind.SCHOOL_APPEAL for a in ctx["appeals"]),
        "review": any(not a.outcome and a.kind != AppealKind.SCHOOL_APPEAL for a in ctx["appeals"]),
        "special": any(a.status == "applied" for a in ctx["special"]),
        "referral": any(not r.outcome for r in ctx["referrals"]),
        "direct": getattr(rules.current_determination(case), "source", "") == DeterminationSource.DIRECT,
    }


STEPS: dict[str, Step] = {
    s.slug: s
    for s in (
        Step(
            "party",
            gettext_lazy("添加当事人"),
            forms.PartyForm,
            "add_party",
            ("change",),
            _run_party,
            gettext_lazy("被欺凌学生、实施欺凌学生、目击者、旁观者；可为本县任一学校的学生，或校外人员。"),
        ),
        Step(
            "facts",
            gettext_lazy("补充事件基本情况"),
            forms.FactsForm,
            "update_facts",
            ("change",),
            _run_facts,
        ),
        Step(
            "immediate",
            gettext_lazy("记录制止与初步处置"),
            forms.ImmediateForm,
            "immediate",
            ("change",),
            _run_immediate,
            gettext_lazy("一旦发现学生遭受欺凌，都应主动予以制止，并采取相应处置措施。"),
        ),
        Step(
            "notice",
            gettext_lazy("记录家长通知"),
            forms.NoticeForm,
            "notice",
            ("change",),
            _run_notice,
            gettext_lazy("学校和家长要相互通知：记录通知人、方式、时间，以及监护人是否参与处理。"),
        ),
        Step(
            "participation",
            gettext_lazy("记录监护人参与"),
            forms.ParticipationForm,
            "notice",
            ("change",),
            _run_participation,
            initial_param="notice",
            needs="unjoined_notice",
        ),
        Step(
            "statement",
            gettext_lazy("添加询问笔录"),
            forms.StatementForm,
            "statement",
            ("change", "statement"),
            _run_statement,
        ),
        Step(
            "investigation",
            gettext_lazy("填写调查情况"),
            forms.InvestigationForm,
            "investigation",
            ("change",),
            _run_investigation,
            gettext_lazy("查明时间、地点、起因、过程、涉及人员。"),
        ),
        Step(
            "evidence",
            gettext_lazy("上传证据材料"),
            forms.EvidenceForm,
            "evidence",
            ("change",),
            _run_evidence,
            multipart=True,
        ),
        Step(
            "determination",
            gettext_lazy("记录委员会认定"),
            forms.DeterminationForm,
            "determination",
            ("determine",),
            _run_determination,
            gettext_lazy(
                "由学校学生欺凌治理委员会开会认定：记录出席委员、表决和会议记录。认定为欺凌的，须写明欺凌的各项要件。"
            ),
            form_kwargs=_determination_kwargs,
        ),
        Step(
            "measure",
            gettext_lazy("记录处置措施"),
            forms.MeasureForm,
            "measure",
            ("measure", "measure_teacher"),
            _run_measure,
            gettext_lazy(
                "只列出按认定结果、学生学段和您的职责可以采取的措施（《中小学教育惩戒规则（试行）》）。"
            ),
            form_kwargs=_measure_kwargs,
        ),
        Step(
            "defence",
            gettext_lazy("记录陈述申辩"),
            forms.DefenceForm,
            "measure_progress",
            ("measure",),
            _run_defence,
            initial_param="measure",
            needs="proposed",
        ),
        Step(
            "hearing",
            gettext_lazy("记录听证"),
            forms.HearingForm,
            "measure_progress",
            ("measure",),
            _run_hearing,
            initial_param="measure",
            needs="hearing",
        ),
        Step(
            "effect",
            gettext_lazy("措施生效"),
            forms.EffectForm,
            "measure_progress",
            ("measure",),
            _run_effect,
            initial_param="measure",
            needs="proposed",
        ),
        Step(
            "measure_done",
            gettext_lazy("记录措施执行完毕"),
            forms.MeasureDoneForm,
            "measure_progress",
            ("measure", "measure_teacher"),
            _run_measure_done,
            initial_param="measure",
            needs="effective",
        ),
        Step(
            "support",
            gettext_lazy("记录心理辅导与家庭教育指导"),
            forms.SupportForm,
            "support",
            ("support",),
            _run_support,
            form_kwargs=_support_kwargs,
        ),
        Step(
            "follow_up",
            gettext_lazy("记录回访"),
            forms.FollowUpForm,
            "follow_up",
            ("change",),
            _run_follow_up,
            initial_param="follow_up",
            needs="open_follow_up",
        ),
        Step(
            "police",
            gettext_lazy("记录向公安机关报告"),
            forms.PoliceForm,
            "police_report",
            ("change",),
            _run_police,
        ),
        Step(
            "police_outcome",
            gettext_lazy("记录公安机关处理结果"),
            forms.PoliceOutcomeForm,
            "police_report",
            ("change",),
            _run_police_outcome,
            needs="police",
        ),
        Step(
            "report",
            gettext_lazy("起草向教体局的报告"),
            forms.ReportStartForm,
            "bureau_report",
            ("report_draft",),
            _run_report,
            gettext_lazy("首报、续报、终报。报告内容根据案件记录预填，可修改后报送。"),
        ),
        Step(
            "flag",
            gettext_lazy("标记须立即报告"),
            forms.FlagForm,
            "flag_report",
            ("change",),
            _run_flag,
            gettext_lazy("情节严重、涉嫌违法犯罪或舆论高度关注的事件，须立即向县教体局报告并联络公安机关。"),
        ),
        Step(
            "appeal", gettext_lazy("登记申诉、复查申请"), forms.AppealForm, "appeal", ("appeal",), _run_appeal
        ),
        Step(
            "appeal_decide",
            gettext_lazy("记录申诉决定"),
            forms.AppealDecideForm,
            "appeal",
            ("appeal_decide",),
            _run_appeal_decide,
            form_kwargs=_appeal_decide_kwargs([AppealKind.SCHOOL_APPEAL]),
            needs="school_appeal",
        ),
        Step(
            "review_decide",
            gettext_lazy("记录复查、复核决定"),
            forms.AppealDecideForm,
            "appeal",
            ("review",),
            _run_appeal_decide,
            form_kwargs=_appeal_decide_kwargs(
                [AppealKind.COUNTY_REVIEW, AppealKind.CITY_REVIEW, AppealKind.AUTHORITY_REVIEW]
            ),
            needs="review",
        ),
        Step(
            "special",
            gettext_lazy("申请转入专门学校"),
            forms.SpecialApplyForm,
            "special_school",
            ("special_apply",),
            _run_special,
            gettext_lazy(
                "学校只能提出申请，由教育行政部门经专门教育指导委员会评估后决定；学籍保留在原学校。"
            ),
        ),
        Step(
            "special_decide",
            gettext_lazy("记录专门学校申请的决定"),
            forms.SpecialDecideForm,
            "special_school",
            ("special_decide",),
            _run_special_decide,
            needs="special",
        ),
        Step(
            "referral",
            gettext_lazy("移交法治副校长或公安、司法机关"),
            forms.ReferralForm,
            "referral",
            ("change",),
            _run_referral,
            form_kwargs=lambda request, case: {"referees": _referees(case)},
        ),
        Step(
            "referral_outcome",
            gettext_lazy("记录移交事项处理结果"),
            forms.ReferralOutcomeForm,
            "referral",
            ("referral",),
            _run_referral_outcome,
            needs="referral",
        ),
        Step("note", gettext_lazy("添加备注"), forms.NoteForm, "note", ("change", "note"), _run_note),
        Step(
            "reassign",
            gettext_lazy("更换承办人"),
            forms.ReassignForm,
            "reassign",
            ("change",),
            _run_reassign,
            gettext_lazy("新的承办人会收到通知，并在工作台上看到这件案件，直到其开始办理。"),
        ),
        Step(
            "settle",
            gettext_lazy("直接处理玩笑打闹、一般纠纷"),
            forms.SettleForm,
            "settle",
            ("settle",),
            _run_settle,
            gettext_lazy(
                "学校初步判断为玩笑打闹或一般纠纷的，分管安全副校长可直接予以批评教育，记录判断依据并告知双方家长。家长有异议、有人申请认定或同一学生在规定期间内再次发生的，须提请学生欺凌治理委员会认定。"
            ),
        ),
        Step(
            "escalate",
            gettext_lazy("提请委员会认定"),
            forms.EscalateForm,
            "escalate",
            ("change",),
            _run_escalate,
            needs="direct",
        ),
        Step(
            "unfounded",
            gettext_lazy("查无实据结案"),
            forms.UnfoundedForm,
            "update_facts",
            ("close_unfounded",),
            _run_unfounded,
        ),
    )
}
ACTION_RIGHTS = sorted(
    {r for s in STEPS.values() for r in s.rights}
    | {t.action for t in workflow.TRANSITIONS.values()}
    | {"counselling_notes", "acknowledge", "report_submit"}
)


class CaseStepView(ServiceFormView):
    """One step of a case (``STEPS[step]``): its form, saved through the step's service call.
    A refused step shows what is missing above the form; a refused right is a 403 (audited)."""

    template_name = "cases/step.html"

    def get_object(self):
        request, pk = self.request, self.kwargs["pk"]
        st = self.step = STEPS.get(self.kwargs["step"])
        if st is None:
            raise Http404
        self.viewer = BullyingCase.objects.restrict(request.user, "view").filter(
            pk=pk if str(pk).isdigit() else 0
        )
        if st.slug == "measure" and not self.viewer.exists():
            # a subject teacher records Art 8 measures for students of the classes taught without
            # seeing the case (ROLES.md); the form offers only those students
            return get_for_user(
                request,
                BullyingCase,
                pk,
                "measure_teacher",
                sensitive=True,
                queryset=BullyingCase.objects.all(),
            )
        return get_case_for_user(request, pk)

    def authorize(self) -> None:
        st, case = self.step, self.object
        if not permissions.actions_on(self.request.user, case, st.rights):
            deny(self.request, f"cases.bullyingcase.{st.rights[0]}", "cases.bullyingcase", case.pk)

    def get_form(self):
        st, case, request = self.step, self.object, self.request
        kwargs = {"case": case, "user": request.user}
        if st.form_kwargs:
            kwargs.update(st.form_kwargs(request, case))
        self.students, self.q = None, ""
        if st.slug == "party":
            self.students, self.q = _student_search(request, case)
            kwargs["students"] = self.students
        initial = {}
        if st.initial_param and request.GET.get(st.initial_param, "").isdigit():
            initial[st.initial_param] = int(request.GET[st.initial_param])
        if st.slug == "party" and self.q:
            initial["student_name"] = self.q  # another school's student is taken only with the exact name
        return st.form(request.POST or None, request.FILES or None, initial=initial, **kwargs)

    def save(self, form):
        st, case = self.step, self.object
        try:
            return st.run(self.request, case, form.cleaned_data, form)
        except PermissionDenied:
            deny(self.request, f"cases.bullyingcase.{st.rights[0]}", "cases.bullyingcase", case.pk)

    def get_success_message(self, result) -> str:
        return _("已保存：%(t)s") % {"t": self.step.title}

    def get_success_url(self, result) -> str:
        if isinstance(result, BureauReport):
            return reverse("cases:report_detail", args=[result.pk])
        if not self.viewer.exists():
            return reverse("core:home")
        return reverse("cases:case_detail", args=[self.object.pk])

    def get_context_data(self, **kwargs) -> dict:
        st, case, request = self.step, self.object, self.request
        return super().get_context_data(
            title=st.title,
            step=st,
            case=case,
            not_open=case.state not in workflow.ACTIONS[st.key],
            can_view=self.viewer.exists(),
            q=self.q,
            students_found=list(self.students)
            if st.slug == "party" and self.q and request.method == "GET"
            else None,
            **kwargs,
        )


case_step = CaseStepView.as_view()
