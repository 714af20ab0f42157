"""The audit trail: one code path appends every event (LAW 22; GUIDE principle 3).

Writes of audited models are recorded automatically by signals (before/after data);
reads of sensitive records, logins, denials and exports call :func:`record`.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from anxin.core import clock
from anxin.core.audit_redact import redact, sensitive_fields
from anxin.core.models import AuditEvent, AuditStreamHead

GENESIS = "0" * 64


@dataclass
class AuditContext:
    actor_id: int | None = None
    actor: str = ""
    role: str = ""
    scope: str = ""
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    county_id: int | None = None
    school_id: int | None = None


_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("anxin_audit", default=None)


def current() -> AuditContext:
    ctx = _context.get()
    if ctx is None:
        ctx = AuditContext(actor="system")
        _context.set(ctx)
    return ctx


def set_context(ctx: AuditContext | None):
    return _context.set(ctx)


def reset_context(token) -> None:
    _context.reset(token)


def context_for_user(user, request_id: str | None = None) -> AuditContext:
    from anxin.core import policy

    ctx = AuditContext(request_id=request_id or str(uuid.uuid4()))
    if user is not None and getattr(user, "is_authenticated", False):
        ms = policy.memberships(user)
        ctx.actor_id = user.pk
        ctx.actor = user.get_username()
        ctx.role = ",".join(sorted({m.role for m in ms}))
        ctx.scope = ",".join(sorted({m.scope_label for m in ms}))[:200]
        ctx.county_id = user.county_id
        schools = {m.school_id for m in ms if m.school_id}
        ctx.school_id = schools.pop() if len(schools) == 1 else None
    return ctx


def canonical(values: dict) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def compute_hash(prev_hash: str, row: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode()).hexdigest()


def sign(*parts) -> str:
    """HMAC-SHA256 with ANXIN_AUDIT_KEY, a key the database never holds: heads, seals and
    checkpoints signed with it cannot be forged by whoever owns the database alone."""
    msg = "\x1f".join(str(p) for p in parts).encode()
    return hmac.new(settings.ANXIN_AUDIT_KEY.encode(), msg, hashlib.sha256).hexdigest()


def head_mac(stream: str, seq: int, digest: str) -> str:
    return sign("head", stream, seq, digest)


def seal_mac(county_id, day: str, streams: dict) -> str:
    return sign("seal", county_id, day, canonical(streams))


HASHED_FIELDS = (
    "stream",
    "seq",
    "at",
    "county_id",
    "school_id",
    "actor_id",
    "actor",
    "role",
    "actor_scope",
    "action",
    "object_type",
    "object_id",
    "result",
    "request_id",
    "data",
)


def row_for_hash(ev: AuditEvent | dict) -> dict:
    get = ev.get if isinstance(ev, dict) else (lambda k: getattr(ev, k))
    row = {k: get(k) for k in HASHED_FIELDS}
    at = row["at"]
    if isinstance(at, datetime):
        row["at"] = at.astimezone(clock.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # JSON round-trips through the database; normalise so the hash sees the stored form.
    row["data"] = json.loads(canonical(row["data"] or {}))
    return row


def stream_for(county_id: int | None, school_id: int | None, at: datetime) -> str:
    day = clock.local_date(at).isoformat()
    if school_id:
        return f"school:{school_id}:{day}"
    return f"county:{county_id or 0}:{day}"


def _lock_head(stream: str, county_id, school_id) -> AuditStreamHead:
    """Lock the stream's head row, creating the stream when it is new. A new county stream
    starts from the hash of that county's previous day (one chain across days); a new school
    stream is announced in its county's stream, so deleting a whole stream is detectable."""
    try:
        return AuditStreamHead.objects.select_for_update().get(stream=stream)
    except AuditStreamHead.DoesNotExist:
        pass
    anchor = GENESIS
    if stream.startswith("county:"):
        prefix = stream.rsplit(":", 1)[0] + ":"
        previous = (
            AuditStreamHead.objects.filter(stream__startswith=prefix, stream__lt=stream)
            .order_by("-stream")
            .first()
        )
        if previous is not None:
            anchor = previous.hash
    try:
        with transaction.atomic():
            head = AuditStreamHead.objects.create(
                stream=stream,
                county_id=county_id,
                school_id=school_id,
                seq=0,
                hash=anchor,
                mac=head_mac(stream, 0, anchor),
            )
    except IntegrityError:  # another writer created it first
        return AuditStreamHead.objects.select_for_update().get(stream=stream)
    if not stream.startswith("county:"):
        append("stream.open", county_id=county_id, county_stream=True, data={"stream": stream})
        head = AuditStreamHead.objects.select_for_update().get(stream=stream)
    return head


def append(
    action: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
    result: str = AuditEvent.Result.OK,
    data: dict | None = None,
    county_id: int | None = None,
    school_id: int | None = None,
    ctx: AuditContext | None = None,
    county_stream: bool = False,
) -> AuditEvent:
    """Append one event to its stream, in the caller's transaction when there is one.
    ``county_stream`` forces the county's stream (stream announcements, seals)."""
    return append_many(
        [
            Entry(
                action,
                object_type=object_type,
                object_id=object_id,
                result=result,
                data=data,
                county_id=county_id,
                school_id=school_id,
                county_stream=county_stream,
            )
        ],
        ctx=ctx,
    )[0]


@dataclass
class Entry:
    """One event to append (see :func:`append`)."""

    action: str
    object_type: str = ""
    object_id: str | int = ""
    result: str = AuditEvent.Result.OK
    data: dict | None = None
    county_id: int | None = None
    school_id: int | None = None
    county_stream: bool = False


