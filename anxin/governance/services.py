"""Every write of this app: check the right (policy), validate (Chinese messages), save in a
transaction; the models are audited on save, and domain steps append their own events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from anxin.core import audit, clock, policy
from anxin.governance import files
from anxin.governance.checklist import items_for, proposals
from anxin.governance.deid import case_terms, leftovers
from anxin.governance.models import (
    RULE_KINDS,
    Answer,
    AnswerEvidence,
    ChecklistItem,
    DocKind,
    DocumentVersion,
    GovernanceSetting,
    Improvement,
    Lesson,
    LessonAssignment,
    SelfCheck,
    SelfCheckAnswer,
)

RECTIFY_DAYS = 30  # a gap found in a self-check is due for rectification within a month


def _require(by, obj, action: str) -> None:
    if not policy.allows(by, obj, action):
        raise PermissionDenied(policy.perm_name(type(obj), action))


def staff_of(school_id: int):
    from anxin.screening.services._common import staff_of as screening_staff

    return screening_staff(school_id)


def lesson_staff(school_id: int):
    """The school's staff who study lessons (teachers, leaders, counsellors, security staff):
    not the supervisors or legal vice-principals who also hold a post there."""
    from anxin.accounts.models import Membership, User
    from anxin.governance.permissions import STAFF

    ids = Membership.objects.active().filter(school_id=school_id, role__in=list(STAFF)).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("real_name", "username")


def _check_staff(school_id: int, user, field: str) -> None:
    if user is not None and not staff_of(school_id).filter(pk=user.pk).exists():
        raise ValidationError({field: _("请选择本校在岗教职工。")})


# --- settings and the checklist (bureau) -----------------------------------------------------


@transaction.atomic
def update_setting(by, county_id: int, months: int) -> GovernanceSetting:
    setting = GovernanceSetting.objects.filter(county_id=county_id).first() or GovernanceSetting(
        county_id=county_id
    )
    _require(by, setting, "change")
    if not 1 <= int(months) <= 60:
        raise ValidationError({"rules_max_age_months": _("修订周期须在 1 至 60 个月之间。")})
    setting.rules_max_age_months = int(months)
    setting.save()
    return setting


@transaction.atomic
def save_item(
    by, county_id: int, data: Mapping[str, Any], item: ChecklistItem | None = None
) -> ChecklistItem:
    item = item or ChecklistItem(county_id=county_id)
    _require(by, item, "change")
    for f in ("dimension", "text", "probe", "position", "active"):
        if f in data:
            setattr(item, f, data[f])
    if not (item.text or "").strip():
        raise ValidationError({"text": _("请填写自查内容。")})
    item.full_clean(exclude=["county"])
    item.save()
    return item


# --- self-check (R-SCR-8) --------------------------------------------------------------------


@transaction.atomic
def start_selfcheck(by, school, *, period: str, checked_on: dt.date | None = None) -> SelfCheck:
    """A new self-check with one answer per active item, the platform's proposals filled in."""
    sc = SelfCheck(
        county_id=school.county_id,
        school_id=school.pk,
        period=(period or "").strip(),
        checked_on=checked_on or clock.today(),
        created_by=by,
    )
    _require(by, sc, "change")
    if not sc.period:
        raise ValidationError({"period": _("请填写自查批次，如“2026年春季学期”。")})
    if SelfCheck.objects.filter(school=school, status=SelfCheck.Status.DRAFT).exists():
        raise ValidationError(_("本校已有一次正在填写的自查，请先完成并提交。"))
    sc.save()
    proposed = proposals([school])[school.pk]
    answers = []
    for item in items_for(school.county_id):
        p = proposed.get(item.probe) if item.probe else None
        answers.append(
            SelfCheckAnswer(
                county_id=school.county_id,
                school_id=school.pk,
                selfcheck=sc,
                item=item,
                proposed=p.answer if p else "",
                proposed_reason=p.reason[:300] if p else "",
            )
        )
    SelfCheckAnswer.objects.bulk_create(answers)
    audit.record("selfcheck.start", sc, data={"items": len(answers)})
    return sc


def _draft(by, sc: SelfCheck) -> None:
    _require(by, sc, "change")
    if sc.status != SelfCheck.Status.DRAFT:
        raise ValidationError(_("自查已提交，不能再修改。"))


