"""Forms of the public pages and the triage pages. They shape input and show Chinese errors;
the services make the final checks, so the API obeys the same rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anxin.core import policy
from anxin.intake import conf
from anxin.intake.data import Behaviour, Period, Place, Repeated, ReporterKind, Urgency
from anxin.intake.models import INTAKE_CHANNELS, Channel, CloseKind, StudentRole
from anxin.roster.lookup import StudentField


def validate_clean_text(value: str) -> None:
    """Invalid UTF-8 arrives decoded as U+FFFD; lone surrogates cannot be stored."""
    if "\ufffd" in value:
        raise ValidationError(_("含有无法识别的字符（编码错误），请重新输入。"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(_("含有无法识别的字符（编码错误），请重新输入。")) from None


class SafeTextField(forms.CharField):
    """A CharField that refuses mis-encoded text, with a Chinese length message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        max_length = kwargs.get("max_length")
        super().__init__(*args, **kwargs)
        self.validators.append(validate_clean_text)
        if max_length:
            self.error_messages["max_length"] = _(
                "太长了：最多 %(limit_value)d 个字，现在有 %(show_value)d 个字。"
            )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple>."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": "image/*,video/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(d, initial) for d in data if d]
        else:
            files = [single(data, initial)] if data else []
        if len(files) > conf.max_files():
            raise ValidationError(_("最多上传 %(n)d 个文件。") % {"n": conf.max_files()})
        return files


def limit_text(field: forms.CharField, n: int) -> None:
    """Set a text field's limit at form time (the limit is a setting)."""
    from django.core.validators import MaxLengthValidator

    field.max_length = n
    field.widget.attrs["maxlength"] = str(n)
    field.validators.append(MaxLengthValidator(n))
    field.error_messages["max_length"] = _("太长了：最多 %(limit_value)d 个字，现在有 %(show_value)d 个字。")


def _blank(choices) -> list:
    return [("", _("请选择"))] + list(choices)


