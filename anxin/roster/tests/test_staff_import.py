"""Staff import (教职工): accounts with a one-time initial password and posts (R-ORG-6)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from anxin.accounts.models import Membership, User
from anxin.core.models import AuditEvent
from anxin.roster import services
from anxin.roster.importer import STAFF_TEMPLATE_HEADERS
from anxin.roster.models import RosterImport
from anxin.roster.tests.helpers import upload, xlsx_bytes


def staff_file(rows):
    return upload(xlsx_bytes(rows, STAFF_TEMPLATE_HEADERS), "教职工.xlsx")


def validate(world, rows, user, create_classes=False):
    return services.validate_upload(
        staff_file(rows), world.school_a1, user, create_classes, kind=RosterImport.Kind.STAFF
    )


def test_staff_import_creates_accounts_that_must_change_password(world, as_user):
    principal = world.user["principal"]
    rows = [
        ["马老师", "13700000001", "班主任", "初一", "2班"],
        ["马老师", "13700000001", "任课教师", "初一", "1班"],
        ["杨老师", "13700000002", "心理教师", "", ""],
    ]
    ri = validate(world, rows, principal)
    assert ri.errors == []
    c = as_user(principal)
    c.post(reverse("roster:import_commit", args=[ri.pk]))
    ri.refresh_from_db()
    assert ri.status == RosterImport.Status.DONE
    assert (ri.result["users_created"], ri.result["posts_created"]) == (2, 3)
    ma = User.objects.get(phone="13700000001")
    assert ma.must_change_password and ma.has_usable_password() and ma.county == world.county_a
    posts = set(Membership.objects.filter(user=ma).values_list("role", "klass_id"))
    assert posts == {("class_teacher", world.class_a1_2.pk), ("subject_teacher", world.class_a1_1.pk)}
    assert Membership.objects.get(user__phone="13700000002").klass is None
    page = c.post(reverse("roster:import_detail", args=[ri.pk])).content.decode()
    assert "初始密码只显示这一次" in page and "13700000001" in page
    password = page.split("<code>")[1].split("</code>")[0]
    assert User.objects.get(
        username=page.split("<code>")[0].rsplit('data-label="用户名">', 1)[1].split("<")[0]
    ).check_password(password.replace("&amp;", "&").replace("&#x27;", "'"))
    again = c.post(reverse("roster:import_detail", args=[ri.pk]), follow=True).content.decode()
    assert "<code>" not in again and "初始密码已显示过" in again  # shown once
    ri.refresh_from_db()
    assert "secret" not in ri.result
    assert password not in str(AuditEvent.objects.filter(action="import").get().data)


def test_staff_reimport_changes_nothing(world):
    principal = world.user["principal"]
    rows = [["马老师", "13700000001", "班主任", "初一", "2班"]]
    services.commit_import(validate(world, rows, principal), False, principal)
    result = services.commit_import(validate(world, rows, principal), False, principal)
    assert (result["users_created"], result["posts_created"], result["posts_unchanged"]) == (0, 0, 1)
    assert User.objects.filter(phone="13700000001").count() == 1


def test_school_leadership_only_imported_by_bureau_admin(world):
    rows = [["周校长", "13700000009", "校长", "", ""]]
    ri = validate(world, rows, world.user["principal"])
    assert ri.errors == ["第2行：“校长”属于学校领导岗位，只能由教体局系统管理员导入或任命"]
    admin = world.user["bureau_admin"]
    ri = validate(world, rows, admin)
    assert ri.errors == []
    services.commit_import(ri, False, admin)
    assert Membership.objects.get(user__phone="13700000009").role == "principal"


def test_staff_rows_validated(world):
    rows = [
        ["马老师", "1370000", "班主任", "初一", "1班"],
        ["杨老师", "13700000002", "班主任", "", ""],
        ["李老师", "13700000003", "系统管理员", "", ""],
        ["王老师", "13700000004", "厨师", "", ""],
        ["赵老师", "13700000004", "任课教师", "初一", "1班"],
    ]
    ri = validate(world, rows, world.user["principal"])
    assert "第2行：手机号格式错误（应为1开头的11位数字）" in ri.errors
    assert "第3行：“班主任”须填写年级和班级" in ri.errors
    assert any(e.startswith("第4行：岗位“系统管理员”不能通过学校教职工导入") for e in ri.errors)
    assert any(e.startswith("第5行：岗位“厨师”无法识别") for e in ri.errors)
    assert "第6行：手机号与第5行相同但姓名不同" in ri.errors


def test_staff_phone_of_an_existing_account_with_another_name_is_an_error(world):
    phone = "13700000077"
    User.objects.filter(pk=world.user["counsellor"].pk).update(phone=phone)
    ri = validate(world, [["别人", phone, "任课教师", "初一", "1班"]], world.user["principal"])
    assert ri.errors == ["第2行：手机号已被另一姓名的账号使用，请核对"]


def test_staff_import_needs_its_own_permission(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        validate(world, [["马老师", "13700000001", "任课教师", "初一", "1班"]], world.user["safety_leader"])


def test_staff_commit_with_errors_refused(world):
    principal = world.user["principal"]
    ri = validate(world, [["马老师", "1", "任课教师", "初一", "1班"]], principal)
    with pytest.raises(ValidationError):
        services.commit_import(ri, False, principal)


def test_staff_import_password_enters_the_history_so_a_b_a_is_refused(world):
    from anxin.accounts import services as account_services
    from anxin.accounts.models import PasswordHistory

    principal = world.user["principal"]
    ri = validate(world, [["马老师", "13700000001", "班主任", "初一", "2班"]], principal)
    services.commit_import(ri, False, principal)
    ri.refresh_from_db()
    [shown] = services.take_passwords(ri, principal)
    ma = User.objects.get(phone="13700000001")
    assert PasswordHistory.objects.filter(user=ma, password=ma.password).exists()
    account_services.change_own_password(ma, "Qv8#tLm3Wz9k")  # A → B
    assert account_services.password_reuse_error(ma, shown["password"]) is not None  # B → A refused
