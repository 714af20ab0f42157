"""Public submission (R-RPT-1): the report, its places and attachments, the batched creation
audit, and the alerts that tell the triagers a new item is waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Max, When
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import audit, clock
from anxin.core.notify import notify
from anxin.intake import codes, conf, uploads
from anxin.intake.data import Period, Place, Repeated, ReporterKind, urgency_hints
from anxin.intake.models import (
    ANONYMOUS_CHANNELS,
    Channel,
    FollowUpCode,
    Report,
    ReportAttachment,
    ReportMessage,
    Status,
)

from .common import REPORT_AUDIT, _behaviours, _choice, _collect, clean_text, log, triagers


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
