"""Forms of the case pages: one per step. They parse input only; the rules live in services.
Every case form carries the case ``version`` it was loaded with (optimistic check)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.cases.law.definitions import ADVANTAGE_BASES, BEHAVIOUR_TYPES, HARM_TYPES, RESULTS
from anxin.cases.models import (
    REPORT_FIELDS,
    AppealKind,
    AppealOutcome,
    ApplicationStatus,
    CaseParty,
    FollowUpOutcome,
    ImmediateKind,
    MeasureState,
    MemberKind,
    NoticeMethod,
    NoticePurpose,
    PartyRole,
    ReportKind,
    Source,
    SpeakerKind,
    SupportKind,
)
from anxin.core import clock
from anxin.roster.lookup import NOT_FOUND_EXACT, StudentField

DT_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kw):
        super().__init__(format=DT_FORMAT, **kw)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%d", **kw)


def dt_field(label, required=True, **kw):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeLocal(),
        input_formats=[DT_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        **kw,
    )


def date_field(label, required=True, **kw):
    return forms.DateField(label=label, required=required, widget=DateInput(), **kw)


def _now_local():
    return clock.local_now().replace(second=0, microsecond=0)


class CaseForm(forms.Form):
    """Base: knows the case and the user; carries the version."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, case=None, user=None, **kwargs):
        self.case = case
        self.user = user
        super().__init__(*args, **kwargs)
        if case is not None and not self.is_bound:
            self.fields["version"].initial = case.version
        for field in self.fields.values():
            if isinstance(field.widget, DateTimeLocal) and field.required and field.initial is None:
                field.initial = _now_local

    def parties(self, roles=None, students_only=True):
        qs = CaseParty.objects.filter(case=self.case).select_related("student__klass__grade")
        if roles:
            qs = qs.filter(role__in=roles)
        if students_only:
            qs = qs.filter(student__isnull=False)
        return qs.order_by("role", "id")


class PartyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        where = f"（{obj.student.klass}）" if obj.student_id else ""
        return f"{obj.name}{where} — {obj.get_role_display()}"


BEHAVIOUR_CHOICES = [(c, f"{label}：{examples}") for c, label, examples, _s in BEHAVIOUR_TYPES]


class OpenCaseForm(forms.Form):
    school = forms.ModelChoiceField(label=_("学校"), queryset=None)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices)
    discovered_at = dt_field(_("发现时间"))
    occurred_at = dt_field(_("发生时间"), required=False, help_text=_("不清楚可不填，调查后补充"))
    place = forms.CharField(label=_("地点"), max_length=120, required=False)
    behaviour_types = forms.MultipleChoiceField(
        label=_("行为类型"), choices=BEHAVIOUR_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label=_("简要情况"), widget=forms.Textarea(attrs={"rows": 3}))
    is_public_opinion = forms.BooleanField(label=_("舆论高度关注（舆情事件）"), required=False)
    suspected_serious = forms.BooleanField(label=_("初步研判情节严重（须立即报告）"), required=False)

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        if schools is not None and schools.count() == 1:
            self.fields["school"].initial = schools.first()
        self.fields["discovered_at"].initial = _now_local


