"""API base (R-Q-3): the same policy as the pages. Every viewset reads through
``.restrict(user, action)``; writes call the same services as the pages."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, viewsets
from rest_framework.fields import Field, SkipField
from rest_framework.relations import ManyRelatedField, PKOnlyObject, PrimaryKeyRelatedField
from rest_framework.serializers import BaseSerializer, SerializerMethodField
from rest_framework.views import exception_handler as drf_exception_handler

from anxin.core import audit, policy
from anxin.core.api_auth import view_action


@functools.cache
def unshown_secrets(model, serializer_class) -> tuple[str, ...]:
    """The encrypted fields of ``model`` that ``serializer_class`` names nowhere, neither as a
    field nor as the start of a field's source: a list leaves them unread (``defer``), since each
    costs a decryption per row. Only for a serializer whose methods and properties read no
    encrypted field (else each row would load it with a query of its own: pin the list's
    queries in its test)."""
    from anxin.core.crypto import encrypted_fields

    named = set()
    for name, field in serializer_class().fields.items():
        named.update((name, (field.source or name).split(".")[0]))
    return tuple(f for f in encrypted_fields(model) if f not in named)


class PlainRows:
    """A ``ModelSerializer`` mixin for lists of many rows: a field that shows one of the model's
    own columns (or a foreign key as its id) reads it with one ``getattr``, where DRF walks
    ``source_attrs``, tests the value for a callable and catches lookup errors for each field of
    each row (about a third of a 50-row list's Python). Any other field (a dotted source, a
    method, a property, a nested serializer) goes DRF's own way, and so does a row that is a
    mapping. The output is DRF's (tested field by field against it)."""

    def to_representation(self, instance):
        if isinstance(instance, Mapping):
            return super().to_representation(instance)
        plan = self.__dict__.get("_plain_plan")
        if plan is None:
            plan = self._plain_plan = _plain_plan(self)
        ret = {}
        for name, attname, field in plan:
            if attname is not None:  # a column: None stays None, as in DRF
                value = getattr(instance, attname)
                ret[name] = value if value is None or field is None else field.to_representation(value)
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check is None else field.to_representation(attribute)
        return ret


def _plain_plan(serializer) -> list[tuple]:
    """(name, the column's attribute or None, the field or None for an id as it is)."""
    model = serializer.Meta.model
    plan = []
    for field in serializer._readable_fields:
        attname, shown = None, field
        attrs = field.source_attrs
        if len(attrs) == 1 and not isinstance(
            field, (BaseSerializer, ManyRelatedField, SerializerMethodField)
        ):
            try:
                column = model._meta.get_field(attrs[0])
            except FieldDoesNotExist:
                column = None
            if column is not None and column.concrete and not column.many_to_many:
                # only fields that read their value as DRF's own do: a field class that reads
                # it its own way (get_attribute, or a key's to_representation) keeps its way
                if not column.is_relation:
                    if type(field).get_attribute is Field.get_attribute:
                        attname = column.attname
                elif (
                    type(field) is PrimaryKeyRelatedField
                    and field.pk_field is None
                    and field.use_pk_only_optimization()
                ):
                    attname, shown = column.attname, None
        plan.append((field.field_name, attname, shown))
    return plan


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """List and retrieve through the policy; ``sensitive_retrieve`` audits reads."""

    policy_model = None
    sensitive_retrieve = False
    select_related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()  # else the model's Meta.ordering, else pk
    # the list leaves unread the encrypted fields its serializer does not name (unshown_secrets)
    defer_unshown_secrets = False

    def get_queryset(self):
        model = self.policy_model or self.queryset.model
        qs = model.objects.restrict(self.request.user, view_action(self))
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.defer_unshown_secrets and self.action == "list":
            qs = qs.defer(*unshown_secrets(model, self.get_serializer_class()))
        return qs.order_by(*(self.ordering or model._meta.ordering or ["pk"]))

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            model = self.policy_model or self.queryset.model
            audit.append(
                "denied",
                object_type=model._meta.label_lower,
                object_id=str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))[:64],
                result="denied",
                data={"perm": policy.perm_name(model, view_action(self)), "via": "api"},
            )
            raise

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if self.sensitive_retrieve:
            audit.append(
                "read",
                object_type=(self.policy_model or self.queryset.model)._meta.label_lower,
                object_id=kwargs.get("pk", ""),
                data={"via": "api"},
            )
        return response


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "message_dict") else exc.messages)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


def register(router) -> None:
    from anxin.core.api_views import AuditEventViewSet, DeliveryViewSet, HomeViewSet

    router.register("audit-events", AuditEventViewSet, basename="audit-event")
    router.register("deliveries", DeliveryViewSet, basename="delivery")
    router.register("home", HomeViewSet, basename="home")
