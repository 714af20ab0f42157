"""Forms of the screening pages. They parse input; the rules live in services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.core import clock
from anxin.roster.lookup import StudentField
from anxin.screening.models import (
    BehaviourType,
    Camera,
    DutyShift,
    Frequency,
    HazardMeasure,
    HazardPoint,
    KeyPeriod,
    MonitoringZone,
    Mood,
    Peers,
    Place,
    Psych,
    Rectification,
    ScreeningRound,
    TendencyReview,
    TimeSlot,
    VulnerabilityCategory,
)


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


class StudentChoiceField(StudentField):
    default_purpose = "screening"  # an id outside the scope: not found, audited

    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.klass}）"


class RoundForm(forms.Form):
    title = forms.CharField(label=_("排查名称"), max_length=80, initial=_("学生欺凌全面排查"))
    deadline = forms.DateField(label=_("截止日期"), widget=DateInput())


def _choices(choices, blank=True):
    return ([("", "—")] if blank else []) + list(choices)


class RecordForm(forms.Form):
    """One student's row on the class screening page (the service checks completeness)."""

    psych = forms.ChoiceField(label=_("心理状况"), choices=_choices(Psych.choices), required=False)
    mood = forms.ChoiceField(label=_("情绪"), choices=_choices(Mood.choices), required=False)
    peers = forms.ChoiceField(label=_("同学关系"), choices=_choices(Peers.choices), required=False)
    family_contacted = forms.BooleanField(label=_("已与家长沟通"), required=False)
    signs_seen = forms.BooleanField(label=_("发现苗头迹象"), required=False)
    note = forms.CharField(label=_("情况说明"), max_length=300, required=False)
    missing_reason = forms.CharField(
        label=_("未能排查原因"),
        max_length=200,
        required=False,
        help_text=_("如长期病假、休学在家；填写后视为已说明"),
    )


class SurveyCreateForm(forms.Form):
    klass = forms.ModelChoiceField(label=_("班级"), queryset=None)
    closes_on = forms.DateField(label=_("截止日期"), widget=DateInput())
    round = forms.ModelChoiceField(
        label=_("关联排查轮次"), queryset=ScreeningRound.objects.none(), required=False
    )
    title = forms.CharField(label=_("名称"), max_length=80, initial=_("同学关系状况问卷"), required=False)

    def __init__(self, *args, classes, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["klass"].queryset = classes
        self.fields["klass"].label_from_instance = lambda c: (
            f"{c.grade.name}{c.name}（{c.school.short_name or c.school.name}）"
        )
        self.fields["round"].queryset = rounds
        self.fields["closes_on"].initial = clock.today() + dt.timedelta(days=7)


class SurveyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("答题码"),
        max_length=10,
        help_text=_("老师发给你的纸条上的6位答题码"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}
        ),
    )