class PartyForm(CaseForm):
    role = forms.ChoiceField(label=_("身份"), choices=PartyRole.choices)
    student = StudentField(
        label=_("学生"),
        purpose="cases.party",
        error_messages={"invalid_choice": NOT_FOUND_EXACT},
        queryset=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("先在上方按姓名查找学生"),
    )
    student_name = forms.CharField(
        label=_("查找时输入的学生姓名"),
        max_length=50,
        required=False,
        widget=forms.HiddenInput,
        help_text=_("外校学生须填写完整姓名"),
    )
    outsider_name = forms.CharField(label=_("或：校外人员姓名"), max_length=50, required=False)
    outsider_note = forms.CharField(
        label=_("校外人员说明"), max_length=120, required=False, help_text=_("如：外校学生、社会青年")
    )

    def __init__(self, *args, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.roster import lookup
        from anxin.roster.models import Student

        field = self.fields["student"]
        field.queryset = students if students is not None else Student.objects.none()
        field.label_from_instance = lambda s: f"{s.name}（{s.school.name} {s.klass}）"
        case, user = self.case, self.user
        if case is not None and user is not None:
            name = str(self.data.get("student_name") or "") if self.is_bound else ""

            def resolve(pk):
                student = lookup.resolve(
                    user,
                    pk,
                    county_id=case.county_id,
                    school_id=case.school_id,
                    name=name,
                    purpose="cases.party",
                )
                if student is not None:  # a re-rendered form shows the chosen student only
                    field.queryset = Student.objects.filter(pk=student.pk).select_related(
                        "school", "klass__grade"
                    )
                return student

            field.resolve = resolve

    def clean(self):
        data = super().clean()
        if not data.get("student") and not (data.get("outsider_name") or "").strip():
            raise forms.ValidationError(_("请选择学生，或填写校外人员姓名"))
        return data


class FactsForm(CaseForm):
    occurred_at = dt_field(_("发生时间"), required=False)
    place = forms.CharField(label=_("地点"), max_length=120, required=False)
    behaviour_types = forms.MultipleChoiceField(
        label=_("行为类型"), choices=BEHAVIOUR_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label=_("简要情况"), widget=forms.Textarea(attrs={"rows": 3}))
    cause = forms.CharField(label=_("起因"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    process = forms.CharField(label=_("经过"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    injuries = forms.CharField(label=_("伤情"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case is not None and not self.is_bound:
            for f in ("place", "behaviour_types", "summary", "cause", "process", "injuries"):
                self.fields[f].initial = getattr(self.case, f)
            if self.case.occurred_at:
                self.fields["occurred_at"].initial = self.case.occurred_at.astimezone(clock.SHANGHAI)


CORRECTABLE = [
    ("place", _("地点")),
    ("summary", _("简要情况")),
    ("cause", _("起因")),
    ("process", _("经过")),
    ("injuries", _("伤情")),
]


class CorrectForm(CaseForm):
    field = forms.ChoiceField(label=_("更正项目"), choices=CORRECTABLE)
    value = forms.CharField(label=_("更正为"), widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("更正理由"), max_length=300)


class FlagForm(CaseForm):
    public_opinion = forms.BooleanField(label=_("舆论高度关注、社会影响广泛（舆情事件）"), required=False)
    suspected_serious = forms.BooleanField(label=_("初步研判情节严重或涉嫌违法犯罪"), required=False)
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)


class ImmediateForm(CaseForm):
    kind = forms.ChoiceField(label=_("措施"), choices=ImmediateKind.choices)
    taken_at = dt_field(_("时间"))
    description = forms.CharField(label=_("说明"), max_length=300, required=False)


class NoticeForm(CaseForm):
    party = PartyChoice(label=_("当事学生"), queryset=None)
    purpose = forms.ChoiceField(label=_("事项"), choices=NoticePurpose.choices)
    method = forms.ChoiceField(label=_("方式"), choices=NoticeMethod.choices)
    notified_at = dt_field(_("通知时间"))
    guardian_name = forms.CharField(
        label=_("被通知人（名册外监护人）"),
        max_length=50,
        required=False,
        help_text=_("不填则为名册登记的第一监护人"),
    )
    participated = forms.BooleanField(label=_("监护人已参与处理"), required=False)
    participation = forms.CharField(
        label=_("参与情况"),
        max_length=200,
        required=False,
        help_text=_("如：到校面谈、参加调查、出席认定会议"),
    )
    measure = forms.ModelChoiceField(label=_("事先告知的措施"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = self.parties(students_only=False)
        from anxin.cases.models import Measure

        self.fields["measure"].queryset = Measure.objects.filter(case=self.case, state=MeasureState.PROPOSED)
        self.fields["measure"].label_from_instance = lambda m: f"{m.label}（{m.party.name}）"


class ParticipationForm(CaseForm):
    notice = forms.ModelChoiceField(label=_("通知记录"), queryset=None)
    participation = forms.CharField(label=_("参与情况"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.cases.models import GuardianNotice

        self.fields["notice"].queryset = GuardianNotice.objects.filter(
            case=self.case, participated=False
        ).select_related("party__student")
        self.fields["notice"].label_from_instance = lambda n: (
            f"{n.party.name}的监护人 · {n.get_purpose_display()} · {n.notified_at.astimezone(clock.SHANGHAI):%m-%d %H:%M}"
        )


class StatementForm(CaseForm):
    speaker_kind = forms.ChoiceField(label=_("陈述人类别"), choices=SpeakerKind.choices)
    party = PartyChoice(label=_("当事人"), queryset=None, required=False)
    speaker = forms.CharField(
        label=_("陈述人说明"), max_length=60, required=False, help_text=_("如：值周教师")
    )
    taken_at = dt_field(_("询问时间"))
    content = forms.CharField(label=_("陈述内容"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = self.parties(students_only=False)


class InvestigationForm(CaseForm):
    fact_time = forms.CharField(label=_("时间"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    fact_place = forms.CharField(label=_("地点"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    fact_cause = forms.CharField(label=_("起因"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    fact_process = forms.CharField(label=_("过程"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    fact_people = forms.CharField(
        label=_("涉及人员"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    findings = forms.CharField(label=_("调查结论"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        inv = getattr(self.case, "investigation", None) if self.case else None
        if inv is not None and not self.is_bound:
            for f in self.fields:
                if f != "version":
                    self.fields[f].initial = getattr(inv, f)


class EvidenceForm(CaseForm):
    file = forms.FileField(label=_("文件"), help_text=_("图片、PDF、音频或视频；按内容识别类型"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


class MemberChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_kind_display()}{'，主任' if obj.is_chair else ''}）"


class DeterminationForm(CaseForm):
    meeting_at = dt_field(_("会议时间"))
    meeting_place = forms.CharField(label=_("会议地点"), max_length=100, required=False)
    members_present = MemberChoice(label=_("出席委员"), queryset=None, widget=forms.CheckboxSelectMultiple)
    votes_for = forms.IntegerField(label=_("赞成票"), min_value=0)
    votes_against = forms.IntegerField(label=_("反对票"), min_value=0, initial=0)
    votes_abstain = forms.IntegerField(label=_("弃权票"), min_value=0, initial=0)
    result = forms.ChoiceField(label=_("认定结果"), choices=[(c, lbl) for c, lbl, _b, _s in RESULTS])
    between_students = forms.BooleanField(label=_("发生在学生之间"), required=False)
    deliberate = forms.BooleanField(label=_("一方蓄意或者恶意"), required=False)
    means = forms.CharField(label=_("手段（肢体、语言、网络等）"), max_length=200, required=False)
    harm_types = forms.MultipleChoiceField(
        label=_("损害类型"), choices=HARM_TYPES, required=False, widget=forms.CheckboxSelectMultiple
    )
    advantage_bases = forms.MultipleChoiceField(
        label=_("优势依据"), choices=ADVANTAGE_BASES, required=False, widget=forms.CheckboxSelectMultiple
    )
    advantage_note = forms.CharField(label=_("优势说明"), max_length=200, required=False)
    bullies = forms.ModelMultipleChoiceField(
        label=_("认定实施欺凌的学生"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    record = forms.CharField(label=_("会议记录"), widget=forms.Textarea(attrs={"rows": 5}))
    reason = forms.CharField(
        label=_("重新认定的理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("已有认定时必填；原认定一并保留"),
    )

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.cases.models import CommitteeMember

        members = CommitteeMember.objects.filter(committee=committee, left_on__isnull=True)
        self.fields["members_present"].queryset = members
        self.fields["bullies"].label_from_instance = lambda p: p.name
        self.fields["bullies"].queryset = self.parties([PartyRole.ALLEGED_BULLY], students_only=False)


class MeasureForm(CaseForm):
    party = PartyChoice(label=_("学生"), queryset=None)
    item_code = forms.ChoiceField(label=_("措施"), choices=())
    description = forms.CharField(label=_("具体内容"), max_length=300, required=False)
    suspension_days = forms.IntegerField(
        label=_("停课停学天数"), min_value=1, required=False, help_text=_("仅停课停学填写，不超过7天")
    )
    due_on = date_field(_("完成期限"), required=False)
    owner_unit = forms.CharField(
        label=_("执行单位"), max_length=80, required=False, help_text=_("公安、检察、法院执行的措施填写")
    )
    refer_to = forms.ModelChoiceField(label=_("移交法治副校长或联络员执行"), queryset=None, required=False)

    def __init__(self, *args, items=(), referees=None, teacher_classes=None, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.accounts.models import User

        parties = self.parties([PartyRole.ALLEGED_BULLY, PartyRole.VICTIM])
        if teacher_classes is not None:  # a teacher: students of the classes taught only
            parties = parties.filter(student__klass_id__in=teacher_classes)
        self.fields["party"].queryset = parties
        groups: dict[str, list] = {}
        for it in items:
            groups.setdefault(it.level_label, []).append((it.code, f"{it.label}（{it.article}）"))
        self.fields["item_code"].choices = [("", "——")] + list(groups.items())
        self.fields["refer_to"].queryset = referees if referees is not None else User.objects.none()


class MeasurePick(CaseForm):
    measure = forms.ModelChoiceField(label=_("措施"), queryset=None)
    states: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.cases.models import Measure

        self.fields["measure"].queryset = Measure.objects.filter(
            case=self.case, state__in=self.states
        ).select_related("party__student")
        self.fields["measure"].label_from_instance = lambda m: f"{m.label}（{m.party.name}）"


class DefenceForm(MeasurePick):
    states = (MeasureState.PROPOSED,)
    at = dt_field(_("陈述申辩时间"))
    record = forms.CharField(label=_("陈述申辩记录"), widget=forms.Textarea(attrs={"rows": 4}))
    hearing_requested = forms.BooleanField(label=_("学生或家长申请听证"), required=False)


class HearingForm(MeasurePick):
    states = (MeasureState.PROPOSED,)
    at = dt_field(_("听证时间"))
    record = forms.CharField(label=_("听证记录"), widget=forms.Textarea(attrs={"rows": 4}))


class EffectForm(MeasurePick):
    states = (MeasureState.PROPOSED,)


class MeasureDoneForm(MeasurePick):
    states = (MeasureState.EFFECTIVE,)
    done_on = date_field(_("完成日期"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = clock.today


class SupportForm(CaseForm):
    party = PartyChoice(label=_("学生"), queryset=None)
    kind = forms.ChoiceField(label=_("事项"), choices=SupportKind.choices)
    done_at = dt_field(_("完成时间"))
    provider = forms.CharField(label=_("实施人"), max_length=60)
    summary = forms.CharField(label=_("概况"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("辅导记录（加密保存，仅心理教师和分管安全副校长可见）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args, notes_allowed=False, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = self.parties([PartyRole.VICTIM, PartyRole.ALLEGED_BULLY])
        if kinds is not None:
            self.fields["kind"].choices = [(k, v) for k, v in SupportKind.choices if k in kinds]
        if not notes_allowed:
            del self.fields["notes"]


class FollowUpForm(CaseForm):
    follow_up = forms.ModelChoiceField(label=_("回访"), queryset=None)
    outcome = forms.ChoiceField(label=_("情况"), choices=FollowUpOutcome.choices)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.cases.models import FollowUp

        self.fields["follow_up"].queryset = FollowUp.objects.filter(
            case=self.case, done_at__isnull=True
        ).select_related("party__student")
        self.fields["follow_up"].label_from_instance = lambda f: (
            f"第{f.week}周 · {f.party.name} · {f.due_on:%Y-%m-%d}"
        )


class PoliceForm(CaseForm):
    unit = forms.CharField(label=_("接报单位"), max_length=80)
    reported_at = dt_field(_("报告时间"))
    method = forms.CharField(
        label=_("报告方式"), max_length=40, required=False, help_text=_("如：110、到派出所报案")
    )
    receipt_no = forms.CharField(label=_("接报回执号"), max_length=60, required=False)


class PoliceOutcomeForm(CaseForm):
    report = forms.ModelChoiceField(label=_("报告"), queryset=None)
    outcome = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.cases.models import PoliceReport

        self.fields["report"].queryset = PoliceReport.objects.filter(case=self.case)
        self.fields["report"].label_from_instance = lambda p: (
            f"{p.unit} {p.reported_at.astimezone(clock.SHANGHAI):%m-%d %H:%M}"
        )


class ReportStartForm(CaseForm):
    kind = forms.ChoiceField(label=_("类别"), choices=ReportKind.choices)


class ReportForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.cases.models import BureauReport

        for name, _label in REPORT_FIELDS:
            model_field = BureauReport._meta.get_field(name)
            widget = (
                forms.Textarea(attrs={"rows": 3}) if model_field.get_internal_type() == "TextField" else None
            )
            self.fields[name] = forms.CharField(
                label=model_field.verbose_name,
                required=False,
                widget=widget,
                help_text=model_field.help_text or "",
            )
            if report is not None and not self.is_bound:
                self.fields[name].initial = getattr(report, name)


class AppealForm(CaseForm):
    kind = forms.ChoiceField(label=_("类别"), choices=AppealKind.choices)
    party = PartyChoice(label=_("学生"), queryset=None)
    appellant = forms.CharField(label=_("申请人"), max_length=60, help_text=_("学生本人或其监护人"))
    filed_on = date_field(_("申请日期"))
    notified_on = date_field(
        _("决定告知日期"), required=False, help_text=_("按家长通知记录计算；与记录不同时须写明更正理由")
    )
    notice_correction = forms.CharField(
        label=_("告知日期更正理由"),
        max_length=300,
        required=False,
        help_text=_("仅在告知日期与记录不同时填写"),
    )
    measure = forms.ModelChoiceField(label=_("申诉的措施"), queryset=None, required=False)
    grounds = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.cases.models import Measure

        self.fields["party"].queryset = self.parties([PartyRole.VICTIM, PartyRole.ALLEGED_BULLY])
        self.fields["measure"].queryset = Measure.objects.filter(case=self.case).exclude(
            state=MeasureState.REVOKED
        )
        self.fields["measure"].label_from_instance = lambda m: f"{m.label}（{m.party.name}）"
        self.fields["filed_on"].initial = clock.today


class AppealDecideForm(CaseForm):
    appeal = forms.ModelChoiceField(label=_("申请"), queryset=None)
    outcome = forms.ChoiceField(label=_("决定"), choices=AppealOutcome.choices)
    new_result = forms.ChoiceField(
        label=_("变更后的认定结果"),
        required=False,
        choices=[("", "——")] + [(c, lbl) for c, lbl, _b, _s in RESULTS],
    )
    outcome_text = forms.CharField(label=_("决定内容和理由"), widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = date_field(_("决定日期"))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.cases.models import Appeal

        self.fields["appeal"].queryset = Appeal.objects.filter(case=self.case, outcome="", kind__in=kinds)
        self.fields["appeal"].label_from_instance = lambda a: (
            f"{a.get_kind_display()} · {a.filed_on:%Y-%m-%d}"
        )
        self.fields["decided_on"].initial = clock.today


class SpecialApplyForm(CaseForm):
    party = PartyChoice(label=_("学生"), queryset=None)
    reasons = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = self.parties([PartyRole.ALLEGED_BULLY])


class SpecialDecideForm(CaseForm):
    application = forms.ModelChoiceField(label=_("申请"), queryset=None)
    approved = forms.TypedChoiceField(
        label=_("决定"),
        coerce=lambda v: v == "1",
        choices=[("1", ApplicationStatus.APPROVED.label), ("0", ApplicationStatus.REJECTED.label)],
    )
    decided_on = date_field(_("决定日期"))
    decision_no = forms.CharField(label=_("决定文号"), max_length=60, required=False)
    assessment = forms.CharField(
        label=_("专门教育指导委员会评估意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    assessed_on = date_field(_("评估日期"), required=False)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.cases.models import SpecialSchoolApplication

        self.fields["application"].queryset = SpecialSchoolApplication.objects.filter(
            case=self.case, status=ApplicationStatus.APPLIED
        )
        self.fields["application"].label_from_instance = lambda a: f"{a.party.name} · {a.applied_at:%Y-%m-%d}"
        self.fields["decided_on"].initial = clock.today


class ReferralForm(CaseForm):
    to_user = forms.ModelChoiceField(label=_("移交给"), queryset=None)
    purpose = forms.CharField(label=_("移交事项"), max_length=200)

    def __init__(self, *args, referees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = referees


class ReferralOutcomeForm(CaseForm):
    referral = forms.ModelChoiceField(label=_("移交事项"), queryset=None)
    outcome = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.cases.models import CaseReferral

        self.fields["referral"].queryset = CaseReferral.objects.filter(
            case=self.case, to_user=self.user, outcome=""
        )
        self.fields["referral"].label_from_instance = lambda r: r.purpose


class NoteForm(CaseForm):
    text = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 4}))


class ReassignForm(CaseForm):
    """更换承办人: one of the school's case handlers (校长、分管安全副校长、德育/政教主任)."""

    owner = forms.ModelChoiceField(label=_("新的承办人"), queryset=None)
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.accounts.models import Membership, User
        from anxin.cases import permissions

        handlers = Membership.objects.active().filter(
            school_id=self.case.school_id, role__in=sorted(permissions.MANAGERS)
        )
        self.fields["owner"].queryset = (
            User.objects.filter(pk__in=handlers.values("user_id"), is_active=True)
            .exclude(pk=self.case.owner_id)
            .order_by("real_name", "username")
        )
        self.fields["owner"].label_from_instance = lambda u: u.real_name or u.username


class UnfoundedForm(CaseForm):
    reason = forms.CharField(
        label=_("查无实据的理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不少于10个字；原登记内容和理由一并保留"),
    )


class SettleForm(CaseForm):
    """LAW 3 exception (seed 二(三)): 玩笑打闹 / 一般纠纷 settled directly with 批评教育."""

    result = forms.ChoiceField(
        label=_("学校初步判断"), choices=[("joke", _("玩笑打闹")), ("dispute", _("一般纠纷"))]
    )
    grounds = forms.CharField(
        label=_("判断依据"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不少于10个字；直接予以批评教育，不采取教育惩戒措施。处理结果须告知双方家长"),
    )


class EscalateForm(CaseForm):
    ground = forms.ChoiceField(
        label=_("提请认定的原因"),
        choices=[
            ("family_disagrees", _("家长对直接处理有异议")),
            ("determination_requested", _("当事人或其他人申请认定")),
            ("repeat", _("同一学生再次发生")),
        ],
    )
    reason = forms.CharField(
        label=_("具体情况"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("不少于10个字")
    )


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("签收意见"), max_length=300, required=False)


class CommitteeForm(forms.Form):
    established_on = date_field(_("成立日期"))


class MemberForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=MemberKind.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    title = forms.CharField(label=_("职务或单位"), max_length=80, required=False)
    is_chair = forms.BooleanField(label=_("担任主任（校长）"), required=False)


class HolidayForm(forms.Form):
    date = date_field(_("日期"))
    name = forms.CharField(label=_("名称"), max_length=30)
    is_workday = forms.BooleanField(label=_("调休上班"), required=False)


class LegalParametersForm(forms.Form):
    """A new version of the county's legal parameters (R-Q-7): one field per row of
    ``anxin.cases.law.parameters.PARAMETERS``; ranges are checked by the table itself."""

    effective_from = date_field(_("生效日期"), help_text=_("不早于今天；此前登记的案件仍按原参数办理"))
    reason = forms.CharField(label=_("调整说明"), max_length=300, help_text=_("依据的文件或会议"))

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.cases.law.definitions import RESULTS as RESULT_ROWS
        from anxin.cases.law.parameters import PARAMETERS

        current = current or {}
        self.fields["effective_from"].initial = clock.today
        for p in PARAMETERS:
            help_text = f"{p.rule}；{p.source}"
            if p.kind == "int":
                field = forms.IntegerField(label=f"{p.label}（{p.unit}）", required=True, help_text=help_text)
            elif p.kind == "bool":
                field = forms.BooleanField(label=p.label, required=False, help_text=help_text)
            elif p.kind == "choice":
                field = forms.ChoiceField(label=p.label, choices=p.choices, help_text=help_text)
            else:
                field = forms.MultipleChoiceField(
                    label=p.label,
                    choices=[(c, lbl) for c, lbl, _b, _s in RESULT_ROWS],
                    widget=forms.CheckboxSelectMultiple,
                    help_text=help_text,
                )
            field.initial = (
                list(current[p.key]) if isinstance(current.get(p.key), tuple) else current.get(p.key)
            )
            self.fields[p.key] = field
