"""Retention per record class (LAW 22, 24): when a record's period ends, it is anonymised or
purged; audit entries are redacted by a chained redaction record, never deleted.

Core imports no app. Each app lists its record classes in ``anxin/<app>/retention.py``::

    from anxin.core import retention

    retention.register(retention.RecordClass(
        key="care.contacts", label="关爱联系记录", parameter="RETENTION_CARE_YEARS",
        unit=retention.YEARS, default=5, action=retention.ANONYMISE,
        due=lambda county_id, cutoff: ContactLog.objects.filter(county_id=county_id, occurred_at__lt=cutoff),
        apply=anonymise_contacts,
    ))

``due(county_id, cutoff)`` answers the rows whose period ended before ``cutoff`` (a timezone-aware
datetime); ``apply(queryset)`` anonymises or purges them and answers how many. Anonymised rows
are remembered in :class:`~anxin.core.models.RetentionMark`, so a second run finds nothing to do
(idempotent); purged rows are gone and redacted audit entries carry their marker.

The period of each class is a county legal parameter (``parameter``, kept in versions by the
county's administrator); the app that keeps those parameters registers :func:`period_source`.
Without one, a class's ``default`` applies (for the audit trail: ``ANXIN_AUDIT_RETENTION_DAYS``).
:func:`run` is called nightly by ``anxin.core.tasks.nightly_retention`` and by
``manage.py apply_retention`` (``--dry-run`` counts only); each county's run is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction

YEARS, DAYS = "years", "days"
ANONYMISE, PURGE, REDACT = "anonymise", "purge", "redact"
ACTION_LABELS = {ANONYMISE: "匿名化", PURGE: "删除", REDACT: "脱敏（链式删减记录）"}
PLACEHOLDER = "（已按保存期限匿名化）"
AUDIT_FLOOR_DAYS = 183  # 网络安全法 21: network logs are kept at least six months
BATCH = 500


@dataclass(frozen=True)
class RecordClass:
    key: str
    label: str
    parameter: str  # the county legal parameter holding the period
    unit: str  # YEARS | DAYS
    default: int
    action: str  # ANONYMISE | PURGE | REDACT
    due: Callable[[int | None, dt.datetime], models.QuerySet]
    apply: Callable[[models.QuerySet], int]
    marked: bool = True  # remember anonymised rows (RetentionMark); purges and redactions need not
    floor_days: int = 0
    note: str = field(default="", compare=False)


_CLASSES: dict[str, RecordClass] = {}
_PERIODS: list[Callable[[int | None, str], int | None]] = []
_DISCOVERED = False


def register(rc: RecordClass) -> RecordClass:
    if rc.key in _CLASSES and _CLASSES[rc.key] != rc:
        raise ValueError(f"record class {rc.key!r} registered twice")
    _CLASSES[rc.key] = rc
    return rc


def period_source(fn: Callable[[int | None, str], int | None]):
    """Register ``fn(county_id, parameter) -> value or None``: the county's value in force today."""
    if fn not in _PERIODS:
        _PERIODS.append(fn)
    return fn


def discover() -> None:
    """Import every installed app's ``retention`` module once (each registers its classes)."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("retention")
    _DISCOVERED = True


def classes() -> list[RecordClass]:
    discover()
    return [_CLASSES[k] for k in sorted(_CLASSES)]


def period(rc: RecordClass, county_id: int | None) -> int:
    """The class's period for the county (in ``rc.unit``), never below its legal floor."""
    discover()
    value = None
    for fn in _PERIODS:
        value = fn(county_id, rc.parameter)
        if value is not None:
            break
    value = int(value if value is not None else rc.default)
    if rc.unit == DAYS and rc.floor_days and value < rc.floor_days:
        value = rc.floor_days  # a value saved below the floor is never applied (LAW 22)
    return value


def cutoff(rc: RecordClass, county_id: int | None, now: dt.datetime) -> dt.datetime:
    n = period(rc, county_id)
    if rc.unit == DAYS:
        return now - dt.timedelta(days=n)
    try:
        return now.replace(year=now.year - n)
    except ValueError:  # 29 February
        return now.replace(year=now.year - n, day=28)


def pending(rc: RecordClass, county_id: int | None, now: dt.datetime) -> models.QuerySet:
    """The rows of ``rc`` due in the county and not yet done."""
    from anxin.core.models import RetentionMark

    qs = rc.due(county_id, cutoff(rc, county_id, now))
    if rc.marked:
        qs = qs.exclude(pk__in=RetentionMark.objects.filter(record_class=rc.key).values("object_id"))
    return qs


