"""Forms of the governance pages. They parse input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.core import clock
from anxin.governance.models import ChecklistItem, DocKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.real_name or obj.username


class StaffMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.real_name or obj.username


def _staff(school):
    from anxin.governance.services import staff_of

    return staff_of(school.pk)


class SettingForm(forms.Form):
    rules_max_age_months = forms.IntegerField(
        label=_("制度文件修订周期（月）"),
        min_value=1,
        max_value=60,
        help_text=_("超过这一月数未修订的制度文件，在各校情况中标为“需修订”。"),
    )


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["dimension", "text", "probe", "position", "active"]


class StartForm(forms.Form):
    period = forms.CharField(label=_("自查批次"), max_length=40, help_text=_("如：2026年春季学期"))
    checked_on = forms.DateField(label=_("自查日期"), widget=DateInput(), initial=clock.today)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("佐证材料"), help_text=_("PDF、Word、Excel 或图片，不超过 20MB"))


class VersionForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120, required=False)
    summary = forms.CharField(
        label=_("修订说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    approved_by = StaffChoiceField(label=_("审定人"), queryset=None, required=False)
    approved_on = forms.DateField(label=_("审定日期"), widget=DateInput(), required=False)
    effective_on = forms.DateField(label=_("施行日期"), widget=DateInput(), required=False)
    file = forms.FileField(label=_("文件"), help_text=_("Word（.docx）或 PDF，不超过 20MB"))

    def __init__(self, *args, school, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approved_by"].queryset = _staff(school)
        if kind == DocKind.WORKPLAN:
            self.fields["approved_by"].label = _("审定人（可不填）")
        else:  # a rules document names who approved it, when, and from when it applies
            for name, message in (
                ("approved_by", _("制度文件须写明审定人。")),
                ("approved_on", _("请填写审定日期。")),
                ("effective_on", _("请填写施行日期。")),
            ):
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = message


class ImprovementForm(forms.Form):
    document = forms.ChoiceField(label=_("需完善的文件"), choices=DocKind.choices)
    cause = forms.CharField(label=_("查明的原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    parent_communication = forms.CharField(
        label=_("与家长沟通情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    change = forms.CharField(
        label=_("拟完善的制度或流程"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class KeepForm(forms.Form):
    decision = forms.CharField(
        label=_("不修订的理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LessonStartForm(forms.Form):
    case = forms.ModelChoiceField(
        label=_("本县已结案事件"),
        queryset=None,
        required=False,
        help_text=_("选择事件后，平台自动去除姓名、班级、证件号并模糊日期，生成预览供编辑。"),
    )
    title = forms.CharField(label=_("标题"), max_length=120)
    outside_text = forms.CharField(
        label=_("区外事件经过"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("不选本县事件时填写；证件号、电话、班级和日期同样自动处理。"),
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases

    def clean(self):
        data = super().clean()
        if not data.get("case") and not (data.get("outside_text") or "").strip():
            raise forms.ValidationError(_("请选择本县已结案事件，或填写区外事件经过。"))
        return data


class LessonForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    summary = forms.CharField(
        label=_("事件经过（已去除身份信息）"), max_length=4000, widget=forms.Textarea(attrs={"rows": 10})
    )
    lessons = forms.CharField(
        label=_("警示与教训"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class AssignForm(forms.Form):
    staff = StaffMultipleField(label=_("学习的教职工"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.governance.services import lesson_staff

        self.fields["staff"].queryset = lesson_staff(school.pk)
