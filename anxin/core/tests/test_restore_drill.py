"""The restore drill (R-Q-5; docs/operations.md): back up, restore into a fresh database, verify
the audit chain and compare row counts per table; non-zero exit on any mismatch.
PostgreSQL only (pg_dump/pg_restore), run in the PostgreSQL leg of ``make test``."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from anxin.core.management.commands import restore_drill


@pytest.fixture
def small_county(world, settings, tmp_path):
    """The test world plus a report with evidence on disk and a checkpoint directory."""
    if connection.vendor != "postgresql":
        pytest.skip("the restore drill uses pg_dump/pg_restore: PostgreSQL only")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "2026-12-04.json").write_text('{"head": "abc"}')
    settings.ANXIN_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    from django.core.files.uploadedfile import SimpleUploadedFile

    from anxin.intake import services
    from anxin.intake.tests.conftest import FORM, jpeg_with_exif

    photo = SimpleUploadedFile("p.jpg", jpeg_with_exif(), content_type="image/jpeg")
    services.submit_report(school=world.school_a1, data=dict(FORM), files=[photo])
    services.audit_new_reports()
    return world


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_drill_restores_a_whole_copy_and_passes(small_county, capsys, tmp_path):
    call_command("restore_drill", "--dir", str(tmp_path / "drill"))
    out = capsys.readouterr().out
    assert "审计链完整" in out and "恢复演练通过" in out
    assert (tmp_path / "drill" / "anxin.dump").stat().st_size > 0
    import tarfile

    names = tarfile.open(tmp_path / "drill" / "files.tar.gz").getnames()
    assert any(n.startswith("media/intake/") for n in names)
    assert "audit_checkpoints/2026-12-04.json" in names


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_drill_fails_loudly_when_a_table_lost_rows(small_county, monkeypatch):
    real = restore_drill._counts
    source = connection.settings_dict["NAME"]

    def lossy(db, name):
        counts = real(db, name)
        if name != source:
            counts["intake_report"] -= 1  # as if the restore had lost a report
        return counts

    monkeypatch.setattr(restore_drill, "_counts", lossy)
    with pytest.raises(CommandError, match="intake_report"):
        call_command("restore_drill")


def test_the_drill_refuses_sqlite_with_a_clear_message(db):
    if connection.vendor == "postgresql":
        pytest.skip("the refusal is for SQLite")
    with pytest.raises(CommandError, match="需要 PostgreSQL"):
        call_command("restore_drill")
