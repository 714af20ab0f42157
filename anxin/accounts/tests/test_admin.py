"""Account administration: the bureau's administrator manages accounts and posts; school
leaders read their staff; separation of duties (LAW 23); post scope by role."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anxin.accounts import services
from anxin.accounts.models import Membership, User
from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.core.testing import make_user


@pytest.fixture
def admin(world):
    return world.user[Role.BUREAU_ADMIN]


@pytest.fixture
def newbie(world, admin):
    user, _pw = services.create_user(admin, "newbie", "新同事", "13900001111", world.county_a)
    return user


# --- services ------------------------------------------------------------------------------------


def test_create_user_gives_a_random_initial_password_that_must_be_changed(world, admin):
    user, password = services.create_user(admin, "li_laoshi", "李老师", "13900002222", world.county_a)
    _other, password2 = services.create_user(admin, "wang_laoshi", "王老师", "", world.county_a)
    assert user.must_change_password
    assert user.check_password(password)
    assert password != password2
    assert password not in str(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("data"))


def test_create_user_refuses_a_taken_username_or_phone(world, admin, newbie):
    with pytest.raises(ValidationError) as exc:
        services.create_user(admin, "NEWBIE", "重名", "13900001111", world.county_a)
    assert "该用户名已被使用。" in exc.value.message_dict["username"]
    assert "该手机号已被其他账号使用。" in exc.value.message_dict["phone"]


def test_only_bureau_admin_of_the_county_creates_accounts(world):
    with pytest.raises(PermissionDenied):
        services.create_user(world.user[Role.PRINCIPAL], "x_user", "某人", "", world.county_a)
    with pytest.raises(PermissionDenied):
        services.create_user(world.user[Role.BUREAU_ADMIN], "y_user", "某人", "", world.county_b)


def test_bureau_admin_cannot_also_hold_another_post(world, admin, newbie):
    services.add_membership(admin, newbie, Role.COUNSELLOR, school=world.school_a1)
    with pytest.raises(ValidationError, match="职责分离"):
        services.add_membership(admin, newbie, Role.BUREAU_ADMIN)


def test_auditor_cannot_also_hold_another_post(world, admin, newbie):
    services.add_membership(admin, newbie, Role.CLASS_TEACHER, klass=world.class_a1_2)
    with pytest.raises(ValidationError, match="审计员不得兼任"):
        services.add_membership(admin, newbie, Role.AUDITOR)


def test_an_admin_or_auditor_gets_no_other_post(world, admin):
    with pytest.raises(ValidationError, match="该账号是系统管理员"):
        services.add_membership(admin, admin, Role.SAFETY_LEADER, school=world.school_a2)
    with pytest.raises(ValidationError, match="该账号是审计员"):
        services.add_membership(admin, world.user[Role.AUDITOR], Role.BUREAU_SAFETY)
    with pytest.raises(ValidationError, match="职责分离"):
        services.add_membership(admin, world.user[Role.AUDITOR], Role.BUREAU_ADMIN)


def test_ended_posts_do_not_block_a_new_duty(world, admin, newbie):
    post = services.add_membership(admin, newbie, Role.COUNSELLOR, school=world.school_a1)
    services.end_membership(admin, post)
    assert services.add_membership(admin, newbie, Role.AUDITOR).role == Role.AUDITOR


def test_one_person_may_hold_several_operator_posts(world, admin, newbie):
    services.add_membership(admin, newbie, Role.CLASS_TEACHER, klass=world.class_a1_1)
    services.add_membership(admin, newbie, Role.COUNSELLOR, school=world.school_a1)
    assert Membership.objects.active().filter(user=newbie).count() == 2
    with pytest.raises(ValidationError, match="已担任此岗位"):
        services.add_membership(admin, newbie, Role.COUNSELLOR, school=world.school_a1)


def test_membership_scope_must_fit_the_role(world, admin, newbie):
    with pytest.raises(ValidationError, match="须指定班级"):
        services.add_membership(admin, newbie, Role.CLASS_TEACHER, school=world.school_a1)
    with pytest.raises(ValidationError, match="须指定学校"):
        services.add_membership(admin, newbie, Role.PRINCIPAL)
    with pytest.raises(ValidationError, match="县级岗位不属于某一学校"):
        services.add_membership(admin, newbie, Role.BUREAU_SAFETY, school=world.school_a1)
    with pytest.raises(ValidationError, match="班级不属于所选学校"):
        services.add_membership(
            admin, newbie, Role.CLASS_TEACHER, school=world.school_a2, klass=world.class_a1_1
        )
    with pytest.raises(ValidationError, match="学校不属于所选县区"):
        services.add_membership(admin, newbie, Role.COUNSELLOR, school=world.school_b1)
    with pytest.raises(ValidationError, match="所在单位"):
        services.add_membership(admin, newbie, Role.PARTNER_LIAISON)
    assert not Membership.objects.filter(user=newbie).exists()


def test_ending_a_post_removes_its_rights_and_keeps_history(world, admin):
    teacher = User.objects.get(pk=world.user[Role.CLASS_TEACHER].pk)
    post = Membership.objects.get(user=teacher)
    services.end_membership(admin, post)
    teacher = User.objects.get(pk=teacher.pk)
    from anxin.core import policy

    assert not policy.can(teacher, "roster.student.view")
    assert Membership.objects.filter(pk=post.pk, ended_on__isnull=False).exists()
    assert AuditEvent.objects.filter(
        action="update", object_type="accounts.membership", object_id=str(post.pk)
    ).exists()


def test_admin_cannot_end_own_admin_post_or_deactivate_self(admin):
    with pytest.raises(ValidationError):
        services.end_membership(admin, Membership.objects.get(user=admin))
    with pytest.raises(ValidationError):
        services.deactivate(admin, admin)


def test_password_reset_is_audited_without_the_password(world, admin):
    teacher = world.user[Role.CLASS_TEACHER]
    password = services.reset_password(admin, teacher)
    ev = AuditEvent.objects.get(action="password_reset")
    assert ev.object_id == str(teacher.pk)
    assert password not in str(ev.data)


# --- pages ---------------------------------------------------------------------------------------


def test_bureau_admin_creates_an_account_and_sees_the_password_once(world, as_user):
    c = as_user(world.user[Role.BUREAU_ADMIN])
    r = c.post("/accounts/users/new/", {"username": "zhao", "real_name": "赵老师", "phone": "13900003333"})
    assert r.status_code == 200
    user = User.objects.get(username="zhao")
    assert user.county == world.county_a
    body = r.content.decode()
    assert "初始密码只显示这一次" in body
    password = body.split("<code>")[1].split("</code>")[0]
    assert user.check_password(password)
    assert password not in c.get(f"/accounts/users/{user.pk}/").content.decode()


def test_create_form_shows_chinese_errors(world, as_user):
    c = as_user(world.user[Role.BUREAU_ADMIN])
    r = c.post("/accounts/users/new/", {"username": "a_class_teacher", "real_name": "", "phone": "123"})
    body = r.content.decode()
    assert "该用户名已被使用" in body
    assert "该字段是必填项" in body
    assert "电话号码格式错误" in body
    assert not User.objects.filter(phone="123").exists()


def test_principal_cannot_create_accounts(world, as_user):
    c = as_user(world.user[Role.PRINCIPAL])
    assert c.get("/accounts/users/new/").status_code == 403
    assert c.post("/accounts/users/new/", {"username": "p1", "real_name": "某"}).status_code == 403
    assert not User.objects.filter(username="p1").exists()
    assert AuditEvent.objects.filter(action="denied", data__perm="accounts.user.change").exists()


def test_principal_sees_own_school_staff_only_and_cannot_change_them(
    world, as_user, django_assert_max_num_queries
):
    make_user("a2_teacher", world.county_a, Role.COUNSELLOR, world.school_a2)
    c = as_user(world.user[Role.PRINCIPAL])
    with django_assert_max_num_queries(15):
        r = c.get("/accounts/users/")
    assert r.status_code == 200
    names = {u.username for u in r.context["object_list"]}
    assert "a_class_teacher" in names and "a_counsellor" in names
    assert "a2_teacher" not in names and "b_class_teacher" not in names and "a_bureau_admin" not in names
    teacher = world.user[Role.CLASS_TEACHER]
    page = c.get(f"/accounts/users/{teacher.pk}/")
    assert page.status_code == 200
    assert "重置密码" not in page.content.decode()
    assert c.post(f"/accounts/users/{teacher.pk}/reset-password/").status_code == 403
    other = User.objects.get(username="a2_teacher")
    assert c.get(f"/accounts/users/{other.pk}/").status_code == 404


def test_user_list_query_count_does_not_grow_with_accounts(world, as_user, django_assert_max_num_queries):
    for i in range(30):
        make_user(f"bulk{i}", world.county_a, Role.SUBJECT_TEACHER, world.school_a1, world.class_a1_2)
    c = as_user(world.user[Role.BUREAU_ADMIN])
    with django_assert_max_num_queries(15):
        r = c.get("/accounts/users/?role=subject_teacher")
    assert len(r.context["object_list"]) == 31
    assert "任课教师（贺兰县第一中学 初一2班）" in r.content.decode()


def test_class_teacher_cannot_open_account_pages(world, as_user):
    c = as_user(world.user[Role.CLASS_TEACHER])
    assert c.get("/accounts/users/").status_code == 403
    assert c.get(f"/accounts/users/{world.user[Role.PRINCIPAL].pk}/").status_code == 404


def test_bureau_admin_of_another_county_gets_404(world, as_user):
    admin_b = make_user("b_admin", world.county_b, Role.BUREAU_ADMIN)
    c = as_user(admin_b)
    target = world.user[Role.CLASS_TEACHER]
    assert c.get(f"/accounts/users/{target.pk}/").status_code == 404
    assert c.post(f"/accounts/users/{target.pk}/deactivate/").status_code == 404
    target.refresh_from_db()
    assert target.is_active


def test_user_list_filters_and_export(world, as_user):
    c = as_user(world.user[Role.BUREAU_ADMIN])
    r = c.get("/accounts/users/", {"q": "a_counsellor"})
    assert [u.username for u in r.context["object_list"]] == ["a_counsellor"]
    r = c.get("/accounts/users/", {"school": world.school_a1.pk, "role": Role.PRINCIPAL})
    assert [u.username for u in r.context["object_list"]] == ["a_principal"]
    r = c.get("/accounts/users/", {"format": "xlsx", "role": Role.PRINCIPAL})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", object_type="accounts.user").exists()


def test_membership_pages_add_and_end_a_post(world, as_user, newbie):
    c = as_user(world.user[Role.BUREAU_ADMIN])
    r = c.post(
        f"/accounts/users/{newbie.pk}/posts/",
        {
            "role": Role.CLASS_TEACHER,
            "school": world.school_a1.pk,
            "klass": world.class_a1_2.pk,
            "title": "班主任",
        },
    )
    assert r.status_code == 302
    post = Membership.objects.get(user=newbie)
    assert post.klass == world.class_a1_2
    r = c.post(f"/accounts/users/{newbie.pk}/posts/", {"role": Role.AUDITOR})
    assert r.status_code == 400
    assert "职责分离" in r.content.decode()
    page = c.get(f"/accounts/users/{newbie.pk}/").content.decode()
    assert 'data-confirm="确定要办理该岗位离任吗？"' in page
    assert c.post(f"/accounts/posts/{post.pk}/end/").status_code == 302
    post.refresh_from_db()
    assert post.ended_on is not None


def test_deactivate_page_stops_the_account_and_its_token(world, as_user):
    from anxin.accounts.models import ApiToken

    teacher = world.user[Role.CLASS_TEACHER]
    ApiToken.issue(teacher)
    c = as_user(world.user[Role.BUREAU_ADMIN])
    assert c.get("/accounts/users/1/deactivate/").status_code == 405
    assert c.post(f"/accounts/users/{teacher.pk}/deactivate/").status_code == 302
    teacher.refresh_from_db()
    assert not teacher.is_active
    assert not ApiToken.objects.filter(user=teacher).exists()


# --- the user's API token -------------------------------------------------------------------------


def test_token_is_shown_once_and_rotation_replaces_it(world, as_user, client):
    import re

    from anxin.accounts.models import ApiToken

    c = as_user(world.user[Role.PRINCIPAL])
    r = c.post("/accounts/token/", {"action": "rotate"})
    key = re.search(r"<code>([0-9a-f]{40})</code>", r.content.decode()).group(1)
    stored = ApiToken.objects.get(user=world.user[Role.PRINCIPAL])
    # only a hash is stored, never the key itself
    assert stored.digest == ApiToken.digest_of(key) and key not in stored.digest
    assert key not in c.get("/accounts/token/").content.decode()
    assert key[:6] in c.get("/accounts/token/").content.decode()
    r = c.post("/accounts/token/", {"action": "rotate"})
    new_key = re.search(r"<code>([0-9a-f]{40})</code>", r.content.decode()).group(1)
    assert new_key != key
    c.logout()
    assert client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Token {key}").status_code in (401, 403)
    assert client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Token {new_key}").status_code == 200
    assert client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Token {stored.digest}").status_code in (401, 403)
    assert AuditEvent.objects.filter(action="token.rotate").exists()
