"""Demo data for the governance area, entered through the services (so every rule and audit
event is real): schools at different stages of the self-check (submitted with gaps that became
rectification items, one in progress, the rest not begun), rules documents current, old or
missing, work plans, 举一反三 items, and one lesson from a closed case published and partly
studied."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.db import transaction
from docx import Document

from anxin.core import clock
from anxin.core.roles import Role
from anxin.governance import services
from anxin.governance.documents import workplan_docx
from anxin.governance.files import DOCX
from anxin.governance.models import Answer, DocKind, Improvement

SUBMITTED = 5  # schools that submitted a self-check
IN_PROGRESS = 1
GAP_NOTES = [
    "领导小组成员调整后未重新发文",
    "部分班主任未参加防欺凌专题培训",
    "操场东北角、厕所门口无监控覆盖",
    "法治副校长本学期尚未到校开展专题教育",
    "未在校门口公布欺凌防治电话和邮箱",
    "教育惩戒实施细则尚未经教代会审议",
]


def _holder(school_id: int, role: str):
    from anxin.accounts.models import Membership

    m = (
        Membership.objects.active()
        .filter(school_id=school_id, role=role, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def _docx(title: str, body: str) -> io.BytesIO:
    doc = Document()
    doc.add_heading(title, 1)
    for line in body.split("\n"):
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    buf.name = f"{title}.docx"
    buf.size = len(buf.getvalue())
    buf.content_type = DOCX
    return buf


def _rules(leader, principal, school, kind, on: dt.date, number_text: str = "") -> None:
    title = str(DocKind(kind).label)
    services.add_version(
        leader,
        school,
        kind=kind,
        data={
            "title": f"{school.name}{title}",
            "summary": number_text,
            "approved_by": principal,
            "approved_on": on,
            "effective_on": on + dt.timedelta(days=7) if on + dt.timedelta(days=7) <= clock.today() else on,
        },
        upload=_docx(title, f"{school.name}{title}\n第一条 为防范学生欺凌，制定本制度。"),
    )


def _selfcheck(leader, school, rng: random.Random, *, submit: bool, counts: dict) -> None:
    sc = services.start_selfcheck(
        leader, school, period="2026年春季学期", checked_on=clock.today() - dt.timedelta(days=20)
    )
    answers = list(sc.answers.select_related("item"))
    gaps = rng.sample([a for a in answers if not a.item.probe], rng.randint(1, 3))
    values = {}
    for a in answers:
        value = a.proposed or Answer.YES
        note = a.proposed_reason if value != Answer.YES else ""
        values[a.pk] = (value, note)
    for g in gaps:
        values[g.pk] = (rng.choice([Answer.NO, Answer.PARTIAL]), rng.choice(GAP_NOTES))
    if not submit:
        # half filled in: the rest still to do
        values = dict(list(values.items())[: len(values) // 2])
    services.save_answers(leader, sc, values)
    if submit:
        sc = services.submit_selfcheck(leader, sc)
        counts["selfchecks"] += 1
        counts["rectifications"] += sc.gaps


def load_governance(county, rng: random.Random) -> dict:
    from anxin.cases.models import BullyingCase, CaseState
    from anxin.org.models import School

    counts = {
        "selfchecks": 0,
        "rectifications": 0,
        "documents": 0,
        "improvements": 0,
        "lessons": 0,
        "studied": 0,
    }
    schools = list(School.objects.filter(county=county, active=True).order_by("code", "pk"))
    today = clock.today()
    staffed = []
    for school in schools:
        leader = _holder(school.pk, Role.SAFETY_LEADER)
        principal = _holder(school.pk, Role.PRINCIPAL)
        if leader and principal:
            staffed.append((school, leader, principal))
    for i, (school, leader, principal) in enumerate(staffed[: SUBMITTED + IN_PROGRESS + 4]):
        with transaction.atomic():
            if i < SUBMITTED + IN_PROGRESS:
                _selfcheck(leader, school, rng, submit=i < SUBMITTED, counts=counts)
            # rules: current at the first four, old at the next two, missing elsewhere
            if i < 4:
                _rules(
                    leader, principal, school, DocKind.RULES, today - dt.timedelta(days=rng.randint(20, 120))
                )
                _rules(
                    leader,
                    principal,
                    school,
                    DocKind.CONDUCT,
                    today - dt.timedelta(days=rng.randint(20, 120)),
                )
                counts["documents"] += 2
            elif i < 6:
                _rules(
                    leader, principal, school, DocKind.RULES, today - dt.timedelta(days=rng.randint(420, 600))
                )
                counts["documents"] += 1
            if i < 3:
                content = io.BytesIO(workplan_docx(school))
                content.name, content.size = "工作方案.docx", len(content.getvalue())
                services.add_version(
                    leader,
                    school,
                    kind=DocKind.WORKPLAN,
                    data={"title": f"{school.name}防治学生欺凌工作方案"},
                    upload=content,
                )
                counts["documents"] += 1
    # 举一反三 from closed cases of the demo schools
    closed = list(
        BullyingCase.objects.filter(county=county, state=CaseState.CLOSED)
        .select_related("school")
        .order_by("pk")[:2]
    )
    for case in closed:
        leader = _holder(case.school_id, Role.SAFETY_LEADER)
        if leader is None:
            continue
        services.raise_improvement(
            leader,
            source=Improvement.Source.CASE,
            obj=case,
            document=DocKind.RULES,
            cause="课间走廊、楼梯口等时段无教师值守，学生冲突未被及时发现",
            parent_communication="已分别约谈双方家长，告知调查和处理结果，家长表示理解并配合教育",
            change="在本校欺凌防治工作制度中增加课间重点部位教师值守和巡查要求",
        )
        counts["improvements"] += 1
    counts.update(_lesson(county, closed, staffed, rng))
    return counts


def _lesson(county, closed, staffed, rng: random.Random) -> dict:
    from anxin.accounts.models import Membership
    from anxin.governance.models import LessonAssignment

    m = (
        Membership.objects.active()
        .filter(county=county, role=Role.BUREAU_SAFETY)
        .select_related("user")
        .first()
    )
    if m is None:
        return {}
    bureau = m.user
    from anxin.cases.models import BullyingCase

    visible = [c for c in closed if BullyingCase.objects.restrict(bureau, "view").filter(pk=c.pk).exists()]
    with transaction.atomic():
        if visible:
            lesson = services.draft_lesson(bureau, county.pk, title="课间围堵推搡事件的警示", case=visible[0])
        else:
            lesson = services.draft_lesson(
                bureau,
                county.pk,
                title="区外某校宿舍欺凌事件的警示",
                outside_text="2024年5月14日晚，某校宿舍内三名学生多次要求同宿舍学生交出生活费，并拍摄视频在班级群传播。",
            )
        services.save_lesson(
            bureau,
            county.pk,
            {
                "lessons": "一、课间、午休、就寝等重点时段要安排专人值守巡查。\n"
                "二、发现围堵、索要财物等苗头要立即制止、及时报告，不得“玩笑打闹”了之。\n"
                "三、事后及时与双方家长沟通，对被欺凌学生做好心理辅导。"
            },
            lesson,
        )
        lesson = services.publish_lesson(bureau, lesson)
    studied = 0
    for school, leader, _principal in staffed[:3]:
        staff = list(services.lesson_staff(school.pk)[:8])
        made = services.assign_lesson(leader, lesson, school, staff)
        for a in made[: max(1, len(made) * 2 // 3)]:
            if rng.random() < 0.8:
                services.mark_studied(a.staff, a)
                studied += 1
    return {
        "lessons": 1,
        "studied": studied,
        "assigned": LessonAssignment.objects.filter(lesson=lesson).count(),
    }
