"""Domain operations of the reporting channels — the only code that changes their state.

Pages and the API parse input and call these; rules hold on both. Each operation runs in one
transaction (nothing half-written) and refuses an illegal step with a Chinese message that
says what is missing. Content is written once and only annotated afterwards (R-RPT-4; LAW 8).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Max, Min, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core import audit, clock, policy
from anxin.core.notify import notify
from anxin.core.roles import Role
from anxin.intake import codes, conf, uploads
from anxin.intake.data import Behaviour, Period, Place, Repeated, ReporterKind, Urgency, urgency_hints
from anxin.intake.models import (
    ANONYMOUS_CHANNELS,
    AUDIT_EXCLUDE,
    CONCERN_CHANNELS,
    CONTENT_FIELDS,
    INTAKE_CHANNELS,
    UNFOUNDED_KINDS,
    Channel,
    CloseKind,
    Concern,
    DutyLeader,
    EmergencyRequest,
    EmergencyStatus,
    EventKind,
    FollowUpCode,
    Report,
    ReportAttachment,
    ReportMessage,
    ReportStudent,
    Sender,
    Status,
    StudentRole,
    TriageEvent,
)
from anxin.intake.signals import students_named

log = logging.getLogger(__name__)

TRIAGE_PERM = "intake.report.change"
# how a report's creation is logged when written in bulk (same as @audited on the model)
REPORT_AUDIT = audit.AuditSpec(exclude=frozenset(AUDIT_EXCLUDE), masked=frozenset(CONTENT_FIELDS))
MIN_REASON_CHARS = 4


# --- text checks shared by every channel ----------------------------------------------------
def clean_text(value: str | None, *, label: str, max_chars: int, required: bool = False) -> str:
    """Refuse what cannot be stored faithfully: invalid UTF-8 (decoded as U+FFFD), lone
    surrogates from JSON, NUL characters, and text over the limit. HTML is kept as typed
    (it is escaped wherever it is shown)."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("请填写%(label)s。") % {"label": label})
    if "\ufffd" in value:
        raise ValidationError(_("%(label)s含有无法识别的字符（编码错误），请重新输入。") % {"label": label})
    if "\x00" in value:
        raise ValidationError(_("%(label)s含有不允许的控制字符。") % {"label": label})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            _("%(label)s含有无法识别的字符（编码错误），请重新输入。") % {"label": label}
        ) from None
    if len(value) > max_chars:
        raise ValidationError(
            _("%(label)s太长：最多 %(max)d 个字，现在有 %(n)d 个字。")
            % {"label": label, "max": max_chars, "n": len(value)}
        )
    return value


def _choice(value: str | None, choices, label: str) -> str:
    value = (value or "").strip()
    if value and value not in choices.values:
        raise ValidationError(_("%(label)s的选项无效。") % {"label": label})
    return value


def _behaviours(values: Iterable[str] | None) -> list[str]:
    out = []
    for v in values or ():
        if v not in Behaviour.values:
            raise ValidationError(_("行为类型的选项无效。"))
        if v not in out:
            out.append(v)
    return out


def _collect(checks: dict) -> dict:
    """Run each field's check; raise one ValidationError naming every bad field."""
    cleaned, errors = {}, {}
    for field, fn in checks.items():
        try:
            cleaned[field] = fn()
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- recipients -----------------------------------------------------------------------------
def _holders(school, roles: Iterable[str]) -> list:
    from anxin.accounts.models import Membership

    ms = Membership.objects.active().filter(school=school, role__in=list(roles)).select_related("user")
    return [m.user for m in ms if m.user.is_active]


def triagers(school) -> list:
    """Who is told about new items: the safety leader and middle managers (R-RPT-4)."""
    return _holders(school, [Role.SAFETY_LEADER, Role.MIDDLE_MANAGER])


def principals(school) -> list:
    return _holders(school, [Role.PRINCIPAL])


def bureau_safety(county_id: int) -> list:
    from anxin.accounts.models import Membership

    ms = Membership.objects.active().filter(county_id=county_id, role=Role.BUREAU_SAFETY, school__isnull=True)
    return [m.user for m in ms.select_related("user") if m.user.is_active]


def may_triage(user, school) -> bool:
    """Does ``user`` hold the triage right at ``school``?"""
    schools = policy.schools_for(user, TRIAGE_PERM)
    if schools is None:  # a county-level holder
        return any(m.county_id == school.county_id for m in policy.memberships(user))
    return school.pk in schools


# --- submission (R-RPT-1) -------------------------------------------------------------------
@dataclass
class Submitted:
    """What the reporter is shown once: the report number and the follow-up code."""

    report: Report
    code: str | None  # display form; None when this was a repeated submission of one form
    duplicate: bool = False


def _report_fields(data: dict, *, text_required: bool = True, school=None) -> dict:
    max_chars = conf.max_text_chars()
    fields = _collect(
        {
            **({"spot": lambda: _spot(school, data.get("spot"))} if school is not None else {}),
            "text": lambda: clean_text(
                data.get("text"), label=_("“发生了什么”"), max_chars=max_chars, required=text_required
            ),
            "behaviours": lambda: _behaviours(data.get("behaviours")),
            "place_kind": lambda: _choice(data.get("place_kind"), Place, _("地点")),
            "place": lambda: clean_text(data.get("place"), label=_("具体地点"), max_chars=100),
            "occurred_on": lambda: _date(data.get("occurred_on")),
            "occurred_period": lambda: _choice(data.get("occurred_period"), Period, _("发生时段")),
            "repeated": lambda: _choice(data.get("repeated"), Repeated, _("是否反复发生")),
            "people": lambda: clean_text(data.get("people"), label=_("涉及的人"), max_chars=500),
            "reporter_kind": lambda: _choice(data.get("reporter_kind"), ReporterKind, _("你的身份")),
            "contact": lambda: clean_text(data.get("contact"), label=_("联系方式"), max_chars=100),
        }
    )
    if fields.get("spot") is not None and not fields["place_kind"]:
        fields["place_kind"] = SPOT_PLACE.get(fields["spot"].kind, Place.OTHER)
    return fields


