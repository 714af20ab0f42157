"""Form widgets render through Jinja2 (anxin.core.formrenderer): the same markup as Django
templates give, and a widget whose template exists only for Django templates still renders."""

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
    html = _html(FormRenderer(), data)
    assert 'value="李&lt;四&gt;"' in html and "&lt;二中&gt;" in html  # escaped, as before
    assert '<option value="2" selected>' in html


def test_a_template_only_django_has_still_renders(tmp_path, settings):
    (tmp_path / "only_django.html").write_text("<b>{{ widget.value }}</b>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    class Only(forms.TextInput):
        template_name = "only_django.html"

    assert Only().render("x", "值", renderer=FormRenderer()) == "<b>值</b>"
