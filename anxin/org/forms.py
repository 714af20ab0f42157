"""Forms of the organisation pages. They parse input; the services apply the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.core.fields import AuditedModelChoiceField
from anxin.org.models import Duty, Grade, School, SchoolClass, Stage


class SchoolForm(forms.ModelForm):
    """A school's contacts and basic information; ``fields`` come from
    ``services.editable_school_fields`` for the acting user."""

    class Meta:
        model = School
        fields = [
            "name",
            "short_name",
            "code",
            "type",
            "boarding",
            "town",
            "address",
            "antibullying_phone",
            "antibullying_email",
            "safety_leader_phone",
            "legal_vp_phone",
            "active",
        ]

    def __init__(self, *args, editable: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in editable:
                del self.fields[name]
        if "antibullying_phone" in self.fields:
            self.fields["antibullying_phone"].help_text = _(
                "公布在学校公开页面和海报上，学生和家长可直接拨打"
            )


class ClassCreateForm(forms.Form):
    """A new class in an existing grade, or in a new grade given by name, stage and number."""

    grade = forms.ModelChoiceField(
        queryset=Grade.objects.none(), required=False, label=_("年级"), empty_label=_("— 新建年级 —")
    )
    new_grade_name = forms.CharField(
        label=_("新年级名称"), max_length=20, required=False, help_text=_("如：初二")
    )
    new_grade_stage = forms.ChoiceField(label=_("学段"), choices=[("", "—"), *Stage.choices], required=False)
    new_grade_year = forms.IntegerField(
        label=_("年级序号"),
        min_value=1,
        max_value=12,
        required=False,
        help_text=_("1–12：一年级为1，初一为7，高一为10"),
    )
    name = forms.CharField(label=_("班级名称"), max_length=20, help_text=_("如：3班"))

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].queryset = Grade.objects.filter(school=school).order_by("year")

    def clean(self):
        data = super().clean()
        if not data.get("grade"):
            missing = [f for f in ("new_grade_name", "new_grade_stage", "new_grade_year") if not data.get(f)]
            for f in missing:
                self.add_error(f, _("新建年级时须填写此项。"))
        return data


class PersonChoiceField(forms.ModelChoiceField):
    """Staff of the school, labelled with their posts there (明确到岗)."""

    posts: dict[int, str] = {}

    def label_from_instance(self, obj) -> str:
        name = obj.real_name or obj.username
        post = self.posts.get(obj.pk)
        return f"{name}（{post}）" if post else name


class ResponsibilityForm(forms.Form):
    duty = forms.ChoiceField(label=_("职责"), choices=Duty.choices)
    person = PersonChoiceField(queryset=None, label=_("责任人"), help_text=_("须在本校任职"))
    post = forms.CharField(
        label=_("岗位"), max_length=60, required=False, help_text=_("不填则按其在本校的岗位填写")
    )
    klass = forms.ModelChoiceField(
        queryset=SchoolClass.objects.none(),
        label=_("班级"),
        required=False,
        help_text=_("“本班学生欺凌防治”须指定班级"),
    )
    detail = forms.CharField(
        label=_("具体内容"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, school: School, **kwargs):
        from anxin.accounts.models import Membership, User

        super().__init__(*args, **kwargs)
        from anxin.org.services import post_label

        holders = Membership.objects.active().filter(school=school).values("user_id")
        self.fields["person"].queryset = User.objects.filter(pk__in=holders, is_active=True).order_by(
            "real_name", "username"
        )
        by_user: dict[int, list] = {}
        for m in Membership.objects.active().filter(school=school).order_by("started_on", "pk"):
            by_user.setdefault(m.user_id, []).append(m)
        self.fields["person"].posts = {uid: post_label(ms) for uid, ms in by_user.items()}
        self.fields["klass"].queryset = (
            SchoolClass.objects.filter(school=school, active=True)
            .select_related("grade")
            .order_by("grade__year", "name")
        )


class SafetyOfficerForm(forms.Form):
    # an id outside the class's enrolled students reads as not found and is audited
    student = AuditedModelChoiceField(
        queryset=None,
        label=_("学生"),
        help_text=_("本班在读学生"),
        purpose="org.safety_officer",
        error_messages={"invalid_choice": _("没有找到该学生。")},
    )
    duties = forms.CharField(
        label=_("职责说明"),
        max_length=200,
        required=False,
        help_text=_("如：发现欺凌苗头及时告诉班主任"),
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
