"""Forms of campaigns and articles."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anxin.campaigns import templates
from anxin.core import evaluators


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%d", **kw)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    def __init__(self, *args, accept="image/jpeg,image/png,application/pdf,.docx,.xlsx", **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": accept}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class CampaignCreateForm(forms.Form):
    template_key = forms.ChoiceField(label=_("模板"), choices=())
    title = forms.CharField(label=_("名称"), max_length=120, required=False, help_text=_("留空则用模板名称"))
    start = forms.DateField(
        label=_("开始日期"),
        widget=DateInput(),
        help_text=_("各阶段的开始日期和完成期限按模板的间隔顺延，建立后可逐一修改"),
    )

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.fields["template_key"].choices = templates.choices()


class PhaseForm(forms.Form):
    name = forms.CharField(label=_("阶段名称"), max_length=40)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    deadline = forms.DateField(label=_("完成期限"), widget=DateInput())


def school_type_choices():
    from anxin.org.models import SchoolType

    return [("", _("全部学校")), *SchoolType.choices]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("任务"), max_length=120)
    description = forms.CharField(label=_("要求"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    school_type = forms.ChoiceField(label=_("适用学校"), required=False, choices=school_type_choices)
    evaluator = forms.ChoiceField(
        label=_("完成方式"),
        required=False,
        help_text=_("选择一项数据判定，或留空由学校上报文字说明和材料"),
    )
    params = forms.CharField(
        label=_("判定参数"),
        required=False,
        help_text=_('如 {"min_count": 2}；留空用默认值'),
    )

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.fields["evaluator"].choices = [("", _("上报材料（文字说明和附件）")), *evaluators.choices()]
        with_params = [e for e in evaluators.all_evaluators() if e.params]
        if with_params:
            self.fields["params"].help_text = _("可用参数（默认值）：%(p)s；留空用默认值") % {
                "p": "；".join(
                    f"{e.label} — " + "、".join(f"{k}={v}" for k, v in e.params.items()) for e in with_params
                )
            }

    def clean_params(self):
        raw = (self.cleaned_data.get("params") or "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise ValidationError(_('判定参数格式不对，应如 {"min_count": 2}。')) from None
        if not isinstance(value, dict):
            raise ValidationError(_('判定参数格式不对，应如 {"min_count": 2}。'))
        return value


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
    files = FilesField(label=_("附件"), help_text=_("照片、PDF、Word 或 Excel，单个不超过 10 MB"))


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, required=False
    )


class ArticleForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("专项行动"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(
        label=_("正文"),
        widget=forms.Textarea(attrs={"rows": 16, "class": "richtext"}),
        help_text=_("可用段落、小标题、列表、加粗；图片请作为附件上传"),
    )
    files = FilesField(
        label=_("图片"), accept="image/jpeg,image/png", help_text=_("JPG 或 PNG，单张不超过 10 MB")
    )

    def __init__(self, *a, campaigns=None, with_campaign=True, **kw):
        super().__init__(*a, **kw)
        if with_campaign:
            self.fields["campaign"].queryset = campaigns
        else:
            del self.fields["campaign"]
