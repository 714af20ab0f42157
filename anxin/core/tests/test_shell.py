"""The page shell's bell (通知): its count is read on every page, through a statement compiled
once per process (core.sqlcache), and is always the reader's own unread count, as it is now."""

from __future__ import annotations

from django.utils import timezone

from anxin.core.models import Notification
from anxin.core.notify import notify
from anxin.core.roles import Role

BELL = '>通知 <span class="badge bad">{}</span></a>'


def test_the_bell_counts_the_readers_own_unread_notifications_as_they_are_now(world, as_user):
    teacher, leader = world.user[Role.CLASS_TEACHER], world.user[Role.SAFETY_LEADER]
    c = as_user(teacher)
    page = "/accounts/password/"
    body = c.get(page).content.decode()
    assert ">通知</a>" in body and "badge bad" not in body.split(">通知")[1].split("</a>")[0]
    notify([teacher], kind="test", title="第一条", channels=("inapp",))
    notify([teacher], kind="test", title="第二条", channels=("inapp",))
    notify([leader], kind="test", title="别人的", channels=("inapp",))
    assert BELL.format(2) in c.get(page).content.decode()
    Notification.objects.filter(recipient=teacher, title="第一条").update(read_at=timezone.now())
    assert BELL.format(1) in c.get(page).content.decode()
    assert BELL.format(1) in as_user(leader).get(page).content.decode()
