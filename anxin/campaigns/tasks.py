"""Campaign reminders on the task queue: every morning, school leaders are told of tasks due
within REMIND_DAYS days that are not done (once per task, school and deadline)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

REMIND_DAYS = 7


def send_reminders(today=None, days: int = REMIND_DAYS) -> int:
    import datetime as dt

    from django.urls import reverse
    from django.utils.translation import gettext as _

    from anxin.accounts.models import Membership
    from anxin.campaigns import progress
    from anxin.campaigns.models import Campaign, Task
    from anxin.core import clock
    from anxin.core.notify import notify
    from anxin.core.roles import Role
    from anxin.org.models import School

    today = today or clock.today()
    horizon = today + dt.timedelta(days=days)
    tasks = list(
        Task.objects.filter(
            phase__starts_on__lte=today, phase__deadline__gte=today, phase__deadline__lte=horizon
        )
        .select_related("phase", "campaign")
        .order_by("campaign_id", "phase__order", "order")
    )
    if not tasks:
        return 0
    counties = {t.county_id for t in tasks}
    schools = list(
        School.objects.filter(county_id__in=counties, active=True).only("id", "name", "type", "county_id")
    )
    leaders: dict[int, list] = {}
    for m in (
        Membership.objects.active()
        .filter(school__in=schools, role__in=[Role.PRINCIPAL, Role.SAFETY_LEADER], user__is_active=True)
        .select_related("user")
    ):
        leaders.setdefault(m.school_id, []).append(m.user)
    sent = 0
    for campaign in Campaign.objects.filter(pk__in={t.campaign_id for t in tasks}):
        mine = [t for t in tasks if t.campaign_id == campaign.pk]
        board = progress.evaluate(
            campaign, [s for s in schools if s.county_id == campaign.county_id], tasks=mine, today=today
        )
        for row in board.rows:
            for cell in row.cells:
                if cell.state != progress.CellState.OPEN:
                    continue
                t = cell.task
                sent += len(
                    notify(
                        leaders.get(row.school.pk, []),
                        kind="campaign_reminder",
                        title=_("专项行动任务将于 %(d)s 到期：%(t)s")
                        % {"d": t.phase.deadline.strftime("%m-%d"), "t": t.title},
                        body=_("%(c)s · %(p)s：%(detail)s")
                        % {"c": campaign.title, "p": t.phase.name, "detail": cell.detail},
                        url=reverse("campaigns:school_tasks"),
                        dedupe_key=f"campaign-remind:{t.pk}:{row.school.pk}:{t.phase.deadline:%Y%m%d}",
                        school=row.school.pk,
                        county=campaign.county_id,
                    )
                )
    return sent


@db_periodic_task(crontab(hour="7", minute="30"))
def campaign_reminders() -> int:
    return send_reminders()