@transaction.atomic
def save_answer(by, answer: SelfCheckAnswer, *, value: str, note: str = "") -> SelfCheckAnswer:
    _draft(by, answer.selfcheck)
    if value not in Answer.values:
        raise ValidationError({"answer": _("请选择“是”“部分”或“否”。")})
    answer.answer = value
    answer.note = (note or "").strip()
    answer.full_clean(exclude=["county", "school", "selfcheck", "item", "rectification"])
    answer.save()
    return answer


def save_answers(by, sc: SelfCheck, values: Mapping[int, tuple[str, str]]) -> list[SelfCheckAnswer]:
    """Several answers at once ({answer id: (是/部分/否 or "", note)}); empty ones stay empty."""
    _draft(by, sc)
    out = []
    with transaction.atomic():
        for a in sc.answers.select_related("selfcheck", "item"):
            if a.pk not in values:
                continue
            value, note = values[a.pk]
            if value:
                out.append(save_answer(by, a, value=value, note=note))
            elif note != a.note:
                a.note = (note or "").strip()
                a.save()
    return out


@transaction.atomic
def add_evidence(by, answer: SelfCheckAnswer, upload) -> AnswerEvidence:
    _draft(by, answer.selfcheck)
    ev = AnswerEvidence(county_id=answer.county_id, school_id=answer.school_id, answer=answer, uploaded_by=by)
    files.store(ev, upload)
    ev.save()
    return ev


@transaction.atomic
def submit_selfcheck(by, sc: SelfCheck) -> SelfCheck:
    """Submit: every item answered; every 否/部分 opens a rectification item (screening's 问题整改
    register, through its service) owned by the submitter, due in a month."""
    from anxin.screening.models import Rectification
    from anxin.screening.services import save_rectification

    sc = SelfCheck.objects.select_for_update().get(pk=sc.pk)
    _draft(by, sc)
    answers = list(sc.answers.select_related("item"))
    empty = [a for a in answers if not a.answer]
    if empty:
        raise ValidationError(_("还有 %(n)d 项未填写结论，请全部填写后再提交。") % {"n": len(empty)})
    lacking = [a for a in answers if a.is_gap and not a.note]
    if lacking:
        raise ValidationError(
            _("结论为“否”或“部分”的项目须说明存在的问题：%(items)s")
            % {"items": "；".join(a.item.text[:20] for a in lacking)}
        )
    today = clock.today()
    school = sc.school
    gaps = 0
    for a in answers:
        if not a.is_gap:
            continue
        gaps += 1
        rect = save_rectification(
            by=by,
            school=school,
            data={
                "found_on": today,
                "source": Rectification.Source.SELF,
                # the school's own words first (the register shows the start), then the item
                "problem": (
                    f"{a.note}（学校自查·{a.item.get_dimension_display()}，"
                    f"结论“{a.get_answer_display()}”：{a.item.text}）"
                )[:1000],
                "measure": _("根据自查发现的问题制定整改措施，明确责任人和完成时限（待细化）。"),
                "owner": by,
                "due_date": today + dt.timedelta(days=RECTIFY_DAYS),
                "status": Rectification.Status.OPEN,
            },
        )
        a.rectification = rect
        a.save(update_fields=["rectification", "updated_at"])
    sc.status = SelfCheck.Status.SUBMITTED
    sc.submitted_by = by
    sc.submitted_at = clock.now()
    sc.gaps = gaps
    sc.save()
    audit.record("selfcheck.submit", sc, data={"gaps": gaps})
    return sc


# --- documents: rules and work plan (R-ORG-7, R-ORG-8) ----------------------------------------


