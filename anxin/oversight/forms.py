"""Forms of the oversight pages. They parse input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.core import clock
from anxin.oversight.models import WEEKDAYS, ActionKind, Level


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.real_name or obj.username


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.klass} {obj.student.name}"


def _staff(school):
    from anxin.oversight.services import staff_of

    return staff_of(school.pk)


class PostForm(forms.Form):
    name = forms.CharField(label=_("监督岗名称"), max_length=60, help_text=_("如：教学楼东侧楼梯口监督岗"))
    hazard = forms.ModelChoiceField(label=_("隐患点"), queryset=None, required=False)
    place = forms.CharField(label=_("地点"), max_length=100, required=False, help_text=_("不在隐患点时填写"))
    duties = forms.CharField(label=_("岗位职责"), max_length=200, required=False)
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        from django.apps import apps

        HazardPoint = apps.get_model("screening", "HazardPoint")
        self.fields["hazard"].queryset = HazardPoint.objects.filter(school_id=school.pk).order_by("name")


class ShiftForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("星期"), choices=WEEKDAYS, coerce=int)
    start_time = forms.TimeField(label=_("开始时间"), widget=TimeInput())
    end_time = forms.TimeField(label=_("结束时间"), widget=TimeInput())
    staff = StaffChoiceField(label=_("值岗教职工"), queryset=None, required=False)
    officer = OfficerChoiceField(label=_("学生安全员"), queryset=None, required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        from django.apps import apps

        SafetyOfficer = apps.get_model("org", "SafetyOfficer")
        self.fields["staff"].queryset = _staff(school)
        self.fields["officer"].queryset = SafetyOfficer.objects.filter(
            school_id=school.pk, ended_on__isnull=True
        ).select_related("klass__grade", "student")


class ObservationForm(forms.Form):
    summary = forms.CharField(
        label=_("值岗情况"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("如：课间楼梯口秩序正常")}),
    )
    flagged = forms.BooleanField(label=_("发现苗头（推送到分管安全副校长的研判收件箱）"), required=False)


class SettingForm(forms.Form):
    class_cases = forms.IntegerField(label=_("班级：一学期内认定欺凌事件（起）"), min_value=1, max_value=50)
    grade_cases = forms.IntegerField(label=_("年级：一学期内认定欺凌事件（起）"), min_value=1, max_value=50)
    school_cases = forms.IntegerField(label=_("学校：一学期内认定欺凌事件（起）"), min_value=1, max_value=50)
    severe_any = forms.BooleanField(label=_("任一情节恶劣事件列入约谈"), required=False)
    repeat_bully_cases = forms.IntegerField(
        label=_("同一学生被认定实施欺凌（起）"), min_value=0, max_value=50, help_text=_("0 为不适用")
    )


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("问责方式"), choices=ActionKind.choices)
    level = forms.ChoiceField(label=_("对象"), choices=Level.choices)
    grade = forms.ModelChoiceField(label=_("年级"), queryset=None, required=False)
    klass = forms.ModelChoiceField(label=_("班级"), queryset=None, required=False)
    reason = forms.CharField(label=_("问责原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    cases = forms.CharField(label=_("涉及事件"), max_length=400, required=False)
    decided_on = forms.DateField(label=_("日期"), widget=DateInput(), initial=clock.today)
    interviewees = forms.CharField(
        label=_("被约谈人"),
        max_length=200,
        required=False,
        help_text=_("约谈时填写：姓名与职务，如 班主任 王老师"),
    )
    interviewers = forms.CharField(label=_("约谈人"), max_length=200, required=False)
    agreed = forms.CharField(
        label=_("约谈要求与整改承诺"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner = StaffChoiceField(label=_("整改责任人"), queryset=None)
    follow_up_due = forms.DateField(label=_("整改期限"), widget=DateInput())

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        from django.apps import apps

        Grade, SchoolClass = apps.get_model("org", "Grade"), apps.get_model("org", "SchoolClass")
        self.fields["grade"].queryset = Grade.objects.filter(school_id=school.pk).order_by("year", "name")
        self.fields["klass"].queryset = (
            SchoolClass.objects.filter(school_id=school.pk)
            .select_related("grade")
            .order_by("grade__year", "name")
        )
        self.fields["owner"].queryset = _staff(school)


class DoneForm(forms.Form):
    done_note = forms.CharField(
        label=_("整改情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    done_on = forms.DateField(label=_("整改完成日期"), widget=DateInput(), initial=clock.today)
