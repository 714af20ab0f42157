import pytest
from django.core import mail

from anxin.core.models import Notification
from anxin.core.notify import notify
from anxin.core.roles import Role


@pytest.mark.django_db(transaction=True)
def test_notify_is_idempotent_per_dedupe_key_and_mails_once(world):
    leader = world.user[Role.SAFETY_LEADER]
    leader.email = "leader@example.cn"
    leader.save()
    first = notify([leader], kind="reminder", title="调查即将到期", dedupe_key="case:1:due")
    second = notify([leader], kind="reminder", title="调查即将到期", dedupe_key="case:1:due")
    assert len(first) == 1 and second == []
    assert Notification.objects.filter(recipient=leader).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_user_sees_only_own_notifications(world, as_user):
    notify([world.user[Role.SAFETY_LEADER]], kind="x", title="给分管安全副校长的通知")
    c = as_user(world.user[Role.CLASS_TEACHER])
    assert "给分管安全副校长的通知" not in c.get("/notifications/").content.decode()
    n = Notification.objects.get()
    assert c.post(f"/notifications/{n.pk}/open/").status_code == 404
    c = as_user(world.user[Role.SAFETY_LEADER])
    assert "给分管安全副校长的通知" in c.get("/notifications/").content.decode()
