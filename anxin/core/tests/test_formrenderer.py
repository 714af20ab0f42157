"""Form widgets render through Jinja2 (anxin.core.formrenderer): the same markup as Django
templates give, and a widget whose template exists only for Django templates still renders."""

import html

from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.backends.jinja2 import Template as JinjaTemplate

from anxin.core.formrenderer import FormRenderer


class _Form(forms.Form):
    name = forms.CharField(
        label="姓名", max_length=10, widget=forms.TextInput(attrs={"placeholder": "如：张三"})
    )
    school = forms.ChoiceField(label="学校", choices=[("", "全部"), ("1", "贺兰一中"), ("2", "<二中>")])
    kinds = forms.MultipleChoiceField(
        label="类型", choices=[("a", "肢体"), ("b", "言语")], widget=forms.CheckboxSelectMultiple
    )
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", widget=forms.Textarea)
    sure = forms.BooleanField(label="确认")


def _html(renderer, data=None):
    form = _Form(data, renderer=renderer)
    return "".join(str(f) for f in form).replace("\n", "")


def test_the_project_renders_widgets_with_jinja2():
    renderer = get_default_renderer()
    assert isinstance(renderer, FormRenderer)
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), JinjaTemplate)


def test_the_same_markup_as_django_templates():
    data = {
        "name": "李<四>",
        "school": "2",
        "kinds": ["b"],
        "on": "2026-12-07",
        "note": "x & y",
        "sure": "on",
    }
    for bound in (None, data):
        assert _html(FormRenderer(), bound) == _html(DjangoTemplates(), bound)
    # quotes: markupsafe writes &#34; and &#39; where Django writes &quot; and &#x27; (the same text)
    quoted = {**data, "name": "a\"b'c"}
    jinja, django = _html(FormRenderer(), quoted), _html(DjangoTemplates(), quoted)
    assert 'value="a&#34;b&#39;c"' in jinja and 'value="a&quot;b&#x27;c"' in django
    assert html.unescape(jinja) == html.unescape(django)
    out = _html(FormRenderer(), data)
    assert 'value="李&lt;四&gt;"' in out and "&lt;二中&gt;" in out  # escaped, as before
    assert '<option value="2" selected>' in out


def test_a_template_only_django_has_still_renders():
    """django-filter's range widgets have Django templates only (which include Django's own)."""
    from django_filters.widgets import DateRangeWidget, RangeWidget

    for widget in (RangeWidget(), DateRangeWidget()):
        out = widget.render("r", ["1", "9"], renderer=FormRenderer())
        assert out == widget.render("r", ["1", "9"], renderer=DjangoTemplates())
        assert 'name="r_min"' in out or 'name="r_after"' in out