class SurveyAnswerForm(forms.Form):
    """The questionnaire: the five behaviour types, where and when, peer nominations."""

    witnessed = forms.MultipleChoiceField(
        label=_("本学期你看到过同学遭受下面哪些情况？"),
        choices=BehaviourType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    places = forms.MultipleChoiceField(
        label=_("这些情况常发生在哪里？"),
        choices=Place.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    times = forms.MultipleChoiceField(
        label=_("常发生在什么时候？"),
        choices=TimeSlot.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    friends = forms.ModelMultipleChoiceField(
        label=_("课间你常和谁在一起？（最多选5人）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    isolated = forms.ModelMultipleChoiceField(
        label=_("班里谁经常被孤立、没人一起玩？（可不选）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    feels_safe = forms.TypedChoiceField(
        label=_("你在学校感到安全吗？"),
        choices=[("1", _("安全")), ("0", _("不太安全"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    wants_help = forms.BooleanField(label=_("我希望老师找我聊一聊"), required=False)
    note = forms.CharField(
        label=_("还有什么想告诉老师的？（选填）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, classmates, **kwargs):
        super().__init__(*args, **kwargs)
        victim_fields = {}
        for value, label in BehaviourType.choices:
            victim_fields[f"victim_{value}"] = forms.TypedChoiceField(
                label=_("本学期你遇到过：%(t)s") % {"t": label},
                choices=Frequency.choices,
                coerce=int,
                widget=forms.RadioSelect,
                initial=Frequency.NEVER,
            )
        # the five behaviour items come first
        self.fields = {**victim_fields, **self.fields}
        for name in ("friends", "isolated"):
            self.fields[name].queryset = classmates
            self.fields[name].label_from_instance = lambda s: s.name

    def clean_friends(self):
        friends = self.cleaned_data["friends"]
        if len(friends) > 5:
            raise forms.ValidationError(_("最多选5人。"))
        return friends

    def answers(self) -> dict:
        d = self.cleaned_data
        return {
            "victim": {t: d[f"victim_{t}"] for t in BehaviourType.values},
            "witnessed": d["witnessed"],
            "places": d["places"],
            "times": d["times"],
            "friends": list(d["friends"]),
            "isolated": list(d["isolated"]),
            "feels_safe": d["feels_safe"],
            "wants_help": d["wants_help"],
            "note": d["note"],
        }


class VulnerabilityForm(forms.Form):
    student = StudentChoiceField(label=_("学生"), queryset=None)
    category = forms.ModelChoiceField(label=_("类别"), queryset=VulnerabilityCategory.objects.none())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, students, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
        self.fields["category"].queryset = categories


class EndForm(forms.Form):
    end_reason = forms.CharField(label=_("移出原因"), max_length=200)


class TendencyForm(forms.Form):
    student = StudentChoiceField(label=_("学生"), queryset=None)
    grounds = forms.CharField(
        label=_("列入依据"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("事实依据：何时、何地、对谁有何欺凌或欺凌倾向行为，信息来源"),
    )
    review_due = forms.DateField(
        label=_("下次复核日期"), widget=DateInput(), required=False, help_text=_("不填则为90天后")
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("复核结论"), choices=TendencyReview.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("复核情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    next_review = forms.DateField(label=_("下次复核日期"), widget=DateInput(), required=False)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = VulnerabilityCategory
        fields = ["code", "name", "position", "active"]
        help_texts = {"code": "英文字母、数字、下划线，如 single_parent"}


class _SchoolStaffForm(forms.ModelForm):
    staff_fields: tuple[str, ...] = ()

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.staff_fields:
            field = self.fields[name]
            self.fields[name] = StaffChoiceField(queryset=staff, required=field.required, label=field.label)


class HazardForm(_SchoolStaffForm):
    staff_fields = ("owner",)

    class Meta:
        model = HazardPoint
        fields = [
            "name",
            "location",
            "kind",
            "time_windows",
            "risk",
            "description",
            "found_on",
            "owner",
            "due_date",
            "status",
            "listed_for_reporters",
        ]
        widgets = {
            "found_on": DateInput(),
            "due_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class MeasureForm(_SchoolStaffForm):
    staff_fields = ("owner",)

    class Meta:
        model = HazardMeasure
        fields = ["type", "description", "owner", "due_date"]
        widgets = {"due_date": DateInput()}


class ZoneForm(forms.ModelForm):
    class Meta:
        model = MonitoringZone
        fields = ["name", "description"]


class CameraForm(forms.ModelForm):
    class Meta:
        model = Camera
        fields = ["name", "zone", "location", "working", "covers"]
        widgets = {"covers": forms.CheckboxSelectMultiple}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = MonitoringZone.objects.filter(school=school)
        self.fields["covers"].queryset = HazardPoint.objects.filter(school=school).order_by("name")


class ShiftForm(_SchoolStaffForm):
    staff_fields = ("person",)

    class Meta:
        model = DutyShift
        fields = ["period", "weekdays", "start_time", "end_time", "zone", "person", "note", "active"]
        widgets = {"start_time": TimeInput(), "end_time": TimeInput()}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = MonitoringZone.objects.filter(school=school)
        self.fields["period"].choices = KeyPeriod.choices


class DutyLogForm(forms.Form):
    shift = forms.ModelChoiceField(label=_("值守安排"), queryset=DutyShift.objects.none(), required=False)
    zone = forms.ModelChoiceField(label=_("区域"), queryset=MonitoringZone.objects.none(), required=False)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    summary = forms.CharField(label=_("值守情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    is_sign = forms.BooleanField(label=_("发现苗头（将作为关注线索报送，进入研判）"), required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].queryset = DutyShift.objects.filter(school=school, active=True).order_by(
            "start_time"
        )
        self.fields["zone"].queryset = MonitoringZone.objects.filter(school=school)


class RectificationForm(_SchoolStaffForm):
    staff_fields = ("owner",)

    class Meta:
        model = Rectification
        fields = [
            "found_on",
            "source",
            "problem",
            "measure",
            "owner",
            "due_date",
            "hazard",
            "status",
            "evidence",
        ]
        widgets = {
            "found_on": DateInput(),
            "due_date": DateInput(),
            "problem": forms.Textarea(attrs={"rows": 3}),
            "measure": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hazard"].queryset = HazardPoint.objects.filter(school=school).order_by("name")
