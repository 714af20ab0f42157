"""Form fields shared by the apps."""

from __future__ import annotations

from django import forms

from anxin.core import audit


def audit_denied_lookup(model, pk, purpose: str) -> None:
    """Record that an id of ``model`` outside the rules was asked for (it answered "not found"):
    a ``denied`` event for ``<app>.<model>.lookup``."""
    label = model._meta.label_lower
    audit.append(
        "denied",
        object_type=label,
        object_id=str(pk)[:64],
        result="denied",
        data={"perm": f"{label}.lookup", "purpose": purpose},
    )


class AuditedModelChoiceField(forms.ModelChoiceField):
    """A record's id from a form, taken only from ``queryset`` (what the user may name there):
    an id outside reads as "not found" and is audited as a denial, so a probed id leaves a trace
    and tells nothing (LAW 18). ``purpose`` says what the id was asked for. Apps above core build
    on it (``roster.lookup.StudentField`` adds the county-wide exact-name rule)."""

    default_purpose = ""

    def __init__(self, *args, purpose: str = "", **kwargs):
        self.purpose = purpose or self.default_purpose
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return super().to_python(value)
        except forms.ValidationError:
            audit_denied_lookup(self.queryset.model, value, self.purpose)
            raise