@transaction.atomic
def add_version(by, school, *, kind: str, data: Mapping[str, Any], upload) -> DocumentVersion:
    """A new version of one of the school's documents. A rules document names who approved it
    (a member of staff), when, and from when it applies. Open 举一反三 items naming this
    document are closed by it."""
    if kind not in DocKind.values:
        raise ValidationError({"kind": _("请选择文件类别。")})
    v = DocumentVersion(county_id=school.county_id, school_id=school.pk, kind=kind, uploaded_by=by)
    _require(by, v, "change")
    v.title = (data.get("title") or "").strip() or str(DocKind(kind).label)
    v.summary = (data.get("summary") or "").strip()
    v.approved_by = data.get("approved_by")
    v.approved_on = data.get("approved_on")
    v.effective_on = data.get("effective_on")
    errors = {}
    if kind in RULE_KINDS:
        if v.approved_by is None:
            errors["approved_by"] = _("制度文件须写明审定人。")
        if v.approved_on is None:
            errors["approved_on"] = _("请填写审定日期。")
        if v.effective_on is None:
            errors["effective_on"] = _("请填写施行日期。")
    if v.approved_on and v.approved_on > clock.today():
        errors["approved_on"] = _("审定日期不能晚于今天。")
    if v.approved_on and v.effective_on and v.effective_on < v.approved_on:
        errors["effective_on"] = _("施行日期不能早于审定日期。")
    if errors:
        raise ValidationError(errors)
    _check_staff(school.pk, v.approved_by, "approved_by")
    last = (
        DocumentVersion.objects.select_for_update()
        .filter(school=school, kind=kind)
        .aggregate(n=Max("number"))["n"]
    )
    v.number = (last or 0) + 1
    files.store(v, upload, kinds=("pdf", "docx"))
    v.save()
    now = clock.now()
    for imp in Improvement.objects.select_for_update().filter(
        school=school, document=kind, status=Improvement.Status.OPEN
    ):
        imp.status = Improvement.Status.REVISED
        imp.version = v
        imp.closed_by = by
        imp.closed_at = now
        imp.save()
    return v


# --- 举一反三 (R-SCR-9) ------------------------------------------------------------------------


@transaction.atomic
def raise_improvement(
    by, *, source: str, obj, document: str, cause: str, parent_communication: str, change: str
) -> Improvement:
    """A closed case, a monitoring sign or a rectification item asks for a document to be revised."""
    from anxin.cases.models import CaseState

    imp = Improvement(
        county_id=obj.county_id, school_id=obj.school_id, source=source, document=document, raised_by=by
    )
    _require(by, imp, "change")
    if source == Improvement.Source.CASE:
        if obj.state != CaseState.CLOSED:
            raise ValidationError(_("事件结案后才能据此举一反三。"))
        imp.case = obj
    elif source == Improvement.Source.SIGN:
        if not obj.is_sign:
            raise ValidationError(_("只有标记为苗头的值守记录可以据此举一反三。"))
        imp.sign = obj
    elif source == Improvement.Source.RECTIFICATION:
        imp.rectification = obj
    else:
        raise ValidationError({"source": _("来源不正确。")})
    imp.cause = (cause or "").strip()
    imp.parent_communication = (parent_communication or "").strip()
    imp.change = (change or "").strip()
    errors = {}
    if document not in DocKind.values:
        errors["document"] = _("请选择需完善的文件。")
    for f, msg in (
        ("cause", _("请写明查明的原因。")),
        ("parent_communication", _("请记录与家长沟通的情况。")),
        ("change", _("请写明拟完善的制度或流程。")),
    ):
        if not getattr(imp, f):
            errors[f] = msg
    if errors:
        raise ValidationError(errors)
    imp.save()
    return imp


@transaction.atomic
def keep_document(by, imp: Improvement, *, decision: str) -> Improvement:
    """Close a 举一反三 item with a recorded decision not to change the document."""
    imp = Improvement.objects.select_for_update().get(pk=imp.pk)
    _require(by, imp, "change")
    if imp.status != Improvement.Status.OPEN:
        raise ValidationError(_("该事项已办结。"))
    decision = (decision or "").strip()
    if len(decision) < 10:
        raise ValidationError({"decision": _("请写明不修订的理由（不少于 10 个字）。")})
    imp.decision = decision
    imp.status = Improvement.Status.KEPT
    imp.closed_by = by
    imp.closed_at = clock.now()
    imp.save()
    return imp


# --- lessons from incidents (R-EDU-3) ---------------------------------------------------------


