"""Where each school stands on each task: evaluated live, one evaluator call per task for all
schools, plus one query for the evidence of evidenced tasks (the board, 工作台 and reminders
read the same answer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.campaigns.models import Campaign, Phase, Task, TaskKind, TaskProgress
from anxin.core import clock, evaluators, listing, sqlcache


class CellState:
    DONE = "done"
    OPEN = "open"
    OVERDUE = "overdue"
    NOT_STARTED = "upcoming"
    NA = "na"  # the task is not for this school's type


LABELS = {
    CellState.DONE: "已完成",
    CellState.OPEN: "进行中",
    CellState.OVERDUE: "已逾期",
    CellState.NOT_STARTED: "未开始",
    CellState.NA: "不适用",
}


@dataclass
class Cell:
    task: Task
    school: object
    state: str
    detail: str = ""
    url: str = ""
    progress: TaskProgress | None = None

    @property
    def done(self) -> bool:
        return self.state == CellState.DONE

    @property
    def label(self) -> str:
        return _(LABELS[self.state])


@dataclass
class Row:
    school: object
    cells: list[Cell] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for c in self.cells if c.state == CellState.DONE)

    @property
    def due(self) -> int:
        return sum(1 for c in self.cells if c.state != CellState.NA)

    @property
    def overdue(self) -> int:
        return sum(1 for c in self.cells if c.state == CellState.OVERDUE)

    @property
    def pct(self) -> int:
        return round(100 * self.done / self.due) if self.due else 100


@dataclass
class Board:
    campaign: Campaign
    tasks: list[Task]
    rows: list[Row]


def evidence_url(task: Task, school) -> str:
    return reverse("campaigns:progress", args=[task.pk, school.pk])


def evaluated_apps() -> list[str]:
    """The apps whose records the evaluators read: every app of the platform but core (whose
    rows — the audit trail, 工作台's visits — change on every page view)."""
    from django.apps import apps

    return sorted(
        c.label for c in apps.get_app_configs() if c.name.startswith("anxin.") and c.label != "core"
    )


def _kept_outcomes(tasks, schools: list, today: dt.date) -> dict[int, dict]:
    """The data tasks' outcomes for these schools, kept a minute and computed again at once when
    a record of the county changes (core.listing.cached_for_county): 工作台 asks for every task
    of the running campaigns on each visit."""
    questions = {}
    for task in tasks:
        ev = evaluators.get(task.evaluator) if task.kind == TaskKind.DATA else None
        mine = [s for s in schools if task.applies_to(s)]
        if ev is None or not mine:
            continue

        def compute(ev=ev, task=task, mine=mine):
            got = ev.evaluate(mine, task.phase.window, task.params)
            return {pk: evaluators.Outcome(o.done, str(o.detail), o.url, o.progress) for pk, o in got.items()}

        what = ("campaigns.outcomes", task.pk, task.evaluator, repr(task.params), task.phase.window, today)
        questions[(*what, tuple(s.pk for s in mine))] = (task.pk, compute)
    counties = {t.county_id for t in tasks} | {s.county_id for s in schools}
    if not questions or len(counties) != 1:
        return {}  # one county's versions stand for one county's records only
    county = counties.pop()
    got = listing.cached_for_county(county, evaluated_apps(), {w: c for w, (_pk, c) in questions.items()})
    return {pk: got[w] for w, (pk, _c) in questions.items()}


def evaluate(
    campaign: Campaign,
    schools,
    *,
    phase: Phase | None = None,
    tasks=None,
    today: dt.date | None = None,
    cached: bool = False,
) -> Board:
    """Every school's standing on every task. ``cached`` (工作台): data tasks' outcomes may be up
    to a minute old when nothing of the county changed through the models."""
    today = today or clock.today()
    if tasks is None:
        qs = Task.objects.filter(campaign=campaign).select_related("phase")
        if phase is not None:
            qs = qs.filter(phase=phase)
        tasks = list(qs.order_by("phase__order", "order", "id"))
    schools = list(schools)
    evidence_ids = [t.pk for t in tasks if t.kind == TaskKind.EVIDENCE]
    progress = {}
    if evidence_ids and schools:
        school_ids = [s.pk for s in schools]
        for p in sqlcache.rows(
            ("campaigns.progress", tuple(evidence_ids), tuple(school_ids)),
            lambda: TaskProgress.objects.filter(task_id__in=evidence_ids, school_id__in=school_ids),
        ):
            progress[(p.task_id, p.school_id)] = p
    kept = _kept_outcomes(tasks, schools, today) if cached and tasks else {}
    cols: dict[int, dict[int, Cell]] = {}
    for task in tasks:
        ph = task.phase
        mine = [s for s in schools if task.applies_to(s)]
        outcomes: dict[int, evaluators.Outcome] = {}
        if task.kind == TaskKind.DATA:
            ev = evaluators.get(task.evaluator)
            if ev is not None and mine:
                outcomes = kept[task.pk] if task.pk in kept else ev.evaluate(mine, ph.window, task.params)
            elif ev is None:
                outcomes = {s.pk: evaluators.Outcome(False, _("判定依据尚未启用")) for s in mine}
        else:
            for s in mine:
                p = progress.get((task.pk, s.pk))
                if p is None:
                    outcomes[s.pk] = evaluators.Outcome(False, _("未上报"), evidence_url(task, s))
                elif p.status == TaskProgress.Status.RETURNED:
                    outcomes[s.pk] = evaluators.Outcome(
                        False, _("退回补充：%(c)s") % {"c": p.comment}, evidence_url(task, s)
                    )
                else:
                    outcomes[s.pk] = evaluators.Outcome(True, _("已上报"), evidence_url(task, s))
        col = {}
        for s in schools:
            if not task.applies_to(s):
                col[s.pk] = Cell(task, s, CellState.NA)
                continue
            o = outcomes.get(s.pk, evaluators.Outcome(False))
            if o.done:
                state = CellState.DONE
            elif today > ph.deadline:
                state = CellState.OVERDUE
            elif today < ph.starts_on:
                state = CellState.NOT_STARTED
            else:
                state = CellState.OPEN
            url = o.url if task.kind == TaskKind.DATA else (o.url or evidence_url(task, s))
            col[s.pk] = Cell(task, s, state, o.detail, url, progress.get((task.pk, s.pk)))
        cols[task.pk] = col
    rows = [Row(s, [cols[t.pk][s.pk] for t in tasks]) for s in schools]
    return Board(campaign, tasks, rows)


def current_phase(campaign: Campaign, phases=None, today: dt.date | None = None) -> Phase | None:
    """The phase running today (else the next one, else the last)."""
    today = today or clock.today()
    phases = list(phases if phases is not None else campaign.phases.order_by("order"))
    for p in phases:
        if p.starts_on <= today <= p.deadline:
            return p
    upcoming = [p for p in phases if p.starts_on > today]
    return upcoming[0] if upcoming else (phases[-1] if phases else None)


def running_campaigns(county_ids, today: dt.date | None = None, grace_days: int = 60):
    """Campaigns with a phase begun and not ended more than ``grace_days`` ago."""
    today = today or clock.today()
    ids = sorted(set(county_ids))
    # (a kept statement: 工作台 asks on every visit)
    return sqlcache.rows(
        ("campaigns.running", tuple(ids)),
        lambda today, ended_after: Campaign.objects.filter(
            county_id__in=ids, phases__starts_on__lte=today, phases__deadline__gte=ended_after
        ).distinct(),
        today,
        today - dt.timedelta(days=grace_days),
    )
