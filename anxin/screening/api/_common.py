"""What the screening API's serializers and viewsets share: per-serializer enums, primary keys
resolved in the caller's scope, staff accounts, service-backed create and update."""

from __future__ import annotations

import hashlib

from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from anxin.core.editing import ServiceCreateMixin


class InlineEnums:
    """Each serializer's choice fields get their own enum component (e.g. ``HazardStatusEnum``):
    enums named only after the field ("status", "level", "kind" …) would collide across this
    app's and other apps' serializers."""

    def get_fields(self):
        fields = super().get_fields()
        owner = type(self).__name__.removesuffix("Serializer")
        for name, field in fields.items():
            if isinstance(field, serializers.ChoiceField):
                values = list(field.choices)
                is_int = bool(values) and all(isinstance(v, int) for v in values)
                schema = {
                    "type": "integer" if is_int else "string",
                    "enum": values,
                    "description": "；".join(f"{k}={v}" for k, v in field.choices.items()),
                }
                if getattr(field, "allow_blank", False):
                    schema["enum"] = [*values, ""]
                if field.allow_null:
                    schema["nullable"] = True
                schema["x-spec-enum-id"] = hashlib.sha256(f"{owner}.{name}".encode()).hexdigest()[:16]
                if name in ("level", "previous_level"):
                    # risk levels: described, not an enum component (the care app documents
                    # the same four values under "level")
                    schema.pop("enum")
                    schema.pop("x-spec-enum-id")
                set_override(field, "field", schema)
        return fields


class S(InlineEnums, serializers.Serializer):
    pass


class MS(InlineEnums, serializers.ModelSerializer):
    pass


class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A primary key resolved only among the rows the caller may see."""

    def __init__(self, model, action: str = "view", **kwargs):
        self.model, self.scope_action = model, action
        super().__init__(**kwargs)
        self.queryset = model._default_manager.none()  # lets the schema see the model

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.model.objects.none()
        return self.model.objects.restrict(request.user, self.scope_action)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            if self.model._meta.label_lower == "roster.student":
                from anxin.roster import lookup

                lookup.audit_denied(data, "screening")  # a student outside the scope, audited
            raise


class StaffPK(serializers.PrimaryKeyRelatedField):
    """A staff account (services check it holds a post at the school)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from anxin.accounts.models import User

        self.queryset = User.objects.none()

    def get_queryset(self):
        from anxin.accounts.models import User

        return User.objects.filter(is_active=True)


class ServiceWriteMixin(ServiceCreateMixin):
    """core's service-backed ``create`` (``create_serializer_class`` → ``perform_service_create``);
    the write serializer also serves ``partial_update`` and the browsable API's forms."""

    def get_serializer_class(self):
        if self.action in ("create", "partial_update", "update") and self.create_serializer_class:
            return self.create_serializer_class
        return super().get_serializer_class()


class ServiceUpdateMixin:
    """``PATCH`` through ``service_update(obj, data)``, parsed with the write serializer; the
    schema (request and 200 response) follows from the two serializers, as for create."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "service_update" in cls.__dict__:
            extend_schema_view(
                partial_update=extend_schema(
                    request=cls.create_serializer_class, responses={200: cls.serializer_class}
                )
            )(cls)

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        ser = self.get_serializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        obj = self.service_update(obj, ser.validated_data)
        return Response(self.serializer_class(obj, context=self.get_serializer_context()).data)
