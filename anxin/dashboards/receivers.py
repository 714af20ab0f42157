"""What marks a rollup bucket dirty: a case saved or deleted (both its old and its new bucket
when its school or discovery time changed), a seal taken or lifted. Connected in
``DashboardsConfig.ready``."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_init, post_save


def _bucket(case):
    from anxin.dashboards.rollups import month_of

    if case.school_id is None or case.discovered_at is None:
        return None
    return (case.county_id, case.school_id, month_of(case.discovered_at))


def case_loaded(sender, instance, **kwargs):
    # the bucket the row was read from (a save that moves the case also recounts the old one);
    # read from __dict__: a deferred field must not cost a query per row
    d = instance.__dict__
    instance._rollup_was = (d.get("county_id"), d.get("school_id"), d.get("discovered_at"))


# the fields the rollups count by: a save touching none of them (a timeline append) marks nothing
COUNTED = frozenset(
    {"county", "school", "discovered_at", "result", "state", "report_required", "first_reported_at"}
    | {"report_late", "behaviour_types"}
)


def case_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    from anxin.dashboards.rollups import mark, month_of

    if raw or (update_fields is not None and not COUNTED & set(update_fields)):
        return
    buckets = {_bucket(instance)}
    county, school, discovered = getattr(instance, "_rollup_was", (None, None, None))
    if school is not None and discovered is not None:
        buckets.add((county, school, month_of(discovered)))
    mark(b for b in buckets if b is not None)
    case_loaded(sender, instance)


def seal_changed(sender, instance, raw=False, **kwargs):
    from anxin.dashboards.rollups import mark

    if raw:
        return
    bucket = _bucket(instance.case)
    if bucket is not None:
        mark([bucket])


def connect() -> None:
    from anxin.cases.models import BullyingCase
    from anxin.cases.seal_models import CaseSeal

    post_init.connect(case_loaded, sender=BullyingCase, dispatch_uid="rollup-case-init")
    post_save.connect(case_changed, sender=BullyingCase, dispatch_uid="rollup-case-save")
    post_delete.connect(case_changed, sender=BullyingCase, dispatch_uid="rollup-case-delete")
    post_save.connect(seal_changed, sender=CaseSeal, dispatch_uid="rollup-seal-save")
    post_delete.connect(seal_changed, sender=CaseSeal, dispatch_uid="rollup-seal-delete")
