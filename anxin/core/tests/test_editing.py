"""core.editing on its own: ServiceFormView (a throwaway page over org.School, wired through
this module as the URLconf) and ServiceCreateMixin (a throwaway viewset)."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import path, reverse
from rest_framework import serializers, viewsets
from rest_framework.test import APIRequestFactory, force_authenticate

from anxin.core.editing import ServiceCreateMixin, ServiceFormView, form_errors
from anxin.core.models import AuditEvent
from anxin.org.models import School

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []


class NameForm(forms.Form):
    name = forms.CharField(max_length=20)
    town = forms.CharField(max_length=20, required=False)


def fake_service(school, data: dict):
    """What a service may answer: each name picks one kind of refusal."""
    name = data["name"]
    if name == "字段错误":
        raise ValidationError({"name": "学校名称已被使用。"})
    if name == "别处字段":
        raise ValidationError({"spot": "这个字段不在表单上。"})
    if name == "整体错误":
        raise ValidationError("现在不能保存。")
    if name == "多条错误":
        raise ValidationError(["第一条原因。", "第二条原因。"])
    CALLS.append({"school": school, **data})
    return school


class SchoolRenameView(ServiceFormView):
    model = School
    form_class = NameForm
    template_name = "org/school_edit.html"
    title = "改名"
    success_message = "已保存：%(obj)s"
    success_url_name = "org:school_detail"
    context_object_name = "school"

    def get_initial(self):
        return {"name": self.object.name, "town": self.object.town}

    def save(self, form):
        return fake_service(self.object, form.cleaned_data)


class SensitiveSchoolRenameView(SchoolRenameView):
    sensitive = True


class CreateLikeView(ServiceFormView):
    """A page without an object: the permission alone decides."""

    permission = "org.school.change"
    form_class = NameForm
    template_name = "org/school_edit.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(school=School.objects.order_by("pk").first(), **kwargs)


def _project_urls():
    from config.urls import urlpatterns as project

    return project


urlpatterns = [
    path("t/schools/<int:pk>/rename/", SchoolRenameView.as_view(), name="t_rename"),
    path("t/schools/<int:pk>/rename-sensitive/", SensitiveSchoolRenameView.as_view(), name="t_rename_s"),
    path("t/schools/new/", CreateLikeView.as_view(), name="t_new"),
    *_project_urls(),  # the page shell reverses the project's names
]

use_these_urls = override_settings(ROOT_URLCONF=__name__)


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


def _url(school, name="t_rename"):
    return f"/t/schools/{school.pk}/{'rename' if name == 't_rename' else 'rename-sensitive'}/"


def _denials(perm):
    return AuditEvent.objects.filter(action="denied", result="denied", data__perm=perm)


# --- ServiceFormView: loading and access --------------------------------------------------------


@use_these_urls
def test_anonymous_goes_to_the_login_page(world, client):
    r = client.get(_url(world.school_a1))
    assert r.status_code == 302 and "login" in r["Location"]


@use_these_urls
def test_an_object_outside_the_scope_is_404_and_audited(world, as_user):
    c = as_user(world.user["principal"])  # principal of A1; B1 is another county's school
    before = _denials("org.school.view").count()
    assert c.get(_url(world.school_b1)).status_code == 404
    assert c.post(_url(world.school_b1), {"name": "新名字"}).status_code == 404
    assert _denials("org.school.view").count() == before + 2
    assert CALLS == []


@use_these_urls
def test_missing_the_action_is_403_and_audited(world, as_user):
    c = as_user(world.user["class_teacher"])  # sees school A1, may not change it
    assert c.get(_url(world.school_a1)).status_code == 403
    assert c.post(_url(world.school_a1), {"name": "新名字"}).status_code == 403
    assert _denials("org.school.change").filter(object_id=str(world.school_a1.pk)).count() == 2
    assert CALLS == []


@use_these_urls
def test_a_page_without_object_requires_its_permission(world, as_user):
    assert as_user(world.user["class_teacher"]).get("/t/schools/new/").status_code == 403
    r = as_user(world.user["principal"]).get("/t/schools/new/")
    assert r.status_code == 200 and r.context["object"] is None


# --- ServiceFormView: the form --------------------------------------------------------------------


@use_these_urls
def test_get_renders_the_initial_values(world, as_user):
    r = as_user(world.user["principal"]).get(_url(world.school_a1))
    assert r.status_code == 200
    form = r.context["form"]
    assert not form.is_bound
    assert form.initial == {"name": world.school_a1.name, "town": world.school_a1.town}
    assert r.context["title"] == "改名" and r.context["object"] == world.school_a1
    assert f'value="{world.school_a1.name}"' in r.content.decode()


@use_these_urls
def test_an_invalid_form_is_shown_again_with_its_errors_and_no_service_call(world, as_user):
    r = as_user(world.user["principal"]).post(_url(world.school_a1), {"name": "", "town": "立岗镇"})
    assert r.status_code == 200
    assert r.context["form"].errors["name"]
    assert r.context["form"].data["town"] == "立岗镇"  # nothing typed is lost
    assert CALLS == []


@use_these_urls
@pytest.mark.parametrize(
    ("name", "field", "messages"),
    [
        ("字段错误", "name", ["学校名称已被使用。"]),  # a field error beside its field
        ("别处字段", None, ["这个字段不在表单上。"]),  # a field the form lacks: at the top
        ("整体错误", None, ["现在不能保存。"]),  # a plain message: at the top
        ("多条错误", None, ["第一条原因。", "第二条原因。"]),  # a list: every message at the top
    ],
)
def test_a_service_refusal_becomes_form_errors(world, as_user, name, field, messages):
    r = as_user(world.user["principal"]).post(_url(world.school_a1), {"name": name})
    assert r.status_code == 200
    form = r.context["form"]
    if field:
        assert form.errors[field] == messages
        assert not form.non_field_errors()
    else:
        assert list(form.non_field_errors()) == messages
        assert "spot" not in form.errors
    assert form.data["name"] == name
    body = r.content.decode()
    assert all(m in body for m in messages)
    assert list(get_messages(r.wsgi_request)) == []  # no success message


@use_these_urls
def test_success_flashes_the_message_and_redirects(world, as_user):
    c = as_user(world.user["principal"])
    r = c.post(_url(world.school_a1), {"name": "新名字", "town": "立岗镇"})
    assert r.status_code == 302
    assert r["Location"] == reverse("org:school_detail", args=[world.school_a1.pk])
    assert CALLS == [{"school": world.school_a1, "name": "新名字", "town": "立岗镇"}]
    assert [str(m) for m in get_messages(r.wsgi_request)] == [f"已保存：{world.school_a1}"]


@use_these_urls
def test_a_sensitive_page_audits_the_read(world, as_user):
    c = as_user(world.user["principal"])
    reads = AuditEvent.objects.filter(
        action="read", object_type="org.school", object_id=str(world.school_a1.pk)
    )
    assert c.get(_url(world.school_a1)).status_code == 200
    assert reads.count() == 0  # an ordinary page does not
    assert c.get(_url(world.school_a1, "t_rename_s")).status_code == 200
    assert reads.count() == 1


def test_form_errors_keeps_field_errors_beside_their_field():
    form = NameForm(data={"name": "x"})
    assert form.is_valid()
    form_errors(form, ValidationError({"name": ["太短。"], "__all__": ["另有原因。"]}))
    assert form.errors["name"] == ["太短。"]
    assert list(form.non_field_errors()) == ["另有原因。"]


# --- ServiceCreateMixin ---------------------------------------------------------------------------


class SchoolOut(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = ["id", "name", "town"]


class SchoolIn(serializers.Serializer):
    name = serializers.CharField(max_length=20)
    town = serializers.CharField(max_length=20, required=False)


class SchoolCreateViewSet(ServiceCreateMixin, viewsets.GenericViewSet):
    queryset = School.objects.all()
    serializer_class = SchoolOut
    create_serializer_class = SchoolIn

    def perform_service_create(self, data):
        school = School.objects.order_by("pk").first()
        return fake_service(school, data)


def _api_post(user, data):
    request = APIRequestFactory().post("/t/api/schools/", data, format="json")
    force_authenticate(request, user=user)
    return SchoolCreateViewSet.as_view({"post": "create"})(request)


def test_api_create_answers_201_with_the_created_object(world):
    r = _api_post(world.user["principal"], {"name": "新名字", "town": "立岗镇"})
    assert r.status_code == 201
    first = School.objects.order_by("pk").first()
    assert r.data == {"id": first.pk, "name": first.name, "town": first.town}  # serializer_class
    assert CALLS == [{"school": first, "name": "新名字", "town": "立岗镇"}]  # validated data


def test_api_create_invalid_input_is_400_with_field_errors(world):
    r = _api_post(world.user["principal"], {"town": "立岗镇"})
    assert r.status_code == 400
    assert "name" in r.data
    assert CALLS == []


def test_api_create_service_refusal_is_400_with_field_errors(world):
    r = _api_post(world.user["principal"], {"name": "字段错误"})
    assert r.status_code == 400
    assert [str(e) for e in r.data["name"]] == ["学校名称已被使用。"]
    r = _api_post(world.user["principal"], {"name": "多条错误"})
    assert r.status_code == 400
    assert [str(e) for e in r.data] == ["第一条原因。", "第二条原因。"]


def test_api_create_needs_the_permission(world):
    r = _api_post(world.user["class_teacher"], {"name": "新名字"})
    assert r.status_code == 403
    assert CALLS == []


def test_a_subclass_gets_its_own_schema_for_create():
    """The mixin annotates each subclass's create (request and 201 by the two serializers),
    leaving the mixin's own method untouched for the next subclass."""
    assert SchoolCreateViewSet.create is not ServiceCreateMixin.create
    assert "schema" in SchoolCreateViewSet.create.kwargs
    assert not hasattr(ServiceCreateMixin.create, "kwargs")
