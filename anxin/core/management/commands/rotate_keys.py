"""manage.py rotate_keys: bring every encrypted value under the first key of ANXIN_FIELD_KEYS.

Rotation: set ``ANXIN_FIELD_KEYS=new,old`` (every process: web and task worker), restart, run
this command, then drop the old key. It re-encrypts every encrypted field and the encrypted
values kept in JSON (import passwords), rebuilds every blind index (ID numbers, 学籍号), and
re-wraps the key of every stored upload (report and case evidence; files stored before
encryption are encrypted now). Batched by primary key; idempotent: a value already under the
first key is left alone, so running it twice changes nothing the second time. No personal data
is printed, only counts and row ids.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from anxin.core import audit, crypto, filecrypt

# Stored uploads that are encrypted at rest (model label, file field).
ENCRYPTED_UPLOADS = (("intake.reportattachment", "file"), ("cases.evidence", "file"))
# Encrypted values kept inside a JSON field: (model label, JSON field, key).
ENCRYPTED_JSON = (("roster.rosterimport", "result", "secret"),)


def _batches(qs, batch: int):
    """Rows of ``qs`` (values) in primary-key order, ``batch`` at a time."""
    last = None
    while True:
        page = qs.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:batch])
        if not rows:
            return
        yield rows
        last = rows[-1]["pk"] if isinstance(rows[-1], dict) else rows[-1].pk


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field and upload with the first field key; rebuild blind indexes."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args, **opts):
        batch = max(1, opts["batch"])
        counts: Counter = Counter()
        self._fields(batch, counts)
        self._json(batch, counts)
        self._indexes(batch, counts)
        self._files(batch, counts)
        audit.record("keys.rotated", data=dict(counts))
        self.stdout.write(
            "字段 / fields: {fields_rotated} re-encrypted, {fields_current} already current, "
            "{fields_unreadable} unreadable\n"
            "盲索引 / blind indexes: {indexes_rebuilt} rebuilt, {indexes_current} already current, "
            "{indexes_conflict} conflicts\n"
            "文件 / files: {files_encrypted} encrypted, {files_rewrapped} re-keyed, "
            "{files_current} already current, {files_missing} missing, {files_damaged} damaged".format_map(
                defaultdict(int, counts)
            )
        )
        if counts["fields_unreadable"] or counts["files_damaged"] or counts["indexes_conflict"]:
            raise CommandError("有数据未能轮换（见上）/ some values could not be rotated (see above)")

    # --- encrypted columns ------------------------------------------------------------------
    def _fields(self, batch: int, counts: Counter) -> None:
        for model in apps.get_models():
            names = [
                f.attname for f in model._meta.concrete_fields if isinstance(f, crypto.EncryptedTextField)
            ]
            if not names:
                continue
            # the stored tokens, not the decrypted values (Cast skips the field's from_db_value)
            raw = {f"raw_{n}": Cast(n, TextField()) for n in names}
            qs = model._base_manager.annotate(**raw).values("pk", *raw)
            for rows in _batches(qs, batch):
                with transaction.atomic():
                    for row in rows:
                        change = {}
                        for n in names:
                            token = row[f"raw_{n}"]
                            if not token:
                                continue
                            if crypto.is_current(token):
                                counts["fields_current"] += 1
                                continue
                            try:
                                change[n] = Value(crypto.rotate(token), output_field=TextField())
                            except InvalidToken:
                                counts["fields_unreadable"] += 1
                                self.stderr.write(f"{model._meta.label} #{row['pk']} {n}: no key opens it")
                        if change:
                            model._base_manager.filter(pk=row["pk"]).update(**change)
                            counts["fields_rotated"] += len(change)

    def _json(self, batch: int, counts: Counter) -> None:
        for label, field, key in ENCRYPTED_JSON:
            model = apps.get_model(label)
            for rows in _batches(model._base_manager.values("pk", field), batch):
                with transaction.atomic():
                    for row in rows:
                        data = row[field]
                        token = data.get(key) if isinstance(data, dict) else None
                        if not token:
                            continue
                        if crypto.is_current(token):
                            counts["fields_current"] += 1
                            continue
                        try:
                            data[key] = crypto.rotate(token)
                        except InvalidToken:
                            counts["fields_unreadable"] += 1
                            self.stderr.write(
                                f"{model._meta.label} #{row['pk']} {field}.{key}: no key opens it"
                            )
                            continue
                        model._base_manager.filter(pk=row["pk"]).update(**{field: data})
                        counts["fields_rotated"] += 1

    # --- blind indexes ----------------------------------------------------------------------
    def _indexes(self, batch: int, counts: Counter) -> None:
        by_model: dict[str, list] = defaultdict(list)
        for label, field, compute in crypto.BLIND_INDEXES:
            by_model[label].append((field, compute))
        for label, specs in by_model.items():
            model = apps.get_model(label)
            for rows in _batches(model._base_manager.all(), batch):
                for obj in rows:
                    change = {}
                    for field, compute in specs:
                        value = compute(obj)
                        if getattr(obj, field) == value:
                            counts["indexes_current"] += 1
                        else:
                            change[field] = value
                    if not change:
                        continue
                    try:
                        with transaction.atomic():
                            model._base_manager.filter(pk=obj.pk).update(**change)
                    except IntegrityError:
                        # another row already holds this value under the new key: a duplicate
                        # entered during the rotation, for a person to resolve
                        counts["indexes_conflict"] += len(change)
                        self.stderr.write(
                            f"{model._meta.label} #{obj.pk}: {', '.join(change)} duplicates another row"
                        )
                    else:
                        counts["indexes_rebuilt"] += len(change)

    # --- stored uploads ---------------------------------------------------------------------
    def _files(self, batch: int, counts: Counter) -> None:
        for label, field in ENCRYPTED_UPLOADS:
            model = apps.get_model(label)
            for rows in _batches(model._base_manager.values("pk", field), batch):
                for row in rows:
                    name = row[field]
                    if not name:
                        continue
                    path = default_storage.path(name)
                    if not os.path.exists(path):
                        counts["files_missing"] += 1
                        self.stderr.write(f"{model._meta.label} #{row['pk']}: file missing")
                        continue
                    try:
                        outcome = filecrypt.rekey(path)
                    except filecrypt.Damaged:
                        counts["files_damaged"] += 1
                        self.stderr.write(f"{model._meta.label} #{row['pk']}: file cannot be opened")
                        continue
                    counts[f"files_{outcome}"] += 1
                    folder = os.path.dirname(path)
                    if os.stat(folder).st_mode & 0o077:
                        os.chmod(folder, 0o700)
