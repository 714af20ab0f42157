"""Campaign tasks on 工作台 (anxin.core.duties): each school's open tasks of the phases begun,
owed by the school's safety leader (分管安全副校长) by the phase deadline. The principal and the
safety leader see their school's (a middle manager may report on a task, but the task is not
their duty); the bureau sees the overdue ones of every school, and may press 催办 on them
(core.home). One evaluator call per task for all schools."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.campaigns import progress
from anxin.campaigns.models import Task
from anxin.core import clock, duties, policy, sqlcache
from anxin.core.roles import SCHOOL_LEADERSHIP, Role

KIND = "campaigns.task"


def ref(task, school_id: int) -> str:
    return f"campaigns.task:{task.pk}:{school_id}"


@duties.provider(KIND)
def campaign_tasks(user, now):
    if not policy.can(user, "campaigns.campaign.view"):
        return
    from anxin.org.models import School

    today = clock.local_date(now)
    school_ids = {
        m.school_id for m in policy.memberships(user) if m.role in SCHOOL_LEADERSHIP and m.school_id
    }
    bureau = Role.BUREAU_SAFETY in policy.user_roles(user)
    if not school_ids and not bureau:
        return
    campaigns = progress.running_campaigns([user.county_id], today)
    if not campaigns:
        return

    def school_rows():
        qs = School.objects.filter(county_id=user.county_id, active=True)
        if not bureau:
            qs = qs.filter(pk__in=sorted(school_ids))
        return qs.only("id", "name", "type", "county_id")

    # kept statements (core.sqlcache): 工作台 asks on every visit
    schools = sqlcache.rows(("campaigns.schools", *sqlcache.reader_key(user), user.county_id), school_rows)
    campaign_ids = tuple(c.pk for c in campaigns)
    tasks = sqlcache.rows(
        ("campaigns.tasks", campaign_ids),
        lambda today: (
            Task.objects.filter(campaign_id__in=campaign_ids, phase__starts_on__lte=today)
            .select_related("phase", "campaign")
            .order_by("campaign_id", "phase__order", "order", "id")
        ),
        today,
    )
    tasks_path = reverse("campaigns:school_tasks")
    board_of = duties.id_path("campaigns:board")
    for c in campaigns:
        board = progress.evaluate(
            c, schools, tasks=[t for t in tasks if t.campaign_id == c.pk], today=today, cached=True
        )
        for row in board.rows:
            own = row.school.pk in school_ids
            for cell in row.cells:
                if cell.state not in (progress.CellState.OPEN, progress.CellState.OVERDUE):
                    continue
                if not own and cell.state != progress.CellState.OVERDUE:
                    continue  # the bureau: only what is overdue
                task = cell.task
                url = cell.url if own and not bureau else f"{tasks_path}?school={row.school.pk}"
                yield duties.Duty(
                    kind=KIND,
                    title=_("专项行动：%(task)s") % {"task": task.title},
                    detail=f"{row.school.name} · {task.phase.name} · {cell.detail}"
                    if bureau
                    else f"{task.phase.name} · {cell.detail}",
                    url=url or tasks_path,
                    owner=str(Role.SAFETY_LEADER.label),
                    post=Role.SAFETY_LEADER,
                    due=task.phase.deadline,
                    ref=ref(task, row.school.pk),
                    school_id=row.school.pk,
                    # the bureau follows the schools' progress (its line for a task many
                    # schools let pass links to the campaign's board)
                    action=_("看进度") if bureau and not own else _("去完成"),
                    overview=board_of(c.pk) if bureau else "",
                )