@dataclass
class CountyRun:
    county_id: int | None
    counts: dict[str, int]
    periods: dict[str, str]


def run(*, now: dt.datetime | None = None, dry_run: bool = False, county_ids=None) -> list[CountyRun]:
    """Anonymise, purge or redact what has expired, county by county (idempotent). With
    ``dry_run`` nothing changes and nothing is recorded: the counts say what would be done."""
    from django.apps import apps
    from django.utils import timezone

    from anxin.core import audit

    now = now or timezone.now()
    if county_ids is None:
        county_ids = [
            *apps.get_model("org", "County").objects.order_by("pk").values_list("pk", flat=True),
            None,
        ]
    out = []
    for county_id in county_ids:
        counts, periods = {}, {}
        for rc in classes():
            periods[rc.key] = f"{period(rc, county_id)} {rc.unit}"
            qs = pending(rc, county_id, now)
            counts[rc.key] = qs.count() if dry_run else _apply(rc, county_id, now)
        out.append(CountyRun(county_id, counts, periods))
        if not dry_run and (county_id is not None or any(counts.values())):
            audit.append(
                "retention.run",
                county_id=county_id,
                county_stream=True,
                data={"counts": counts, "periods": periods, "at": now.isoformat()},
            )
    return out


def _apply(rc: RecordClass, county_id: int | None, now: dt.datetime) -> int:
    from anxin.core.models import RetentionMark

    done = 0
    while True:
        ids = list(pending(rc, county_id, now).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        with transaction.atomic():
            qs = rc.due(county_id, cutoff(rc, county_id, now)).filter(pk__in=ids)
            rc.apply(qs)
            if rc.marked:
                RetentionMark.objects.bulk_create(
                    [RetentionMark(record_class=rc.key, object_id=pk, county_id=county_id) for pk in ids],
                    ignore_conflicts=True,
                )
        done += len(ids)
        if len(ids) < BATCH:
            return done


def blank_text(qs: models.QuerySet, fields=None, keep=()) -> int:
    """Overwrite the free-text fields of ``qs`` (by default those the audit history keeps only as
    keyed hashes, ``core.audit_redact.sensitive_fields``): empty where the field may be blank,
    else :data:`PLACEHOLDER`. Answers the number of rows."""
    from anxin.core.audit_redact import sensitive_fields

    model = qs.model
    names = fields if fields is not None else sensitive_fields(model)
    values = {}
    for name in names:
        if name in keep:
            continue
        f = model._meta.get_field(name)
        if isinstance(f, models.CharField | models.TextField):
            values[name] = "" if f.blank else PLACEHOLDER[: f.max_length or None]
    return qs.update(**values) if values else qs.count()


def purge_files(qs: models.QuerySet, field: str = "file") -> int:
    """Delete the stored files of ``qs`` (evidence, attachments) from storage and blank their
    names; the rows stay (that there was evidence, its size and date). Answers files deleted."""
    n = 0
    for obj in qs.exclude(**{field: ""}).iterator(chunk_size=BATCH):
        getattr(obj, field).delete(save=False)
        n += 1
    qs.update(**{field: ""})
    return n


# --- the audit trail (LAW 22): core's own record class -----------------------------------------


def _audit_due(county_id, cutoff_at):
    from anxin.core.audit_redact import REDACTED_KEY, STRUCTURAL
    from anxin.core.models import AuditEvent

    return (
        AuditEvent.objects.filter(county_id=county_id, at__lt=cutoff_at)
        .exclude(action__in=STRUCTURAL)
        .exclude(data__has_key=REDACTED_KEY)
    )


def _audit_apply(qs) -> int:
    from anxin.core.audit_redact import redact_events

    return redact_events(qs, reason="retention")


register(
    RecordClass(
        key="core.audit",
        label="审计日志",
        parameter="RETENTION_AUDIT_DAYS",
        unit=DAYS,
        default=getattr(settings, "ANXIN_AUDIT_RETENTION_DAYS", 1095),
        action=REDACT,
        due=_audit_due,
        apply=_audit_apply,
        marked=False,
        floor_days=AUDIT_FLOOR_DAYS,
        note="条目内容替换为带密钥的哈希，链条和顺序保留；删减记录本身链入县级审计流",
    )
)
