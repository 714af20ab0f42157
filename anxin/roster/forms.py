"""Forms of the roster pages: upload, commit confirmation, student edit, guardians, move."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from anxin.core import policy
from anxin.core.validators import NAME_RE, is_phone
from anxin.org.models import SchoolClass
from anxin.roster import importer, services
from anxin.roster.models import Guardian, RosterImport, Student, normalize_student_no, student_no_indexes_for


class UploadForm(forms.Form):
    """Upload a roster: the school is asked only of users who may import into several."""

    kind = forms.ChoiceField(label=_("导入内容"), choices=RosterImport.Kind.choices)
    school = forms.ModelChoiceField(label=_("学校"), queryset=None)
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        help_text=_("请使用下载的模板，或直接上传全国学籍系统导出的 .xlsx 文件。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    create_classes = forms.BooleanField(
        label=_("自动创建缺少的班级"),
        required=False,
        help_text=_("勾选后，文件中本校尚未建立的年级、班级将在导入时一并建立。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        kinds = [
            (k, label)
            for k, label in RosterImport.Kind.choices
            if policy.can(user, services.PERM_FOR_KIND[k])
        ]
        self.fields["kind"].choices = kinds
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0][0]
        schools = services.import_schools(user, RosterImport.Kind.STUDENTS)
        schools = schools | services.import_schools(user, RosterImport.Kind.STAFF)
        self.fields["school"].queryset = schools.distinct().order_by("town", "name")
        only = list(self.fields["school"].queryset[:2])
        if len(only) == 1:
            self.fields["school"].initial = only[0]

    def clean(self):
        data = super().clean()
        kind, school = data.get("kind"), data.get("school")
        if kind and school and not services.import_schools(self.user, kind).filter(pk=school.pk).exists():
            raise ValidationError(_("您无权向该学校导入此类名册。"))
        return data


class CommitForm(forms.Form):
    """Import: everything, or — explicitly confirmed — only the valid rows."""

    only_valid = forms.BooleanField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        required=False, label=_("我已核对错误，确认只导入有效的行，有错误的行不导入")
    )

    def __init__(self, *args, roster_import: RosterImport, **kwargs):
        super().__init__(*args, **kwargs)
        self.roster_import = roster_import

    def clean(self):
        data = super().clean()
        if self.roster_import.errors:
            if not data.get("only_valid") or not data.get("confirm"):
                raise ValidationError(_("文件有错误：默认不导入。如仍要导入有效的行，请勾选确认。"))
        return data


class StudentNoLookupForm(forms.Form):
    """按学籍号查找: posted, never in a URL (the 学籍号 carries the ID number)."""

    student_no = forms.CharField(
        label=_("全国学籍号"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "latin", "size": 21}),
        help_text=_("输入完整的19位全国学籍号（G或J加18位身份证件号）。"),
    )

    def clean_student_no(self):
        value = normalize_student_no(self.cleaned_data.get("student_no"))
        if len(value) != 19:
            raise ValidationError(_("请输入完整的19位全国学籍号。"))
        return value


class StudentForm(forms.ModelForm):
    """The student's record. Keys (county, school, class) change only by a move; the ID
    number and health data only by import (they are sensitive, LAW 20)."""

    class Meta:
        model = Student
        fields = [
            "student_no",
            "name",
            "sex",
            "birth_date",
            "ethnicity",
            "attendance",
            "enrolled_month",
            "left_behind",
            "migrant",
            "orphan",
            "only_child",
            "needs_aid",
            "address",
            "phone",
            "status",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "student_no": forms.TextInput(attrs={"maxlength": 19, "autocomplete": "off"}),
            "ethnicity": forms.Select(choices=[("", "—")] + sorted(importer.ETHNICITY_LABEL.items())),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the 学籍号 carries the ID number: the form never shows it (the detail page shows it
        # masked, in full only through the audited 查看敏感信息); left blank it stays as it is
        field = self.fields["student_no"]
        self.initial["student_no"] = ""
        field.required = False
        if self.instance.student_no:
            field.widget.attrs["placeholder"] = self.instance.student_no_masked
            field.help_text = _("留空则保持不变；如需更正，请输入完整的19位全国学籍号。")

    def clean_student_no(self):
        value = normalize_student_no(self.cleaned_data.get("student_no"))
        if not value:
            return self.instance.student_no or None  # blank: unchanged
        if value == self.instance.student_no:
            return value  # unchanged: legacy numbers are not re-checked on every edit
        problem = importer.check_student_no(value)
        if problem:
            raise ValidationError(problem)
        clash = Student.objects.filter(
            county_id=self.instance.county_id, student_no_index__in=student_no_indexes_for(value)
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("该全国学籍号已被本县其他学生使用。"))
        return value

    def clean_name(self):
        value = "".join((self.cleaned_data.get("name") or "").split())
        problem = importer.check_name(value)
        if problem:
            raise ValidationError(problem)
        return value

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value:
            problem = importer.check_age(value)
            if problem:
                raise ValidationError(problem)
        return value

    def clean_enrolled_month(self):
        value = (self.cleaned_data.get("enrolled_month") or "").strip()
        if value and not re.fullmatch(r"\d{4}(0[1-9]|1[0-2])", value):
            raise ValidationError(_("入学年月格式错误（应为YYYYMM，如202409）"))
        return value

    def clean_phone(self):
        value = importer.clean_phone(self.cleaned_data.get("phone") or "")
        if value and not is_phone(value):
            raise ValidationError(_("电话号码格式错误：手机号为1开头的11位数字，固定电话如0951-1234567。"))
        return value

    def clean(self):
        data = super().clean()
        inst = self.instance
        # a 居民身份证 fixes sex and birth date (FORMATS.md)
        if inst.id_type == "1" and len(inst.id_number or "") == 18:
            if data.get("sex") and (int(inst.id_number[16]) % 2 == 1) != (data["sex"] == "1"):
                self.add_error("sex", _("性别与身份证件号第17位不符（奇数为男，偶数为女）"))
            birth = data.get("birth_date")
            if birth and inst.id_number[6:14] != birth.strftime("%Y%m%d"):
                self.add_error("birth_date", _("出生日期与身份证件号中的出生日期不符"))
        return data


class GuardianForm(forms.ModelForm):
    class Meta:
        model = Guardian
        fields = ["name", "relation", "phone", "is_guardian", "lives_with", "employer"]

    def has_changed(self) -> bool:
        # an untouched blank "new member" form is not a change, whatever its checkboxes say
        if self.instance.pk is None and not any(
            str(self[f].value() or "").strip() for f in ("name", "relation", "phone", "employer")
        ):
            return False
        return super().has_changed()

    def clean_name(self):
        value = "".join((self.cleaned_data.get("name") or "").split())
        if not NAME_RE.match(value):
            raise ValidationError(_("姓名须为1至50个汉字或字母，可含“·”。"))
        return value

    def clean_phone(self):
        value = importer.clean_phone(self.cleaned_data.get("phone") or "")
        if value and not is_phone(value):
            raise ValidationError(_("电话号码格式错误：手机号为1开头的11位数字，固定电话如0951-1234567。"))
        return value


class BaseGuardianFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("删除该成员")

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if kept and not any(f.cleaned_data.get("is_guardian") for f in kept):
            raise ValidationError(_("至少须有一名成员标记为监护人。"))


GuardianFormSet = inlineformset_factory(
    Student, Guardian, form=GuardianForm, formset=BaseGuardianFormSet, extra=1, max_num=6, can_delete=True
)


class MoveForm(forms.Form):
    """Move to a class the user may change students in (their change scope)."""

    klass = forms.ModelChoiceField(label=_("调往班级"), queryset=SchoolClass.objects.none())
    reason = forms.CharField(label=_("调班原因"), max_length=100)

    def __init__(self, *args, user, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["klass"].queryset = (
            SchoolClass.objects.restrict(user, "roster.student.change")
            .filter(active=True)
            .exclude(pk=student.klass_id)
            .select_related("grade", "school")
            .order_by("school__name", "grade__year", "name")
        )
        self.fields["klass"].label_from_instance = lambda k: f"{k.school.name} {k.grade.name}{k.name}"