def append_many(entries: list[Entry], *, ctx: AuditContext | None = None) -> list[AuditEvent]:
    """Append events, locking each stream's head once and inserting each stream's events in
    one statement: the same chain as one :func:`append` per event, at a fraction of the round
    trips (batches of fresh anonymous reports). Within a stream the entries keep their order;
    streams are locked in name order, so two batches never wait on each other in a cycle.
    Returns the events in the order of ``entries``."""
    ctx = ctx or current()
    at = timezone.now()
    rows: dict[str, list[tuple[int, dict]]] = {}
    for i, e in enumerate(entries):
        county_id = e.county_id if e.county_id is not None else ctx.county_id
        if e.county_stream:
            school_id = None
        elif e.school_id is None:
            school_id = ctx.school_id if county_id == ctx.county_id else None
        else:
            school_id = e.school_id
        stream = stream_for(county_id, school_id, at)
        rows.setdefault(stream, []).append(
            (
                i,
                {
                    "stream": stream,
                    "at": at,
                    "county_id": county_id,
                    "school_id": school_id,
                    "actor_id": ctx.actor_id,
                    "actor": ctx.actor[:150],
                    "role": ctx.role[:200],
                    "actor_scope": ctx.scope[:200],
                    "action": e.action,
                    "object_type": e.object_type,
                    "object_id": str(e.object_id)[:64],
                    "result": e.result,
                    "request_id": ctx.request_id,
                    "data": json.loads(canonical(e.data or {})),
                },
            )
        )
    events: list[AuditEvent | None] = [None] * len(entries)
    # no savepoint: one round trip less while the stream's head row is locked
    with transaction.atomic(savepoint=False):
        for stream in sorted(rows):
            values = rows[stream]
            head = _lock_head(stream, values[0][1]["county_id"], values[0][1]["school_id"])
            batch = []
            for _i, v in values:
                v["seq"] = head.seq + 1
                digest = compute_hash(head.hash, row_for_hash(v))
                batch.append(AuditEvent(prev_hash=head.hash, hash=digest, **v))
                head.seq, head.hash = v["seq"], digest
            for (i, _v), event in zip(values, AuditEvent.objects.bulk_create(batch), strict=True):
                events[i] = event
            head.mac = head_mac(stream, head.seq, head.hash)
            head.save(update_fields=["seq", "hash", "mac"])
    return events


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    result: str = "ok",
    data: dict | None = None,
    county_id: int | None = None,
    school_id: int | None = None,
) -> AuditEvent:
    """Record a read, login, denial, export or domain action about ``obj``."""
    if obj is not None:
        county_id = county_id if county_id is not None else _key(obj, "county")
        school_id = school_id if school_id is not None else _key(obj, "school")
    return append(
        action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else "",
        result=result,
        data=data,
        county_id=county_id,
        school_id=school_id,
    )


def _key(obj, name: str):
    if obj._meta.label_lower == f"org.{name}":
        return obj.pk
    return getattr(obj, f"{name}_id", None)


# --- automatic write history (NetBox's ObjectChange) ------------------------------------------
_AUDITED: dict[type, AuditSpec] = {}


@dataclass(frozen=True)
class AuditSpec:
    exclude: frozenset[str]
    masked: frozenset[str]


def audited(exclude: tuple[str, ...] = ("created_at", "updated_at"), masked: tuple[str, ...] = ()):
    """Class decorator: every save and delete of the model appends an event with the changed
    fields (before/after). ``masked`` fields (sensitive data) are logged as changed, not shown."""

    def wrap(model):
        # free text and sensitive fields are kept as keyed hashes only (core.audit_redact)
        _AUDITED[model] = AuditSpec(frozenset(exclude), frozenset(masked) | sensitive_fields(model))
        pre_save.connect(_pre_save, sender=model, dispatch_uid=f"audit-pre-{model._meta.label}")
        post_save.connect(_post_save, sender=model, dispatch_uid=f"audit-post-{model._meta.label}")
        post_delete.connect(_post_delete, sender=model, dispatch_uid=f"audit-del-{model._meta.label}")
        return model

    return wrap


def _raw(obj, spec: AuditSpec) -> dict:
    return json.loads(
        canonical(
            {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in spec.exclude}
        )
    )


def _masked(values: dict, spec: AuditSpec) -> dict:
    return redact(values, spec.masked)


def snapshot(obj, spec: AuditSpec) -> dict:
    return _masked(_raw(obj, spec), spec)


def _pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._audit_before = None
    if raw or instance.pk is None or instance._state.adding:
        return
    spec = _AUDITED[sender]
    fields = {f.attname: f.name for f in instance._meta.concrete_fields if f.name not in spec.exclude}
    before = sender._base_manager.filter(pk=instance.pk).values(*fields).first()
    if before is not None:
        instance._audit_before = json.loads(canonical({fields[k]: v for k, v in before.items()}))


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    spec = _AUDITED[sender]
    after = _raw(instance, spec)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        record("create", instance, data={"after": _masked(after, spec)})
        return
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    if not changed:
        return  # saving an unchanged record writes no history (re-imports change nothing)
    record(
        "update",
        instance,
        data={
            "before": _masked({k: before.get(k) for k in changed}, spec),
            "after": _masked({k: after[k] for k in changed}, spec),
        },
    )


def _post_delete(sender, instance, **kwargs):
    record("delete", instance, data={"before": snapshot(instance, _AUDITED[sender])})