# the general kind of a school place (hazard point), so county figures by kind of place stay whole
SPOT_PLACE = {
    "toilet": Place.TOILET,
    "stairs": Place.CORRIDOR,
    "dorm": Place.DORM,
    "playground": Place.PLAYGROUND,
    "canteen": Place.CANTEEN,
    "gate": Place.GATE,
    "route": Place.WAY,
    "shop": Place.OFF_CAMPUS,
}


def _offered_places(school):
    """What the report form offers: the school's hazard points, bar those kept off the form and
    any 监控盲区 (a list of camera blind spots helps a bully)."""
    from anxin.screening.models import HazardKind, HazardPoint

    return HazardPoint.objects.filter(school=school, listed_for_reporters=True).exclude(
        kind=HazardKind.BLIND_SPOT
    )


def school_places(school) -> list:
    """The school's own places a reporter may pick (its hazard points, R-SCR-5): names only,
    inside the school first. Status, risk and owner are not for the public."""
    from anxin.screening.models import HazardPoint

    inside_first = Case(When(location=HazardPoint.Location.INSIDE, then=0), default=1)
    return list(
        _offered_places(school).order_by(inside_first, "name", "pk").only("id", "name", "location")[:100]
    )


def _spot(school, value):
    """One of the places ``school`` offers (an instance or an id); None when not chosen."""
    if value in (None, ""):
        return None
    try:
        pk = value.pk if hasattr(value, "pk") else int(value)
        spot = _offered_places(school).filter(pk=pk).only("id", "name", "kind").first()
    except (TypeError, ValueError, OverflowError):
        spot = None
    if spot is None:
        raise ValidationError(_("所选地点不在本校的地点列表中，请重新选择。"))
    return spot


def _date(value):
    if value in (None, ""):
        return None
    if hasattr(value, "year"):
        d = value
    else:
        try:
            d = datetime.strptime(str(value), "%Y-%m-%d").date()
        except ValueError:
            raise ValidationError(_("日期格式应为 年-月-日，如 2024-05-20。")) from None
    if d > clock.today():
        raise ValidationError(_("发生日期不能晚于今天。"))
    return d


def submit_report(
    *,
    school,
    data: dict,
    files: Sequence = (),
    channel: str = Channel.FORM,
    submission_token: str | None = None,
) -> Submitted:
    """Store an anonymous report whole — with its follow-up code and evidence — or refuse it.

    ``data`` holds the reporter's answers (text, behaviours, spot — one of the school's places —,
    place_kind, place, occurred_on, occurred_period, repeated, people, reporter_kind, contact). Nothing about the reporter's
    device or connection is accepted here. A ``submission_token`` (the form's one-time token)
    makes a repeated send of the same form return the first report instead of a second one.
    Raises ValidationError (bad input) or DatabaseError (storage failure: nothing is kept)."""
    if channel not in ANONYMOUS_CHANNELS:
        raise ValidationError(_("来源无效。"))
    fields = _report_fields(data, school=school)
    if not fields["reporter_kind"]:
        raise ValidationError({"reporter_kind": [_("请选择你的身份：学生、家长或其他人。")]})
    prepared = _prepare_files(files)
    # a repeated send of one form hits the unique submission key (IntegrityError below)
    key = codes.token_hash(submission_token) if submission_token else None
    stored = [uploads.store(school.pk, p) for p in prepared]
    code = codes.new_code()
    try:
        with transaction.atomic():
            report = Report(
                county_id=school.county_id,
                school=school,
                channel=channel,
                hint_words=urgency_hints(fields["text"], fields["place"], fields["people"]),
                submission_key=key,
                **fields,
            )
            # bulk_create sends no post_save: the creation goes into the audit chain just after
            # commit, in a batch with other fresh submissions (audit_new_reports), so
            # submissions to one school do not queue one by one on its audit-stream lock
            report.creation_audited = False
            Report.objects.bulk_create([report])
            FollowUpCode.objects.create(
                county_id=school.county_id, school=school, report=report, code_hash=codes.code_hash(code)
            )
            for item, name in zip(prepared, stored, strict=True):
                _attach(report, item, name)
            transaction.on_commit(lambda: _queue_audit_new_reports(school.pk), robust=True)
            if report.hint_words:
                # words that suggest urgency: the triagers are told at once; every other
                # anonymous report reaches them through the minute digest (new_items_digest),
                # so a flood of submissions cannot flood their notifications
                transaction.on_commit(lambda: _queue_new_item_alert(report.pk), robust=True)
    except IntegrityError:
        uploads.discard(stored)
        earlier = Report.objects.filter(submission_key=key).first() if key else None
        if earlier is None:
            raise
        return Submitted(earlier, None, duplicate=True)
    except BaseException:
        uploads.discard(stored)
        raise
    return Submitted(report, codes.display(code))


