"""Forms of the care pages. They parse input; the services apply the rules. The quick log form
is the one a class teacher fills on a phone after a talk: one column, sensible defaults."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.care.cadence import Level
from anxin.care.models import CarePlan, ContactKind, CounsellingSession, InterventionTask, Measure
from anxin.care.services import LOGGABLE_KINDS
from anxin.core import clock
from anxin.roster.lookup import StudentField

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.real_name or obj.username


class StudentChoiceField(StudentField):
    default_purpose = "care"  # an id outside the scope: not found, audited

    def label_from_instance(self, obj) -> str:
        return obj.name


def _now_local() -> str:
    return clock.local_now().strftime(DATETIME_FORMAT)


class QuickLogForm(forms.Form):
    """谈心谈话 / 家访 in a minute: the time defaults to now, the person to me, the student to the
    plan's."""

    kind = forms.ChoiceField(label=_("方式"), choices=[(k, ContactKind(k).label) for k in LOGGABLE_KINDS])
    summary = forms.CharField(
        label=_("情况摘要"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("学生的生活、学习和心理状况，谈了什么")}),
        error_messages={"required": _("请填写情况摘要。"), "max_length": _("情况摘要不能超过 2000 字。")},
    )
    next_step = forms.CharField(
        label=_("下一步"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：下周再谈；联系家长")}),
        error_messages={"max_length": _("下一步不能超过 300 字。")},
    )
    anomaly = forms.BooleanField(label=_("发现异常（将生成干预任务并通知分管安全副校长）"), required=False)
    anomaly_note = forms.CharField(
        label=_("异常情况"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("异常情况不能超过 1000 字。")},
    )
    occurred_at = forms.DateTimeField(
        label=_("时间"),
        widget=LocalDateTimeInput(),
        error_messages={"required": _("请填写联系时间。"), "invalid": _("请填写正确的时间。")},
    )

    def __init__(self, *args, kind: str = ContactKind.TALK, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {"kind": kind, "occurred_at": _now_local(), **kwargs["initial"]}
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("anomaly") and not (data.get("anomaly_note") or "").strip():
            self.add_error("anomaly_note", _("发现异常时请写明异常情况。"))
        return data


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=CarePlan.Kind.choices)
    level = forms.ChoiceField(
        label=_("风险等级"),
        choices=[("", _("— 按排查风险等级 —")), *Level.choices],
        required=False,
        help_text=_("决定联系频次：红色每周、橙色每两周、黄色每月"),
    )
    measures = forms.MultipleChoiceField(
        label=_("帮扶措施"),
        choices=Measure.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一项帮扶措施。")},
    )
    owner = PersonChoiceField(
        label=_("责任人"), queryset=None, required=False, empty_label=_("— 默认：班主任 —")
    )
    reason = forms.CharField(label=_("关爱原因"), max_length=200, required=False)
    ends_on = forms.DateField(label=_("计划结束日期"), required=False, widget=DateInput())
    cadence_days = forms.IntegerField(
        label=_("约定联系间隔（天）"),
        min_value=1,
        max_value=90,
        required=False,
        help_text=_("留空则按风险等级的默认频次"),
        error_messages={"min_value": _("间隔至少 1 天。"), "max_value": _("间隔不能超过 90 天。")},
    )

    def __init__(self, *args, staff=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff
        if editing:
            del self.fields["kind"]
            self.fields["level"].choices = list(Level.choices)
            self.fields["level"].required = True
            self.fields["owner"].required = True
            self.fields["owner"].empty_label = None


class StudentPickForm(forms.Form):
    student = StudentChoiceField(
        label=_("学生"), queryset=None, error_messages={"required": _("请选择学生。")}
    )

    def __init__(self, *args, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students


class ClosePlanForm(forms.Form):
    close_note = forms.CharField(
        label=_("结束原因"),
        max_length=300,
        error_messages={"required": _("请写明结束原因（如：情况好转、已毕业转学）。")},
    )


class TaskUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=InterventionTask.Status.choices)
    outcome = forms.CharField(
        label=_("处理结果"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = PersonChoiceField(label=_("责任人"), queryset=None, empty_label=None)
    due_on = forms.DateField(label=_("完成期限"), widget=DateInput())

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff

    def clean(self):
        data = super().clean()
        if data.get("status") == InterventionTask.Status.DONE and not (data.get("outcome") or "").strip():
            self.add_error("outcome", _("完成任务须填写处理结果。"))
        return data


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("辅导时间"),
        widget=LocalDateTimeInput(),
        error_messages={"required": _("请填写辅导时间。"), "invalid": _("请填写正确的时间。")},
    )
    form = forms.ChoiceField(label=_("形式"), choices=CounsellingSession.Form.choices)
    duration_minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=1, max_value=600, required=False)
    notes = forms.CharField(
        label=_("辅导记录（保密）"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("加密保存，仅本校心理教师和分管安全副校长可阅读，每次阅读记入审计。"),
        error_messages={"required": _("请填写辅导记录。")},
    )
    next_on = forms.DateField(label=_("下次辅导"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {"held_at": _now_local(), **kwargs["initial"]}
        super().__init__(*args, **kwargs)


class ContactTeacherForm(forms.Form):
    student = StudentChoiceField(
        label=_("学生"), queryset=None, error_messages={"required": _("请选择学生。")}
    )
    teacher = PersonChoiceField(
        label=_("联系教师"), queryset=None, error_messages={"required": _("请选择联系教师。")}
    )

    def __init__(self, *args, students=None, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
        self.fields["teacher"].queryset = staff


class PeerPairForm(forms.Form):
    student = StudentChoiceField(
        label=_("受助学生"), queryset=None, error_messages={"required": _("请选择学生。")}
    )
    helper = StudentChoiceField(
        label=_("互助同学"), queryset=None, error_messages={"required": _("请选择互助同学。")}
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
        self.fields["helper"].queryset = students
