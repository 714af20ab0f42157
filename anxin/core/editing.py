"""One way to write an edit page, and one way to write a service-backed API create.

Every create/edit page does the same seven steps (NetBox's ``ObjectEditView`` in small): load the
object in the user's scope (404 outside it, audited), check the action (403, audited), bind the
form, call the service, turn the service's ``ValidationError`` into form errors, flash a
message, redirect — or render the form again with what was typed. ``ServiceFormView`` does them;
a page names its model, form, template, texts and the service call::

    class RoundCreateView(ServiceFormView):
        permission = "screening.screeninground.change"
        form_class = sf.RoundForm
        template_name = "screening/form.html"
        title = _("发起排查")

        def save(self, form):
            return services.open_round(by=self.request.user, **form.cleaned_data)

        def get_success_url(self, result):
            return reverse("screening:round_detail", args=[result.pk])

Services stay the only writers: the view never saves a model itself. The API's creates share the
same shape through ``ServiceCreateMixin``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from anxin.core.access import check, get_for_user, require


def form_errors(form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: field errors beside their field (when
    the form has it), everything else at the top. Nothing typed is lost."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def run_action(request, call, message) -> bool:
    """A button's service call (add, remove, close …): run ``call()``; its ValidationError's
    messages are flashed as errors, otherwise ``message`` as success. True when it went through."""
    try:
        call()
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return False
    messages.success(request, message)
    return True


def post_inline_form(request, obj, form, save, *, message, success_url, action: str = "change"):
    """A detail page's own small form (a review, a measure) on POST: check the action on the
    object, validate, call the service (``save(cleaned_data)``), turn its ValidationError into
    form errors, message, redirect. Answers the redirect, or None to render the page again."""
    if request.method != "POST":
        return None
    check(request, obj, action)
    if form is None or not form.is_valid():
        return None
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        form_errors(form, exc)
        return None
    messages.success(request, message)
    return redirect(success_url)


class ServiceFormView(View):
    """A create or edit page backed by a service call.

    - ``model`` + URL kwarg ``pk_url_kwarg``: the object is loaded with ``get_for_user`` (in scope,
      ``view``), then ``check``-ed for ``action``; ``sensitive`` audits the read.
    - ``permission``: for a page without an object (a create), the permission required.
    - ``save(form)`` calls the service and returns what it made or changed; a ``ValidationError``
      it raises becomes form errors.
    - ``success_message`` is formatted with ``{"obj": result}``; ``get_success_url(result)``.
    """

    model: ClassVar[Any] = None
    pk_url_kwarg = "pk"
    action = "change"
    sensitive = False
    permission: str | None = None
    form_class: ClassVar[Any] = None
    template_name: str | None = None
    title: Any = ""
    subtitle: Any = ""
    help_text: Any = ""
    success_message: Any = ""
    cancel_url: str | None = None
    # the common cases, named instead of written: where to go after saving (``reverse(name,
    # args=[result.pk])``) and the name the loaded object also has in the template
    success_url_name: str | None = None
    context_object_name: str | None = None

    object: Any = None

    # --- loading and access -------------------------------------------------------------------

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.object = self.get_object()
        self.authorize()
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return None

    def get_object(self):
        if self.model is None or self.pk_url_kwarg not in self.kwargs:
            return None
        return get_for_user(
            self.request,
            self.model,
            self.kwargs[self.pk_url_kwarg],
            "view",
            sensitive=self.sensitive,
            queryset=self.get_queryset(),
        )

    def authorize(self) -> None:
        if self.object is not None and self.action:
            check(self.request, self.object, self.action)
        if self.permission:
            require(self.request, self.permission)

    # --- the form -----------------------------------------------------------------------------

    def get_initial(self) -> dict:
        return {}

    def get_form_kwargs(self) -> dict:
        kwargs: dict[str, Any] = {"initial": self.get_initial()}
        if self.request.method == "POST":
            kwargs["data"] = self.request.POST
            kwargs["files"] = self.request.FILES
        return kwargs

    def get_form(self):
        return self.form_class(**self.get_form_kwargs())

    def save(self, form):  # pragma: no cover - every subclass names its service call
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        return str(self.success_message) % {"obj": result} if self.success_message else ""

    def get_success_url(self, result) -> str:
        if self.success_url_name is None:  # pragma: no cover - every subclass says where
            raise NotImplementedError("set success_url_name or override get_success_url")
        return reverse(self.success_url_name, args=[result.pk])

    def get_cancel_url(self) -> str | None:
        return self.cancel_url

    def get_context_data(self, **kwargs) -> dict:
        ctx = {
            "title": self.title,
            "subtitle": self.subtitle,
            "help": self.help_text,
            "object": self.object,
            "cancel": self.get_cancel_url(),
        }
        if self.context_object_name:
            ctx[self.context_object_name] = self.object
        ctx.update(kwargs)
        return ctx

    # --- the request --------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                result = self.save(form)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                return self.form_saved(result)
        return self.render_form(form)

    def form_saved(self, result):
        message = self.get_success_message(result)
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url(result))

    def render_form(self, form):
        return render(self.request, self.template_name, self.get_context_data(form=form))


class ServiceCreateMixin:
    """``POST`` on a viewset: validate with ``create_serializer_class``, call the service in
    ``perform_service_create(data)``, answer 201 with the made object in ``serializer_class``.
    The schema (request and 201 response) follows from the two serializers."""

    create_serializer_class: ClassVar[Any] = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("create_serializer_class") is not None and "create" not in cls.__dict__:
            extend_schema_view(
                create=extend_schema(
                    request=cls.create_serializer_class, responses={201: cls.serializer_class}
                )
            )(cls)

    def perform_service_create(self, data: dict):  # pragma: no cover - every subclass names it
        raise NotImplementedError

    def get_created_serializer_context(self) -> dict:
        return self.get_serializer_context()

    def create(self, request, *args, **kwargs):
        ser = self.create_serializer_class(data=request.data, context=self.get_serializer_context())
        ser.is_valid(raise_exception=True)
        obj = self.perform_service_create(dict(ser.validated_data))
        out = self.serializer_class(obj, context=self.get_created_serializer_context())
        return Response(out.data, status=status.HTTP_201_CREATED)
