"""Which of a record's reverse relations hold rows, in one query.

A page that shows a record with many related lists (the case page: notices, statements,
measures, appeals …) would otherwise build, compile and run one ORM query per list, and for a
case in its first days most of them are empty. ``nonempty`` asks the database once with one
``EXISTS`` per relation (the SQL is built once per model and set of relations, then reused), so
the page queries only the lists that have rows. It reads the tables directly: a related
manager that filters rows can only return fewer, never more, so an empty answer is safe to trust.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, router

_SQL: dict[tuple, tuple[str, tuple[str, ...]]] = {}


def _sql(model, names: tuple[str, ...], vendor: str) -> tuple[str, tuple[str, ...]]:
    key = (model, names, vendor)
    hit = _SQL.get(key)
    if hit is None:
        ops = connections[router.db_for_read(model)].ops
        parts = []
        for name in names:
            rel = model._meta.get_field(name)  # a reverse ForeignKey or OneToOne (ValueError otherwise)
            if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
                raise ValueError(f"{name}: not a reverse foreign key of {model.__name__}")
            table = ops.quote_name(rel.related_model._meta.db_table)
            column = ops.quote_name(rel.field.column)
            # names from the models, quoted; the value is a parameter
            parts.append(f"EXISTS (SELECT 1 FROM {table} WHERE {column} = %s)")  # noqa: S608
        hit = _SQL[key] = ("SELECT " + ", ".join(parts), names)
    return hit


def nonempty(obj, names: Iterable[str]) -> set[str]:
    """The names among ``names`` (reverse relations of ``obj``'s model) that have rows for
    ``obj``. A one-to-one found empty is cached as absent on ``obj``, as Django does after a
    lookup that finds nothing, so ``hasattr(obj, name)`` asks no further query."""
    names = tuple(names)
    if not names:
        return set()
    model = type(obj)
    db = router.db_for_read(model)
    sql, order = _sql(model, names, connections[db].vendor)
    with connections[db].cursor() as cur:
        cur.execute(sql, [obj.pk] * len(order))
        row = cur.fetchone()
    found = {name for name, has in zip(order, row, strict=True) if has}
    for name in order:
        if name not in found:
            rel = model._meta.get_field(name)
            if rel.one_to_one:
                rel.set_cached_value(obj, None)
    return found
