"""Form widgets rendered by Jinja2 (docs/decisions.md 22).

Every list page renders its filter form and every form page its fields; Django renders each
widget, and each ``<option>`` of a select, through a Django template of its own, which cost a
fifth of a register page's time. Django ships the same widget templates for Jinja2
(``django/forms/jinja2``), which render the same markup several times faster (quotes are
escaped as ``&#34;``/``&#39;`` rather than ``&quot;``/``&#x27;``: the same to a browser). A
widget whose template exists only for Django templates (an app's, such as django-filter's
range widgets) still renders, through Django's default renderer, as before. Not covered: a
Django-only template *included* from a Jinja2 widget template (a custom ``option_template_name``
of a select); such a widget needs a Jinja2 copy of it under an app's ``jinja2/`` folder.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


class FormRenderer(Jinja2):
    @cached_property
    def _django(self) -> DjangoTemplates:
        return DjangoTemplates()  # Django's default renderer: its widgets and the apps' templates

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