def audit_queued_key(school_id: int) -> str:
    return f"intake:audit-queued:{school_id}"


def place_text(report) -> str:
    """Where, in words: the school's place (or the kind of place) and the reporter's detail."""
    where = (
        report.spot.name if report.spot_id else (report.get_place_kind_display() if report.place_kind else "")
    )
    return " ".join(p for p in (where, report.place) if p)


def _queue_audit_new_reports(school_id: int) -> None:
    """Queue one audit batch per school at a time. The task clears this mark before it reads
    the pending reports, so a report committed while a batch is queued is either read by that
    batch or queues the next one; a lost task is covered by the minute sweep and the mark
    expires. The batch runs a moment later (``AUDIT_BATCH_DELAY``) so that under a flood one
    audit transaction covers many reports instead of one each."""
    from huey.contrib.djhuey import HUEY

    from anxin.intake.tasks import audit_new_reports

    key = audit_queued_key(school_id)
    try:
        if not cache.add(key, 1, timeout=300):
            return
    except Exception as exc:  # noqa: BLE001 — the cache is down: queue (or run) anyway
        _queue_down("cache", exc)
    try:
        if HUEY.immediate:  # tests and single-process runs: at once
            audit_new_reports(school_id)
        else:
            audit_new_reports.schedule(args=(school_id,), delay=conf.AUDIT_BATCH_DELAY)
    except Exception as exc:  # noqa: BLE001 — the report is stored; the minute sweep audits it
        _queue_down("task queue", exc)
        try:
            cache.delete(key)  # not queued: the next submission tries again
        except Exception:  # noqa: BLE001, S110 — the mark expires by itself
            pass


def _queue_down(what: str, exc: Exception) -> None:
    """Fail open (R-Q-5): the submission is already stored; log the failure by kind only."""
    log.warning("%s unavailable (%s) after a public submission; continuing", what, type(exc).__name__)


def _enqueue(task, now_fn, *args) -> None:
    """Queue ``task``; when the queue is down, run ``now_fn`` here instead (after commit)."""
    try:
        task(*args)
    except Exception as exc:  # noqa: BLE001
        _queue_down("task queue", exc)
        try:
            now_fn(*args)
        except Exception:  # noqa: BLE001 — the minute digest still tells the triagers
            log.exception("inline alert failed")


def audit_new_reports(school_id: int | None = None, limit: int = 500, max_batches: int = 100) -> int:
    """Append the audit entry ("create", content masked) of submissions not yet in the chain,
    oldest first, ``limit`` per transaction, until none is left (at most ``max_batches``
    transactions a call); mark them done. Rows another worker is already auditing are skipped
    (SKIP LOCKED), so concurrent callers form batches instead of a queue. Runs a moment after
    submissions commit and every minute as a sweep, so an entry missed by a crash is appended
    later; running it twice appends nothing twice. Returns how many entries were appended."""
    total = 0
    for _batch in range(max_batches):
        done = _audit_batch(school_id, limit)
        total += done
        if done < limit:
            break
    return total


def _audit_batch(school_id: int | None, limit: int) -> int:
    with transaction.atomic():
        qs = Report.objects.filter(creation_audited=False)
        if school_id is not None:
            qs = qs.filter(school_id=school_id)
        pending = list(qs.select_for_update(skip_locked=True).order_by("pk")[:limit])
        audit.append_many(
            [
                audit.Entry(
                    "create",
                    object_type=report._meta.label_lower,
                    object_id=report.pk,
                    county_id=report.county_id,
                    school_id=report.school_id,
                    data={
                        "after": audit.snapshot(report, REPORT_AUDIT),
                        "received_at": report.created_at.isoformat(),
                    },
                )
                for report in pending
            ]
        )
        if pending:
            Report.objects.filter(pk__in=[r.pk for r in pending]).update(creation_audited=True)
    return len(pending)


def _prepare_files(files: Sequence) -> list[uploads.Prepared]:
    """Check uploads; a refusal names the ``files`` field (shown beside the file input)."""
    try:
        return uploads.prepare(list(files))
    except ValidationError as exc:
        raise ValidationError({"files": exc.messages}) from None


def _attach(report: Report, item: uploads.Prepared, name: str, message: ReportMessage | None = None):
    return ReportAttachment.objects.create(
        county_id=report.county_id,
        school_id=report.school_id,
        report=report,
        message=message,
        file=name,
        kind=item.kind,
        mime=item.mime,
        size=item.size,
        sha256=item.sha256,
    )


def _queue_new_item_alert(report_id: int) -> None:
    from anxin.intake.tasks import alert_new_item

    _enqueue(alert_new_item, alert_new_item_now, report_id)


def alert_new_item_now(report_id: int) -> None:
    """Tell the school's triagers a new item waits (in-app; e-mail too when hint words
    suggest urgency). The notice names the record, never its content."""
    report = Report.objects.select_related("school").filter(pk=report_id).first()
    if report is None:
        return
    with transaction.atomic():  # one commit for every recipient's notice
        _alert_new_item(report)


