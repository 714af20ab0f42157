"""A new password may not be the current one nor one of the last five (LAW 21)."""

from __future__ import annotations

import pytest

from anxin.accounts import services
from anxin.accounts.models import PasswordHistory
from anxin.accounts.tests.helpers import post_login
from anxin.core.roles import Role
from anxin.core.testing import PASSWORD

URL = "/accounts/password/"
NEW = ["Tq7#mRz2Lp1", "Tq7#mRz2Lp2", "Tq7#mRz2Lp3", "Tq7#mRz2Lp4", "Tq7#mRz2Lp5", "Tq7#mRz2Lp6"]


@pytest.fixture
def teacher(world):
    return world.user[Role.CLASS_TEACHER]


def change(client, old, new):
    return client.post(URL, {"old_password": old, "new_password1": new, "new_password2": new})


def test_new_password_same_as_current_is_refused(client, teacher):
    post_login(client, teacher.username)
    r = change(client, PASSWORD, PASSWORD)
    assert r.status_code == 200
    assert "新密码不能与当前密码相同。" in r.content.decode()
    teacher.refresh_from_db()
    assert teacher.check_password(PASSWORD)


def test_forced_change_refuses_the_initial_password(client, world):
    admin = world.user[Role.BUREAU_ADMIN]
    user, initial = services.create_user(admin, "new_teacher", "新老师", "", world.county_a)
    post_login(client, "new_teacher", initial)
    r = change(client, initial, initial)
    assert "新密码不能与当前密码相同。" in r.content.decode()
    user.refresh_from_db()
    assert user.must_change_password


def test_one_of_the_last_five_passwords_is_refused(client, teacher):
    post_login(client, teacher.username)
    current = PASSWORD
    for new in NEW[:2]:
        assert change(client, current, new).status_code == 302
        current = new
    r = change(client, current, NEW[0])
    assert r.status_code == 200
    assert "新密码不能与最近使用过的5个密码相同。" in r.content.decode()
    teacher.refresh_from_db()
    assert teacher.check_password(current)


def test_history_keeps_five_hashes_and_an_older_password_may_return(client, teacher):
    post_login(client, teacher.username)
    current = PASSWORD
    for new in NEW:
        assert change(client, current, new).status_code == 302
        current = new
    history = PasswordHistory.objects.filter(user=teacher)
    assert history.count() == PasswordHistory.KEEP
    assert all(h.password.count("$") and NEW[0] not in h.password for h in history)
    # NEW[0] is the sixth most recent: out of the history again
    assert change(client, current, NEW[0]).status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password(NEW[0])


def test_password_reset_enters_the_history(world, teacher):
    admin = world.user[Role.BUREAU_ADMIN]
    generated = services.reset_password(admin, teacher)
    teacher.refresh_from_db()
    assert PasswordHistory.objects.filter(user=teacher, password=teacher.password).exists()
    assert services.password_reuse_error(teacher, generated) == "新密码不能与当前密码相同。"
    assert services.password_reuse_error(teacher, NEW[0]) is None
