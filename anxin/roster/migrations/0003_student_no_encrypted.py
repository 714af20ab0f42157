"""全国学籍号 (G/J + the ID number) encrypted at rest like the ID number, matched and kept
unique in the county through a blind index (student_no_index)."""

from django.db import migrations, models

import anxin.core.crypto


STUDENT_NO_PURPOSE = "student_no"  # = anxin.roster.models.STUDENT_NO_PURPOSE, frozen here


def _rows(cursor, table):
    cursor.execute(f"SELECT id, student_no FROM {table} WHERE student_no IS NOT NULL")  # noqa: S608
    return cursor.fetchall()


def encrypt_student_numbers(apps, schema_editor):
    """Encrypt the stored 学籍号 and fill its blind index (raw SQL: the historical model's
    field would try to decrypt the plain values)."""
    from anxin.core.crypto import blind_index, decrypt, encrypt

    connection = schema_editor.connection
    table = connection.ops.quote_name("roster_student")
    with connection.cursor() as cur:
        updates = []
        for pk, raw in _rows(cur, table):
            plain = decrypt(raw) or raw  # already encrypted (a re-run): keep the value
            plain = "".join((plain or "").split()).upper()
            if plain:
                updates.append((encrypt(plain), blind_index(plain, STUDENT_NO_PURPOSE), pk))
            else:
                updates.append((None, None, pk))
        sql = f"UPDATE {table} SET student_no = %s, student_no_index = %s WHERE id = %s"  # noqa: S608
        for i in range(0, len(updates), 2000):
            cur.executemany(sql, updates[i : i + 2000])


def decrypt_student_numbers(apps, schema_editor):
    from anxin.core.crypto import decrypt

    connection = schema_editor.connection
    table = connection.ops.quote_name("roster_student")
    with connection.cursor() as cur:
        updates = [(decrypt(raw) or None, pk) for pk, raw in _rows(cur, table)]
        sql = f"UPDATE {table} SET student_no = %s, student_no_index = NULL WHERE id = %s"  # noqa: S608
        for i in range(0, len(updates), 2000):
            cur.executemany(sql, updates[i : i + 2000])


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_initial"),
        ("roster", "0002_staffimport"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="student",
            name="student_no_county_unique",
        ),
        migrations.AddField(
            model_name="student",
            name="student_no_index",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="student",
            name="student_no",
            field=anxin.core.crypto.EncryptedTextField(blank=True, null=True, verbose_name="全国学籍号"),
        ),
        migrations.RunPython(encrypt_student_numbers, decrypt_student_numbers, elidable=False),
        migrations.AddConstraint(
            model_name="student",
            constraint=models.UniqueConstraint(
                fields=("county", "student_no_index"), name="student_no_index_county_unique"
            ),
        ),
    ]
