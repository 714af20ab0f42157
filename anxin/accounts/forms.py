from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from anxin.core.roles import Role
from anxin.core.validators import validate_phone


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名或手机号"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid_login": _("用户名（手机号）或密码错误。连续失败5次，账号将锁定15分钟。"),
        "inactive": _("该账号已停用。"),
    }


class ChangePasswordForm(PasswordChangeForm):
    """The holder's own change: the new password may not be the current one nor one of the
    last five (LAW 21); the history is kept by accounts.services."""

    def clean(self):
        data = super().clean()
        new = data.get("new_password2")
        if new and not self.has_error("new_password2") and not self.has_error("old_password"):
            from anxin.accounts.services import password_reuse_error

            message = password_reuse_error(self.user, new)
            if message:
                self.add_error("new_password2", message)
        return data

    def save(self, commit=True):
        if not commit:
            user = super().save(commit=False)
            user.must_change_password = False
            return user
        from anxin.accounts.services import change_own_password

        return change_own_password(self.user, self.cleaned_data["new_password1"])


class OtpTokenForm(forms.Form):
    token = forms.RegexField(
        label=_("6位动态验证码"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("请输入6位数字验证码。")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("登录用，字母、数字或 @ . + - _，建立后不宜修改。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    real_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        required=False,
        help_text=_("可用手机号登录。"),
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    county = forms.ModelChoiceField(label=_("所属县区"), queryset=None, empty_label=None)

    def __init__(self, *args, counties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        self.only_county = counties[0] if counties is not None and len(counties) == 1 else None
        if self.only_county is not None:  # the usual case: an administrator of one county
            del self.fields["county"]

    def clean_username(self):
        from anxin.accounts.models import User

        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该用户名已被使用。"))
        return username

    def clean(self):
        data = super().clean()
        if self.only_county is not None:
            data["county"] = self.only_county
        return data


class SchoolClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.school.name} · {obj.grade.name}{obj.name}"


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("岗位角色"), choices=[("", "---------"), *Role.choices])
    school = forms.ModelChoiceField(
        label=_("学校"),
        queryset=None,
        required=False,
        help_text=_("学校级、班级岗位必填；县级岗位（系统管理员、安全股、审计员、联络员）不填。"),
    )
    klass = SchoolClassChoiceField(
        label=_("班级"), queryset=None, required=False, help_text=_("班主任、任课教师必填。")
    )
    title = forms.CharField(label=_("职务名称"), max_length=60, required=False)
    unit = forms.CharField(
        label=_("所在单位"), max_length=80, required=False, help_text=_("公安、检察、法院联络员必填。")
    )

    def __init__(self, *args, county_id=None, **kwargs):
        School = apps.get_model("org", "School")
        SchoolClass = apps.get_model("org", "SchoolClass")

        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(county_id=county_id).order_by("town", "name")
        self.fields["klass"].queryset = (
            SchoolClass.objects.filter(county_id=county_id)
            .select_related("school", "grade")
            .order_by("school__name", "grade__year", "name")
        )


class GrantRequestForm(forms.Form):
    school = forms.ModelChoiceField(label=_("访问学校"), queryset=None)
    reason = forms.CharField(
        label=_("理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明为何需要查看该校学生信息，如：协助该校开展心理辅导。至少10个字。"),
    )
    days = forms.IntegerField(label=_("期限（天）"), min_value=1)

    def __init__(self, *args, schools=None, max_days=30, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["days"].max_value = max_days
        self.fields["days"].initial = min(7, max_days)
        self.fields["days"].help_text = _("最长%(n)d天，到期自动失效。") % {"n": max_days}
        self.fields["days"].widget.attrs.update({"min": 1, "max": max_days})
        from django.core.validators import MaxValueValidator

        self.fields["days"].validators.append(MaxValueValidator(max_days))


class GrantDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("审批结果"), choices=[("approve", _("批准")), ("reject", _("驳回"))])
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)
