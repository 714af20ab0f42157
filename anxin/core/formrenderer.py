"""Form widgets rendered by Jinja2 (docs/decisions.md 22).

Every list page renders its filter form and every form page its fields; Django renders each
widget, and each ``<option>`` of a select, through a Django template of its own, which cost a
fifth of a register page's time. Django ships the same widget templates for Jinja2
(``django/forms/jinja2``), which render the same markup several times faster. A widget whose
template exists only for Django templates (the project's or an app's) still renders, through
the project's template engine.
"""

from __future__ import annotations

from django.forms.renderers import Jinja2, TemplatesSetting
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


class FormRenderer(Jinja2):
    @cached_property
    def _django(self) -> TemplatesSetting:
        return TemplatesSetting()  # the project's TEMPLATES: its own and its apps' templates

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