def _alert_new_item(report: Report) -> None:
    urgent = bool(report.hint_words)
    kind_label = _("关注") if report.is_concern else _("举报")
    title = _("新的%(kind)s待受理：%(school)s") % {"kind": kind_label, "school": report.school.name}
    if urgent:
        title = _("【含紧急提示词】") + title
    recipients = triagers(report.school)
    if report.owner_id and report.owner not in recipients:
        recipients.append(report.owner)
    notify(
        recipients,
        kind="intake_new",
        title=title,
        body=_("来源：%(channel)s。请尽快受理并研判紧急程度。") % {"channel": report.get_channel_display()},
        url=reverse("intake:report_detail", args=[report.pk]),
        dedupe_key=f"intake:report:{report.pk}:new",
        school=report.school,
        channels=("inapp", "email") if urgent else ("inapp",),
    )


def new_items_digest() -> int:
    """The periodic digest (every minute): for each school with untriaged items, one notice to
    its triagers naming how many wait, keyed on the newest item — run twice, or with nothing
    new since the last notice, it sends nothing. Returns the number of schools notified."""
    from anxin.org.models import School

    latest = (
        Report.objects.filter(status=Status.NEW)
        .values("school_id")
        .annotate(n=Count("id"), newest=Max("id"))
        .order_by()
    )
    sent = 0
    schools = {s.pk: s for s in School.objects.filter(pk__in=[r["school_id"] for r in latest])}
    for row in latest:
        school = schools[row["school_id"]]
        with transaction.atomic():
            made = notify(
                triagers(school),
                kind="intake_new",
                title=_("%(school)s有 %(n)d 条举报或关注待受理") % {"school": school.name, "n": row["n"]},
                body=_("请尽快受理并研判紧急程度。"),
                url=reverse("intake:inbox"),
                dedupe_key=f"intake:digest:{school.pk}:{row['newest']}",
                school=school,
            )
        sent += 1 if made else 0
    return sent


# --- follow-up (two-way, anonymous) ---------------------------------------------------------
def find_by_code(school, raw_code: str) -> Report | None:
    """The report a follow-up code opens, or None. See ``codes`` for the constant-time check."""
    normal = codes.normalise(raw_code)
    candidate = codes.code_hash(normal or "-")
    row = (
        FollowUpCode.objects.filter(code_hash=candidate, school=school).select_related("report").first()
        if normal
        else None
    )
    if not codes.matches(row.code_hash if row else None, candidate):
        return None
    return row.report


def thread(report: Report) -> list[ReportMessage]:
    return list(report.messages.prefetch_related("attachments"))


def add_reporter_message(report: Report, *, body: str, files: Sequence = ()) -> ReportMessage:
    """The reporter adds information or evidence through the follow-up page."""
    body = clean_text(body, label=_("补充内容"), max_chars=conf.max_text_chars())
    prepared = _prepare_files(files)
    if not body and not prepared:
        raise ValidationError(_("请填写补充内容或选择要上传的证据。"))
    already = report.attachments.count()
    if already + len(prepared) > conf.max_files() * 4:
        raise ValidationError(_("这份举报的证据已达上限，请直接联系学校。"))
    stored = [uploads.store(report.school_id, p) for p in prepared]
    try:
        with transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            msg = ReportMessage.objects.create(
                county_id=locked.county_id,
                school_id=locked.school_id,
                report=locked,
                sender=Sender.REPORTER,
                body=body,
            )
            for item, name in zip(prepared, stored, strict=True):
                _attach(locked, item, name, message=msg)
            words = urgency_hints(body)
            _event(
                locked,
                EventKind.REPORTER_MESSAGE,
                None,
                data={"message": msg.pk, "files": len(prepared), "hint_words": words},
            )
            locked.awaiting_reply = True
            locked.save(update_fields=["awaiting_reply", "updated_at"])
            transaction.on_commit(lambda: _queue_reporter_message_alert(locked.pk, msg.pk), robust=True)
    except BaseException:
        uploads.discard(stored)
        raise
    return msg


def _queue_reporter_message_alert(report_id: int, message_id: int) -> None:
    from anxin.intake.tasks import alert_reporter_message

    _enqueue(alert_reporter_message, alert_reporter_message_now, report_id, message_id)


def alert_reporter_message_now(report_id: int, message_id: int) -> None:
    report = Report.objects.select_related("school", "owner", "acknowledged_by").filter(pk=report_id).first()
    if report is None:
        return
    people = [u for u in (report.owner, report.acknowledged_by) if u is not None] or triagers(report.school)
    notify(
        people,
        kind="intake_message",
        title=_("举报人补充了信息（#%(n)d）") % {"n": report.pk},
        url=reverse("intake:report_detail", args=[report.pk]),
        dedupe_key=f"intake:message:{message_id}",
        school=report.school,
    )


# --- staff channels: 首问负责制 intake and concerns (R-RPT-3) -------------------------------
def record_intake(*, by, school, channel: str, data: dict) -> Report:
    """首问负责制: the staff member who takes a phone call, e-mail or visit records it and owns
    it until handed on. It enters the same triage inbox as every other report (LAW 17)."""
    if channel not in INTAKE_CHANNELS:
        raise ValidationError({"channel": [_("请选择反映方式：电话、邮件或来访。")]})
    fields = _report_fields(data, school=school)
    with transaction.atomic():
        report = Report.objects.create(
            county_id=school.county_id,
            school=school,
            channel=channel,
            raised_by=by,
            owner=by,
            hint_words=urgency_hints(fields["text"], fields["place"], fields["people"]),
            **fields,
        )
        transaction.on_commit(lambda: _queue_new_item_alert(report.pk), robust=True)
    return report


