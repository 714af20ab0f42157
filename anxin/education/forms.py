"""Forms of this app; the services validate again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.education.models import LEGAL_VP_KINDS, Activity, Kind, Law, StaffLevel


class ActivityForm(forms.ModelForm):
    laws = forms.MultipleChoiceField(
        label=_("所学法律"),
        choices=Law.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("法治教育必选"),
    )
    staff_level = forms.ChoiceField(
        label=_("培训对象"),
        choices=[("", "—")] + list(StaffLevel.choices),
        required=False,
        help_text=_("教职工专题培训必选"),
    )

    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "held_on",
            "laws",
            "staff_level",
            "presenter",
            "presenter_name",
            "presenter_unit",
            "summary",
            "parents_count",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, presenters=None, legal_vp=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = presenters
        self.fields["presenter"].required = False
        self.fields["presenter"].label_from_instance = lambda u: u.real_name or u.username
        self.fields["parents_count"].help_text = _("家庭教育活动填写")
        self.fields["parents_count"].required = False
        if legal_vp:
            self.fields["kind"].choices = [(k.value, k.label) for k in LEGAL_VP_KINDS]
            for name in ("presenter", "staff_level", "parents_count"):
                self.fields.pop(name)


class SettingForm(forms.Form):
    class_meetings_per_term = forms.IntegerField(label=_("每学期主题班会次数"), min_value=1, max_value=20)
    overdue_days = forms.IntegerField(
        label=_("逾期天数（评优评先）"),
        min_value=0,
        max_value=90,
        help_text=_("本人承办的事项逾期超过这一天数，当年评优评先显示为“暂不具备资格”"),
    )


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("认定理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("说明为何仍认定具备评优评先资格；记入审计日志"),
    )


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("材料文件"), help_text=_("PDF、Word、Excel 或图片，不超过 20MB"))


KIND_HELP = {
    Kind.LAW: _("围绕未成年人保护法、预防未成年人犯罪法开展的法治教育"),
    Kind.CLASS_MEETING: _("防欺凌主题班会：选择召开班会的班级"),
    Kind.STAFF_TRAINING: _("教职工专题培训：选择培训对象，并登记参加人员或用签到码签到"),
}


class ClassMeetingForm(forms.Form):
    """A class teacher's 主题班会, on the phone: class, date, theme, how many attended."""

    klass = forms.ModelChoiceField(label=_("班级"), queryset=None, empty_label=None)
    held_on = forms.DateField(label=_("班会日期"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("班会主题"), max_length=100)
    present = forms.IntegerField(
        label=_("参加学生人数"), required=False, min_value=0, max_value=200, help_text=_("可不填")
    )
    summary = forms.CharField(
        label=_("内容简述"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["klass"].queryset = classes
        self.fields["klass"].label_from_instance = lambda c: f"{c.grade.name}{c.name}"