@transaction.atomic
def save_lesson(by, county_id: int, data: Mapping[str, Any], lesson: Lesson | None = None) -> Lesson:
    """Create or edit a draft. A lesson from a case names one of the county's closed cases."""
    from anxin.cases.models import BullyingCase, CaseState

    lesson = lesson or Lesson(county_id=county_id, author=by)
    _require(by, lesson, "change")
    if lesson.status == Lesson.Status.PUBLISHED:
        raise ValidationError(_("已发布的案例不能再修改。"))
    case = data.get("case", lesson.case)
    if case is not None:
        visible = BullyingCase.objects.restrict(by, "view").filter(pk=case.pk, county_id=county_id)
        if not visible.exists():
            raise ValidationError({"case": _("找不到该事件。")})
        if case.state != CaseState.CLOSED:
            raise ValidationError({"case": _("只能用已结案的事件编写案例警示。")})
    lesson.case = case
    lesson.origin = Lesson.Origin.CASE if case is not None else Lesson.Origin.OUTSIDE
    for f in ("title", "summary", "lessons"):
        if f in data:
            setattr(lesson, f, (data[f] or "").strip())
    errors = {}
    for f, msg in (("title", _("请填写标题。")), ("summary", _("请填写事件经过。"))):
        if not getattr(lesson, f):
            errors[f] = msg
    if errors:
        raise ValidationError(errors)
    lesson.full_clean(exclude=["county", "author", "case"])
    lesson.save()
    return lesson


@transaction.atomic
def draft_lesson(by, county_id: int, *, title: str, case=None, outside_text: str = "") -> Lesson:
    """A draft whose summary is the incident de-identified: the case's own names, classes and
    numbers replaced, patterns caught, dates coarsened. The author edits it before publishing."""
    from anxin.governance.deid import deidentify, draft_from_case

    if case is not None:
        summary, _terms = draft_from_case(case)
    else:
        summary = deidentify(outside_text)
    return save_lesson(by, county_id, {"case": case, "title": title, "summary": summary})


@transaction.atomic
def publish_lesson(by, lesson: Lesson) -> Lesson:
    """Publish to the county's schools, refusing a text that still names anyone of the case."""
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    _require(by, lesson, "change")
    if lesson.status == Lesson.Status.PUBLISHED:
        raise ValidationError(_("该案例已发布。"))
    if not lesson.lessons.strip():
        raise ValidationError({"lessons": _("请填写警示与教训后再发布。")})
    if lesson.case_id:
        terms = case_terms(lesson.case)
        text = "\n".join((lesson.title, lesson.summary, lesson.lessons))
        left = leftovers(text, terms)
        if left:
            raise ValidationError(
                _("文中仍有可识别身份的信息，请删除后再发布：%(words)s") % {"words": "、".join(left)}
            )
    lesson.status = Lesson.Status.PUBLISHED
    lesson.published_at = clock.now()
    lesson.save()
    return lesson


@transaction.atomic
def assign_lesson(by, lesson: Lesson, school, staff: Iterable) -> list[LessonAssignment]:
    """Assign a published lesson to members of the school's staff (once each)."""
    probe = LessonAssignment(county_id=school.county_id, school_id=school.pk, lesson=lesson)
    _require(by, probe, "change")
    if lesson.status != Lesson.Status.PUBLISHED or lesson.county_id != school.county_id:
        raise ValidationError(_("只能布置本县已发布的案例。"))
    staff = list(staff)
    if not staff:
        raise ValidationError({"staff": _("请选择要学习的教职工。")})
    allowed = set(lesson_staff(school.pk).filter(pk__in=[u.pk for u in staff]).values_list("pk", flat=True))
    if any(u.pk not in allowed for u in staff):
        raise ValidationError({"staff": _("请选择本校在岗教职工。")})
    have = set(
        LessonAssignment.objects.filter(lesson=lesson, school=school).values_list("staff_id", flat=True)
    )
    made = []
    for u in staff:
        if u.pk in have:
            continue
        a = LessonAssignment(
            county_id=school.county_id, school_id=school.pk, lesson=lesson, staff=u, assigned_by=by
        )
        a.save()
        made.append(a)
    return made


@transaction.atomic
def mark_studied(by, assignment: LessonAssignment) -> LessonAssignment:
    """The staff member marks their own assignment studied."""
    _require(by, assignment, "study")
    if assignment.staff_id != by.pk:
        raise PermissionDenied("governance.lessonassignment.study")
    if assignment.studied_at is None:
        assignment.studied_at = clock.now()
        assignment.save()
    return assignment
