"""Forms of the supervision pages. They parse input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.core import clock
from anxin.supervision.models import (
    ChecklistItem,
    PartnerContact,
    PartnerKind,
    PartnerUnit,
    ReferralReason,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.real_name or obj.username


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["category", "text", "weight", "position", "active"]


class VisitForm(forms.Form):
    planned_on = forms.DateField(label=_("计划日期"), widget=DateInput(), initial=clock.today)
    purpose = forms.CharField(
        label=_("督导事项"), max_length=200, required=False, initial=_("学生欺凌防治工作挂牌督导")
    )
    supervisor = PersonField(label=_("责任督学"), queryset=None, required=False)

    def __init__(self, *args, supervisors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if supervisors is None:
            del self.fields["supervisor"]
        else:
            self.fields["supervisor"].queryset = supervisors
            self.fields["supervisor"].required = True


class ScoreForm(forms.Form):
    """The visit's scores, one field pair per item (score_<id>, note_<id>), and its findings.
    Scores are checked by the service (range by item); a wrong one re-renders the form with
    everything that was typed."""

    visited_on = forms.DateField(label=_("督导日期"), widget=DateInput(), required=False)
    findings = forms.CharField(
        label=_("主要发现"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, required=False
    )
    strengths = forms.CharField(
        label=_("工作亮点"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )

    def __init__(self, *args, scores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.scores = list(scores)
        for s in self.scores:
            self.fields[f"score_{s.pk}"] = forms.CharField(
                label=s.text,
                required=False,
                max_length=8,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "class": "sup-score",
                        "aria-label": f"{s.text}（{s.weight}分）",
                    }
                ),
            )
            self.fields[f"note_{s.pk}"] = forms.CharField(
                label=_("扣分说明"),
                required=False,
                max_length=300,
                widget=forms.TextInput(
                    attrs={"placeholder": _("扣分说明（可选）"), "aria-label": _("扣分说明")}
                ),
            )

    def rows(self):
        """(score row, score bound field, note bound field), in the checklist's order."""
        return [(s, self[f"score_{s.pk}"], self[f"note_{s.pk}"]) for s in self.scores]

    def values(self):
        return {
            s.pk: (self.cleaned_data.get(f"score_{s.pk}", ""), self.cleaned_data.get(f"note_{s.pk}", ""))
            for s in self.scores
        }


def visit_initial(visit) -> dict:
    data = {
        "visited_on": visit.visited_on or clock.today(),
        "findings": visit.findings,
        "strengths": visit.strengths,
    }
    for s in visit.scores.all():
        data[f"score_{s.pk}"] = "" if s.score is None else f"{s.score.normalize():f}"
        data[f"note_{s.pk}"] = s.note
    return data


class RectificationForm(forms.Form):
    problem = forms.CharField(label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    requirement = forms.CharField(
        label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )
    due_date = forms.DateField(label=_("整改期限"), widget=DateInput())


class ResponseForm(forms.Form):
    action_taken = forms.CharField(
        label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("整改佐证"), help_text=_("照片、PDF、Word 或 Excel，不超过 20MB"))


class ReviewForm(forms.Form):
    review_note = forms.CharField(
        label=_("核验意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        help_text=_("退回时必填：写明还需要整改的内容"),
    )


class InspectionForm(forms.Form):
    title = forms.CharField(
        label=_("检查名称"), max_length=100, initial=_("防范中小学生欺凌专项治理联合检查")
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput(), initial=clock.today)
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    units = forms.ModelMultipleChoiceField(
        label=_("参加单位"),
        queryset=PartnerUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    schools = forms.ModelMultipleChoiceField(
        label=_("检查学校"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, county_id=None, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = PartnerUnit.objects.filter(county_id=county_id, active=True)
        self.fields["schools"].queryset = schools


class MemberForm(forms.Form):
    user = PersonField(label=_("平台账号"), queryset=None, required=False)
    name = forms.CharField(
        label=_("姓名"), max_length=40, required=False, help_text=_("没有平台账号的成员填写姓名和单位")
    )
    unit = forms.CharField(label=_("单位"), max_length=80, required=False)
    duty = forms.CharField(label=_("分工"), max_length=60, required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people


class AddSchoolForm(forms.Form):
    school = forms.ModelChoiceField(label=_("学校"), queryset=None)

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools


class UnitForm(forms.ModelForm):
    class Meta:
        model = PartnerUnit
        fields = ["kind", "name", "phone", "address", "active"]


class ContactForm(forms.ModelForm):
    user = PersonField(
        label=_("平台账号"),
        queryset=None,
        required=False,
        help_text=_("法治副校长、联络员的账号：转介给他们的事项进入其工作台"),
    )

    class Meta:
        model = PartnerContact
        fields = ["name", "title", "phone", "user"]

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.unit.name} · {obj.name}{'（' + obj.title + '）' if obj.title else ''}"


class ReferralForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("联动单位"), queryset=None)
    contact = ContactChoiceField(
        label=_("联系人"),
        queryset=None,
        required=False,
        help_text=_("有平台账号的联系人会在工作台收到转介并反馈结果"),
    )
    reason = forms.ChoiceField(label=_("事由"), choices=ReferralReason.choices)
    student_name = forms.CharField(
        label=_("涉及学生"),
        max_length=40,
        required=False,
        help_text=_("本校学生姓名（同名时写“姓名 班级”，如“张三 初一1班”）；不涉及学生的可不填"),
    )
    details = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    request = forms.CharField(label=_("请求协助事项"), max_length=300)
    respond_by = forms.DateField(label=_("希望反馈日期"), widget=DateInput())

    def __init__(self, *args, county_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = PartnerUnit.objects.filter(county_id=county_id, active=True)
        self.fields["unit"].queryset = units
        self.fields["contact"].queryset = PartnerContact.objects.filter(unit__in=units).select_related("unit")


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


KIND_CHOICES = PartnerKind.choices