def raise_concern(
    *, by, school, text: str, student=None, source: str = "staff", place: str = "", flagged_from=None
) -> Concern:
    """A staff member's concern about a student (wave-2 interface). ``source`` is one of
    staff, monitoring, parent_phone, parent_visit, police, public_opinion; ``flagged_from`` is
    the record it came from (e.g. a monitoring duty log flagged 苗头). It arrives in the
    triage inbox; a named student is announced with ``students_named``."""
    if source not in CONCERN_CHANNELS:
        raise ValidationError({"source": [_("关注来源无效。")]})
    if student is not None and student.school_id != school.pk:
        raise ValidationError({"student": [_("学生不属于该学校。")]})
    fields = _collect(
        {
            "text": lambda: clean_text(
                text, label=_("情况说明"), max_chars=conf.max_text_chars(), required=True
            ),
            "place": lambda: clean_text(place, label=_("地点"), max_chars=100),
        }
    )
    with transaction.atomic():
        concern = Concern.objects.create(
            county_id=school.county_id,
            school=school,
            channel=source,
            student=student,
            raised_by=by,
            flagged_from_type=flagged_from._meta.label_lower if flagged_from is not None else "",
            flagged_from_id=str(flagged_from.pk) if flagged_from is not None else "",
            hint_words=urgency_hints(fields["text"], fields["place"]),
            **fields,
        )
        if student is not None:
            students_named.send(sender=Concern, school=school, students=[student], source_obj=concern)
        transaction.on_commit(lambda: _queue_new_item_alert(concern.pk), robust=True)
    return concern


def hand_over(report: Report, *, to, by, note: str = "") -> Report:
    """Pass ownership on (首问负责制 ends when someone who triages takes it over)."""
    if not may_triage(to, report.school):
        raise ValidationError(_("只能移交给本校分管安全副校长、校长或德育/政教主任。"))
    note = clean_text(note, label=_("移交说明"), max_chars=500)
    with transaction.atomic():
        locked = _lock(report)
        before = locked.owner_id
        locked.owner = to
        locked.save(update_fields=["owner", "updated_at"])
        _event(locked, EventKind.HANDED_OVER, by, note, {"from": before, "to": to.pk})
        notify(
            [to],
            kind="intake_handover",
            title=_("有一项反映移交给你（#%(n)d）") % {"n": locked.pk},
            url=reverse("intake:report_detail", args=[locked.pk]),
            dedupe_key=f"intake:report:{locked.pk}:handover:{to.pk}:{timezone.now().timestamp():.0f}",
            school=locked.school_id,
        )
    return locked