class ReportFields(forms.Form):
    """What happened, where, when and who — shared by the public form and 首问负责制 intake."""

    behaviours = forms.MultipleChoiceField(
        label=_("发生了什么样的事？（可多选）"),
        choices=Behaviour.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    text = SafeTextField(
        label=_("请说说发生了什么"),
        required=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("谁对谁做了什么，说了什么话。不用写你自己的名字。"),
    )
    place_kind = forms.ChoiceField(label=_("在哪里"), choices=_blank(Place.choices), required=False)
    place = SafeTextField(label=_("具体位置（可不填）"), max_length=100, help_text=_("如：三楼东边厕所"))
    occurred_on = forms.DateField(
        label=_("哪一天（可不填）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_period = forms.ChoiceField(label=_("什么时候"), choices=_blank(Period.choices), required=False)
    repeated = forms.ChoiceField(
        label=_("是不是经常发生"), choices=Repeated.choices, required=False, widget=forms.RadioSelect
    )
    people = SafeTextField(
        label=_("涉及哪些同学（可不填）"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("可以写姓名、班级或外貌特征。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text(self.fields["text"], conf.max_text_chars())
        self.fields["text"].error_messages["required"] = _("请说说发生了什么。")

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            k: d.get(k)
            for k in (
                "behaviours",
                "text",
                "place_kind",
                "place",
                "occurred_on",
                "occurred_period",
                "repeated",
                "people",
                "reporter_kind",
                "contact",
            )
        }


class PublicReportForm(ReportFields):
    """The anonymous report form (R-RPT-1). Nothing here identifies the reporter unless they
    choose to leave a contact, which is encrypted at rest."""

    reporter_kind = forms.ChoiceField(
        label=_("你是"),
        choices=ReporterKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择你的身份：学生、家长或其他人。")},
    )
    contact = SafeTextField(
        label=_("联系方式（可不填）"),
        max_length=100,
        help_text=_("想让老师联系你，可以留电话或微信号。只有负责处理的老师能看到，并加密保存。"),
    )
    files = MultipleFileField(
        label=_("照片或短视频（可不传，最多 5 个）"),
        help_text=_("图片不超过 10 MB，视频不超过 30 MB。照片里的拍摄位置等信息会被自动去掉。"),
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    SPOT_PREFIX = "spot:"

    def __init__(self, *args, places=(), **kwargs):
        """``places``: the school's own places (``services.school_places``), offered first."""
        super().__init__(*args, **kwargs)
        if places:
            self.fields["place_kind"].choices = [
                ("", _("请选择")),
                (_("本校的地点"), [(f"{self.SPOT_PREFIX}{p.pk}", p.name) for p in places]),
                (_("常见地点"), list(Place.choices)),
            ]

    def service_data(self) -> dict:
        data = super().service_data()
        value = data.get("place_kind") or ""
        if value.startswith(self.SPOT_PREFIX):  # one of the school's places: the service checks it
            data["spot"], data["place_kind"] = value.removeprefix(self.SPOT_PREFIX), ""
        return data

    field_order = [
        "reporter_kind",
        "behaviours",
        "text",
        "place_kind",
        "place",
        "occurred_on",
        "occurred_period",
        "repeated",
        "people",
        "files",
        "contact",
    ]


class IntakeForm(ReportFields):
    """首问负责制: a staff member records a phone call, e-mail or visit."""

    school = forms.ModelChoiceField(label=_("学校"), queryset=None)
    channel = forms.ChoiceField(
        label=_("反映方式"),
        choices=[(c.value, c.label) for c in Channel if c in INTAKE_CHANNELS],
        widget=forms.RadioSelect,
    )
    reporter_kind = forms.ChoiceField(label=_("反映人"), choices=_blank(ReporterKind.choices), required=False)
    contact = SafeTextField(label=_("反映人联系方式（可不填）"), max_length=100, help_text=_("加密保存。"))

    field_order = [
        "school",
        "channel",
        "reporter_kind",
        "contact",
        "behaviours",
        "text",
        "place_kind",
        "place",
        "occurred_on",
        "occurred_period",
        "repeated",
        "people",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.org.models import School

        qs = School.objects.restrict(user, "intake.report.record")
        self.fields["school"].queryset = qs
        if qs.count() == 1:
            self.fields["school"].initial = qs.first()
        self.fields["text"].label = _("反映的情况")
        self.fields["text"].help_text = _("按对方所说如实记录：时间、地点、起因、经过、涉及人员。")


class ConcernForm(forms.Form):
    """Raise a concern about a student (R-RPT-3): from the student's page or on the phone."""

    student = StudentField(label=_("学生（可不选）"), queryset=None, required=False, purpose="intake.concern")
    school = forms.ModelChoiceField(label=_("学校"), queryset=None, required=False)
    source = forms.ChoiceField(
        label=_("怎么发现的"),
        choices=[
            (Channel.STAFF.value, _("我自己发现的")),
            (Channel.PARENT_PHONE.value, _("家长来电反映")),
            (Channel.PARENT_VISIT.value, _("家长来访反映")),
            (Channel.MONITORING.value, _("视频监控值守发现")),
            (Channel.POLICE.value, _("公安机关通报")),
            (Channel.PUBLIC_OPINION.value, _("网上舆情")),
        ],
        initial=Channel.STAFF.value,
    )
    text = SafeTextField(
        label=_("看到了什么"),
        required=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("如：情绪低落、身上有伤、被同学起绰号、财物经常丢失……"),
    )
    place = SafeTextField(label=_("地点（可不填）"), max_length=100)

    def __init__(self, *args, user, student=None, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.org.models import School
        from anxin.roster.models import Student

        schools = School.objects.restrict(user, "intake.concern.add")
        self.fields["school"].queryset = schools
        if schools.count() == 1:
            self.fields["school"].initial = schools.first()
        students = (
            Student.objects.restrict(user, "view").filter(status="enrolled").select_related("klass__grade")
        )
        self.fields["student"].queryset = students
        self.fields["student"].label_from_instance = lambda s: f"{s.klass} {s.name}"
        if student is not None:
            self.fields["student"].initial = student
        limit_text(self.fields["text"], conf.max_text_chars())

    def clean(self):
        data = super().clean()
        student = data.get("student")
        if student is not None:
            data["school"] = student.school
        elif not data.get("school"):
            self.add_error("school", _("请选择学校。"))
        return data


class UrgencyForm(forms.Form):
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, widget=forms.RadioSelect)
    note = SafeTextField(label=_("说明（可不填）"), max_length=500)


class CloseForm(forms.Form):
    kind = forms.ChoiceField(label=_("办结类型"), choices=_blank(CloseKind.choices))
    reason = SafeTextField(
        label=_("办结理由"),
        required=True,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必须写明理由；办结记录永久保留，不会删除。"),
    )


class ReasonForm(forms.Form):
    reason = SafeTextField(
        label=_("理由"), required=True, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=_("合并到编号"), min_value=1, help_text=_("填写重复的另一条举报的编号（#后面的数字）")
    )
    reason = SafeTextField(label=_("说明（可不填）"), max_length=500)


class LinkStudentForm(forms.Form):
    student = StudentField(label=_("学生"), queryset=None, purpose="intake.link_student")
    role = forms.ChoiceField(label=_("身份"), choices=StudentRole.choices)

    def __init__(self, *args, school, user, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.roster.models import Student

        self.fields["student"].queryset = (
            Student.objects.restrict(user, "view").filter(school=school).select_related("klass__grade")
        )
        self.fields["student"].label_from_instance = lambda s: f"{s.klass} {s.name}"


class ReplyForm(forms.Form):
    body = SafeTextField(
        label=_("回复举报人"),
        required=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("举报人凭跟进码看到，署名为“学校”。请勿写入其他学生的姓名。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text(self.fields["body"], conf.max_text_chars())


class NoteForm(forms.Form):
    text = SafeTextField(
        label=_("内部备注"), required=True, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class HandOverForm(forms.Form):
    to = forms.ModelChoiceField(label=_("移交给"), queryset=None)
    note = SafeTextField(label=_("说明（可不填）"), max_length=500)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.accounts.models import Membership, User

        roles = policy.roles_with("intake.report.change")
        ids = Membership.objects.active().filter(school=school, role__in=roles).values("user_id")
        self.fields["to"].queryset = User.objects.filter(pk__in=ids, is_active=True)


class TransferForm(forms.Form):
    """Hand a report to another school of the county, or up to the county (R-RPT-4)."""

    school = forms.ModelChoiceField(
        label=_("移交到"),
        queryset=None,
        required=False,
        empty_label=_("县教体局（不知道是哪所学校，或不是本县学校）"),
    )
    reason = SafeTextField(
        label=_("移交理由"), required=True, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, county_id, exclude=None, allow_county=True, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.org.models import School

        qs = School.objects.filter(county_id=county_id, active=True).order_by("town", "name")
        if exclude is not None:
            qs = qs.exclude(pk=exclude)
        self.fields["school"].queryset = qs
        if not allow_county:
            self.fields["school"].required = True
            self.fields["school"].empty_label = None


class OpenCaseForm(forms.Form):
    summary = SafeTextField(
        label=_("事件摘要（可不填，默认取反映内容）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FollowUpForm(forms.Form):
    code = forms.CharField(
        label=_("跟进码"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX-XXXX",
            }
        ),
    )


class FollowUpMessageForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    body = SafeTextField(label=_("补充情况"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("补充照片或短视频（可不传）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text(self.fields["body"], conf.max_text_chars())


class EmergencyForm(forms.Form):
    place = SafeTextField(
        label=_("你在哪里？（可不填）"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("如：操场东边、三楼厕所")}),
    )

    places: list[str] = []

    def suggest(self, places) -> EmergencyForm:
        """Offer the school's own places as the child types (a datalist: one tap on a phone,
        still free text, no JavaScript). Only for showing the form: a press of the button
        does not wait for this lookup."""
        self.places = [p.name for p in places]
        if self.places:
            self.fields["place"].widget.attrs["list"] = "school-places"
        return self


class EmergencyAckForm(forms.Form):
    note = SafeTextField(label=_("处置情况（可不填）"), max_length=300)


class DutyForm(forms.Form):
    user = forms.ModelChoiceField(label=_("值班人员"), queryset=None)
    weekday = forms.TypedChoiceField(
        label=_("星期"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("每天"))]
        + [
            (i, n)
            for i, n in enumerate(
                [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")]
            )
        ],
    )
    starts_at = forms.TimeField(label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label=_("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    note = SafeTextField(label=_("备注"), max_length=60)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        from anxin.accounts.models import Membership, User

        # only people who may open and answer an emergency request can be on duty for it
        roles = policy.roles_with("intake.emergencyrequest.change")
        ids = Membership.objects.active().filter(school=school, role__in=roles).values("user_id")
        self.fields["user"].queryset = User.objects.filter(pk__in=ids, is_active=True)