# --- triage (R-RPT-4) -----------------------------------------------------------------------
def _lock(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("school").get(pk=report.pk)


def _event(report: Report, kind: str, by, text: str = "", data: dict | None = None) -> TriageEvent:
    return TriageEvent.objects.create(
        county_id=report.county_id,
        school_id=report.school_id,
        report=report,
        kind=kind,
        by=by,
        text=text,
        data=data or {},
    )


def _ack(report: Report, by) -> None:
    """Acknowledge on first touch: any triage act means someone has taken it up."""
    if report.status == Status.NEW:
        report.status = Status.OPEN
        report.acknowledged_at = timezone.now()
        report.acknowledged_by = by
        if report.owner_id is None:
            report.owner = by
        _event(report, EventKind.ACKNOWLEDGED, by)


def _require_active(report: Report) -> None:
    if report.status == Status.MERGED:
        raise ValidationError(_("这条已合并到 #%(n)d，请在那一条上处理。") % {"n": report.merged_into_id})
    if report.status == Status.CLOSED:
        raise ValidationError(_("这条已办结；如需继续处理，请先重新打开并说明理由。"))
    if report.status == Status.CASE:
        raise ValidationError(_("这条已转为欺凌事件 #%(n)s，请在事件中处理。") % {"n": report.case_id})


def _reason(reason: str, what: str) -> str:
    reason = clean_text(reason, label=what, max_chars=2000)
    if len(reason) < MIN_REASON_CHARS:
        raise ValidationError(
            _("请写明%(what)s（至少 %(n)d 个字），历史记录会保留。") % {"what": what, "n": MIN_REASON_CHARS}
        )
    return reason


def acknowledge(report: Report, *, by) -> Report:
    with transaction.atomic():
        locked = _lock(report)
        if locked.status != Status.NEW:
            raise ValidationError(_("这条已经受理过了。"))
        _ack(locked, by)
        locked.save()
    return locked


def set_urgency(report: Report, *, by, urgency: str, note: str = "") -> Report:
    """A person decides the urgency; the hint words were only a suggestion."""
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": [_("请选择紧急程度。")]})
    note = clean_text(note, label=_("说明"), max_chars=500)
    with transaction.atomic():
        locked = _lock(report)
        _require_active(locked)
        _ack(locked, by)
        before = locked.urgency
        locked.urgency = urgency
        locked.save()
        _event(
            locked,
            EventKind.URGENCY,
            by,
            note,
            {"from": before, "to": urgency, "hint_words": locked.hint_words},
        )
    return locked


def link_students(report: Report, *, by, links: Sequence[tuple]) -> list[ReportStudent]:
    """Link students of the school with their role; announce them (``students_named``)."""
    if not links:
        raise ValidationError(_("请选择要关联的学生。"))
    for student, role in links:
        if student.school_id != report.school_id:
            raise ValidationError(_("只能关联本校学生。"))
        if role not in StudentRole.values:
            raise ValidationError(_("学生身份无效。"))
    with transaction.atomic():
        locked = _lock(report)
        if locked.status in (Status.MERGED, Status.CLOSED):
            _require_active(locked)
        _ack(locked, by)
        locked.save()
        made, named = [], []
        for student, role in links:
            row, created = ReportStudent.objects.get_or_create(
                report=locked,
                student=student,
                defaults={
                    "county_id": locked.county_id,
                    "school_id": locked.school_id,
                    "role": role,
                    "linked_by": by,
                },
            )
            if created:
                made.append(row)
                named.append(student)
        if made:
            _event(locked, EventKind.LINKED, by, data={"students": [(r.student_id, r.role) for r in made]})
            students_named.send(sender=Report, school=locked.school, students=named, source_obj=locked)
    return made


def _root(report: Report) -> Report:
    seen = set()
    while report.merged_into_id and report.pk not in seen:
        seen.add(report.pk)
        report = Report.objects.get(pk=report.merged_into_id)
    return report


def merge(report: Report, *, into: Report, by, reason: str = "") -> Report:
    """Merge a duplicate into another item of the same school. The duplicate keeps its content
    and thread; the target carries the handling (R-RPT-4)."""
    reason = clean_text(reason, label=_("合并说明"), max_chars=500)
    target = _root(into)
    if target.school_id != report.school_id:
        raise ValidationError(_("只能合并同一学校的举报。"))
    if target.pk == report.pk:
        raise ValidationError(_("不能合并到它自己。"))
    with transaction.atomic():
        locked = _lock(report)
        _require_active(locked)
        target = Report.objects.select_for_update().get(pk=target.pk)
        _ack(locked, by)
        locked.status = Status.MERGED
        locked.merged_into = target
        locked.save()
        _event(locked, EventKind.MERGED, by, reason, {"into": target.pk})
        _event(target, EventKind.MERGED_IN, by, reason, {"from": locked.pk})
        # duplicates already merged into this one follow it to the target
        for dup in Report.objects.select_for_update().filter(merged_into=locked):
            dup.merged_into = target
            dup.save(update_fields=["merged_into", "updated_at"])
            _event(target, EventKind.MERGED_IN, by, reason, {"from": dup.pk, "via": locked.pk})
        if not target.urgency and locked.urgency:
            target.urgency = locked.urgency
            target.save(update_fields=["urgency", "updated_at"])
    return locked


def close(report: Report, *, by, kind: str, reason: str) -> Report:
    """Close without a case. A reason is required for every kind; prank and unfounded are
    closings too, and nothing is deleted (LAW 8)."""
    if kind not in CloseKind.values:
        raise ValidationError({"kind": [_("请选择办结类型。")]})
    reason = _reason(reason, _("办结理由"))
    with transaction.atomic():
        locked = _lock(report)
        _require_active(locked)
        _ack(locked, by)
        locked.status = Status.CLOSED
        locked.close_kind = kind
        locked.close_reason = reason
        locked.closed_at = timezone.now()
        locked.closed_by = by
        locked.save()
        _event(locked, EventKind.CLOSED, by, reason, {"kind": kind})
    return locked


def mark_unfounded(report: Report, *, by, kind: str = CloseKind.UNFOUNDED, reason: str) -> Report:
    """Mark as prank or unfounded — a closing with a reason, never a deletion (LAW 8)."""
    if kind not in UNFOUNDED_KINDS:
        raise ValidationError({"kind": [_("请选择“查无实据”或“恶作剧”。")]})
    return close(report, by=by, kind=kind, reason=reason)


def reopen(report: Report, *, by, reason: str) -> Report:
    """Reopen a closed item; the closing and its reason stay in the history."""
    reason = _reason(reason, _("重新打开的理由"))
    with transaction.atomic():
        locked = _lock(report)
        if locked.status != Status.CLOSED:
            raise ValidationError(_("只有已办结的才能重新打开。"))
        previous = {
            "kind": locked.close_kind,
            "reason": locked.close_reason,
            "closed_at": locked.closed_at.isoformat() if locked.closed_at else None,
        }
        locked.status = Status.OPEN
        locked.close_kind = ""
        locked.close_reason = ""
        locked.closed_at = None
        locked.closed_by = None
        locked.save()
        _event(locked, EventKind.REOPENED, by, reason, {"previous": previous})
    return locked


def reply(report: Report, *, by, body: str) -> ReportMessage:
    """The school answers the reporter through the follow-up code (shown as "学校")."""
    if not report.is_anonymous:
        raise ValidationError(_("这条不是匿名举报，没有跟进码通道；请直接联系反映人。"))
    body = clean_text(body, label=_("回复内容"), max_chars=conf.max_text_chars(), required=True)
    with transaction.atomic():
        locked = _lock(report)
        _ack(locked, by)
        locked.awaiting_reply = False
        locked.save()
        msg = ReportMessage.objects.create(
            county_id=locked.county_id,
            school_id=locked.school_id,
            report=locked,
            sender=Sender.SCHOOL,
            body=body,
            author=by,
        )
        _event(locked, EventKind.REPLIED, by, data={"message": msg.pk})
    return msg


def add_note(report: Report, *, by, text: str) -> TriageEvent:
    text = clean_text(text, label=_("备注"), max_chars=2000, required=True)
    with transaction.atomic():
        locked = _lock(report)
        return _event(locked, EventKind.NOTE, by, text)


# --- hand-over to the cases app --------------------------------------------------------------
CASE_SOURCE = {
    Channel.FORM: "anonymous_report",
    Channel.MINIAPP: "anonymous_report",
    Channel.PHONE: "hotline",
    Channel.EMAIL: "email",
    Channel.VISIT: "parent",
    Channel.STAFF: "staff",
    Channel.MONITORING: "monitoring",
    Channel.PARENT_PHONE: "parent",
    Channel.PARENT_VISIT: "parent",
    Channel.POLICE: "police",
    Channel.PUBLIC_OPINION: "public_opinion",
}


def _open_case_function():
    """cases.services.open_case when the cases app provides it (``intake.hooks``), else None
    (the report stays held in triage and the button is not shown)."""
    from anxin.intake import hooks

    return hooks.case_opener()


def case_opening_available() -> bool:
    return _open_case_function() is not None


def case_url(report: Report) -> str | None:
    if not report.case_id:
        return None
    from django.urls import NoReverseMatch

    try:
        return reverse("cases:case_detail", args=[report.case_id])
    except NoReverseMatch:
        return None


def open_case(report: Report, *, by, summary: str = ""):
    """Turn the item into a bullying case (cases.open_case), carrying its linked students."""
    fn = _open_case_function()
    if fn is None:
        raise ValidationError(_("欺凌事件模块尚未启用，请先受理并保留这条举报。"))
    summary = clean_text(summary, label=_("事件摘要"), max_chars=2000)
    with transaction.atomic():
        locked = _lock(report)
        _require_active(locked)
        _ack(locked, by)
        students = [(ls.student, ls.role) for ls in locked.linked_students.select_related("student")]
        if locked.student_id and all(s.pk != locked.student_id for s, _r in students):
            students.append((locked.student, StudentRole.VICTIM))
        channel = locked.channel
        source = CASE_SOURCE[channel]
        if channel == Channel.VISIT and locked.reporter_kind != "parent":
            source = "staff"
        kwargs = {"concern": Concern.objects.get(pk=locked.pk)} if locked.is_concern else {"report": locked}
        # optional details the cases app may accept beyond the agreed interface
        extra = {
            "behaviour_types": list(locked.behaviours or []),
            "first_responder": locked.raised_by if channel in INTAKE_CHANNELS else None,
        }
        accepted = inspect.signature(fn).parameters
        kwargs.update({k: v for k, v in extra.items() if v and k in accepted})
        occurred_at = None
        if locked.occurred_on:
            occurred_at = datetime.combine(locked.occurred_on, datetime.min.time(), tzinfo=clock.SHANGHAI)
        try:
            case = fn(
                by=by,
                school=locked.school,
                source=source,
                discovered_at=locked.created_at,
                summary=summary or locked.text[:2000],
                place=place_text(locked),
                occurred_at=occurred_at,
                students=students,
                **kwargs,
            )
        except PermissionDenied:
            raise ValidationError(_("你没有在该校登记欺凌事件的权限。")) from None
        locked.status = Status.CASE
        locked.case_id = case.pk
        locked.save()
        _event(locked, EventKind.CASE_OPENED, by, data={"case": case.pk})
    return case


# --- emergency help (R-RPT-2) ---------------------------------------------------------------
def on_duty_leaders(school, at: datetime | None = None) -> list:
    """Who is on duty at ``at``: the roster's entries covering that moment; if none is
    configured or none covers it, the safety leader and the principal."""
    local = (at or clock.now()).astimezone(clock.SHANGHAI)
    entries = DutyLeader.objects.filter(school=school).select_related("user")
    users = [e.user for e in entries if e.covers(local) and e.user.is_active]
    if not users:
        users = _holders(school, [Role.SAFETY_LEADER, Role.PRINCIPAL])
    return list({u.pk: u for u in users}.values())


def raise_emergency(
    *, school, place: str = "", channel: str = Channel.FORM, suspect: bool = False
) -> tuple[EmergencyRequest, str]:
    """One tap: store the request and alert the on-duty leaders at once on every channel.
    ``suspect`` (its device was over the emergency limit): still stored and shown to them at
    once, flagged, with one SMS per school and window instead of one each (a flood of fake
    requests cannot page the leaders thirty times). Returns the request and the token of its
    status link (shown once)."""
    place = clean_text(place, label=_("地点"), max_chars=100)
    token = codes.new_token()
    with transaction.atomic():
        em = EmergencyRequest.objects.create(
            county_id=school.county_id,
            school=school,
            place=place,
            channel=channel,
            token_hash=codes.token_hash(token),
            suspect=suspect,
        )
        # nobody reachable at the school (no roster, no leader accounts): the bureau at once
        _alert_emergency(em, on_duty_leaders(school) or bureau_safety(school.county_id), level=0)
    return em, token


def _flood_window(now: datetime | None = None) -> int:
    return int((now or clock.now()).timestamp()) // (conf.emergency_page_window_minutes() * 60)


def _alert_emergency(
    em: EmergencyRequest, recipients: list, *, level: int, now: datetime | None = None
) -> list:
    prefix = {0: "", 1: _("【超时未响应，升级至校长】"), 2: _("【超时未响应，升级至教体局】")}[level]
    title = prefix + _("紧急求救：%(school)s") % {"school": em.school.name}
    if em.suspect:
        title = _("【疑似恶意刷屏】") + title
    made = notify(
        recipients,
        kind="emergency",
        title=title,
        body=_("地点：%(place)s。请立即到场处置，并在系统中点“已响应”。")
        % {"place": em.place or _("未填写")},
        url=reverse("intake:emergency_detail", args=[em.pk]),
        dedupe_key=f"intake:emergency:{em.pk}:level:{level}",
        school=em.school,
        channels=("inapp",) if em.suspect else ("inapp", "email", "sms"),
    )
    if em.suspect:
        # one page per school, level and window for all flagged requests (dedupe key)
        notify(
            recipients,
            kind="emergency",
            title=prefix
            + _("紧急求救：%(school)s 短时间内收到多条求救，可能有人恶意刷屏，请登录系统逐条查看")
            % {"school": em.school.name},
            url=reverse("intake:emergency_list"),
            dedupe_key=f"intake:emergency-flood:{em.school_id}:{level}:{_flood_window(now)}",
            school=em.school,
            channels=("inapp", "sms"),
        )
    return made


def emergency_by_token(school, token: str) -> EmergencyRequest | None:
    if not token or len(token) > 64:
        return None
    return EmergencyRequest.objects.filter(school=school, token_hash=codes.token_hash(token)).first()


def acknowledge_emergency(em: EmergencyRequest, *, by, note: str = "") -> EmergencyRequest:
    note = clean_text(note, label=_("处置情况"), max_chars=300)
    with transaction.atomic():
        locked = EmergencyRequest.objects.select_for_update().get(pk=em.pk)
        if locked.status == EmergencyStatus.ACKNOWLEDGED:
            raise ValidationError(_("已有人响应：%(who)s") % {"who": locked.acknowledged_by})
        locked.status = EmergencyStatus.ACKNOWLEDGED
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = by
        locked.ack_note = note
        locked.save()
    return locked


def escalate_emergencies(now: datetime | None = None) -> int:
    """The periodic sweep: an open request unacknowledged for the set minutes goes to the
    principal; as long again, to the bureau's safety staff. Idempotent: each level is reached
    once (row lock + level check) and each notice has a dedupe key, so running the sweep twice
    sends nothing twice. Returns the number of escalations made."""
    now = now or clock.now()
    step = timedelta(minutes=conf.escalate_minutes())
    due = EmergencyRequest.objects.filter(
        status=EmergencyStatus.OPEN, level__lt=2, created_at__lte=now - step
    )
    done = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            em = EmergencyRequest.objects.select_for_update().select_related("school").get(pk=pk)
            if em.status != EmergencyStatus.OPEN:
                continue
            if em.level == 0 and now - em.created_at >= step:
                _alert_emergency(em, principals(em.school), level=1, now=now)
                em.level = 1
                em.escalated_principal_at = now
                em.save(update_fields=["level", "escalated_principal_at", "updated_at"])
                done += 1
            elif em.level == 1 and em.escalated_principal_at and now - em.escalated_principal_at >= step:
                _alert_emergency(em, bureau_safety(em.county_id), level=2, now=now)
                em.level = 2
                em.escalated_bureau_at = now
                em.save(update_fields=["level", "escalated_bureau_at", "updated_at"])
                done += 1
    return done


# --- on-duty roster -------------------------------------------------------------------------
def add_duty(*, by, school, user, weekday: int | None, starts_at, ends_at, note: str = "") -> DutyLeader:
    if not any(m.school_id == school.pk for m in _memberships_of(user)):
        raise ValidationError({"user": [_("值班人员须在本校任职。")]})
    note = clean_text(note, label=_("备注"), max_chars=60)
    return DutyLeader.objects.create(
        county_id=school.county_id,
        school=school,
        user=user,
        weekday=weekday,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
    )


def _memberships_of(user) -> list:
    from anxin.accounts.models import Membership

    return list(Membership.objects.active().filter(user=user))


def remove_duty(entry: DutyLeader, *, by) -> None:
    entry.delete()  # a roster line is configuration; the audit trail keeps the deleted row


# --- the bureau's view: counts and ages, never contents (R-RPT-4; LAW 19) -------------------
@dataclass
class SchoolBacklog:
    school_id: int
    school_name: str
    new: int
    open: int
    oldest_new_at: datetime | None
    emergencies_open: int

    @property
    def oldest_age_hours(self) -> float | None:
        if self.oldest_new_at is None:
            return None
        return round((clock.now() - self.oldest_new_at).total_seconds() / 3600, 1)


def county_backlog(schools) -> list[SchoolBacklog]:
    """Per school: untriaged count and the age of the oldest, items in progress and open
    emergencies — three grouped queries, whatever the number of schools."""
    school_rows = list(schools.values("id", "name").order_by("town", "name"))
    ids = [s["id"] for s in school_rows]
    reports = {
        r["school_id"]: r
        for r in Report.objects.filter(school_id__in=ids, status__in=(Status.NEW, Status.OPEN))
        .values("school_id")
        .annotate(
            new=Count("id", filter=Q(status=Status.NEW)),
            open=Count("id", filter=Q(status=Status.OPEN)),
            oldest=Min("created_at", filter=Q(status=Status.NEW)),
        )
        .order_by()
    }
    emergencies = dict(
        EmergencyRequest.objects.filter(school_id__in=ids, status=EmergencyStatus.OPEN)
        .values("school_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("school_id", "n")
    )
    out = []
    for s in school_rows:
        r = reports.get(s["id"], {})
        out.append(
            SchoolBacklog(
                s["id"],
                s["name"],
                r.get("new", 0),
                r.get("open", 0),
                r.get("oldest"),
                emergencies.get(s["id"], 0),
            )
        )
    return out
