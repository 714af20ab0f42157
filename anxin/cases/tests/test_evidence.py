"""Evidence uploads (R-Q-4): size and type checked by content; refused with a reason; stored
whole or not at all."""

from __future__ import annotations

import base64
import hashlib
import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from anxin.cases import services, timeline
from anxin.cases.models import Evidence

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def test_png_and_pdf_evidence_is_stored_with_hash(new_case, mm, media):
    case = new_case()
    ev = services.upload_evidence(
        case, by=mm, upload=SimpleUploadedFile("现场照片.png", PNG), description="现场"
    )
    assert ev.content_type == "image/png" and ev.size == len(PNG) and len(ev.sha256) == 64
    assert "现场照片" not in ev.file.name  # no names in paths
    services.upload_evidence(case, by=mm, upload=SimpleUploadedFile("记录.pdf", PDF))
    assert case.evidence.count() == 2 and len(_files(media)) == 2
    assert case.events.filter(kind="evidence").count() == 2


def test_upload_with_the_wrong_content_is_refused_whatever_its_name(new_case, mm, media):
    case = new_case()
    with pytest.raises(ValidationError, match="无法识别文件类型"):
        services.upload_evidence(
            case, by=mm, upload=SimpleUploadedFile("photo.png", b"just some text, not a png")
        )
    exe = b"MZ" + b"\x00" * 64 + b"PE\x00\x00" + os.urandom(64)
    with pytest.raises(ValidationError, match="不支持的文件类型"):
        services.upload_evidence(case, by=mm, upload=SimpleUploadedFile("photo.jpg", exe))
    assert not Evidence.objects.exists() and _files(media) == []


def test_upload_too_big_is_refused(new_case, mm, media, settings):
    settings.ANXIN_CASES = {"EVIDENCE_MAX_BYTES": 1024}
    case = new_case()
    big = PNG + b"\x00" * 2048
    with pytest.raises(ValidationError, match="文件过大"):
        services.upload_evidence(case, by=mm, upload=SimpleUploadedFile("big.png", big))
    assert not Evidence.objects.exists() and _files(media) == []


def test_failed_upload_leaves_no_row_no_event_and_no_file(new_case, mm, media, monkeypatch):
    case = new_case()
    events = case.events.count()

    def broken(*a, **k):
        raise RuntimeError("database went away")

    monkeypatch.setattr(timeline, "compute_hash", broken)
    with pytest.raises(RuntimeError):
        services.upload_evidence(case, by=mm, upload=SimpleUploadedFile("a.png", PNG))
    assert not Evidence.objects.exists() and case.events.count() == events
    assert _files(media) == []


def test_upload_page_refuses_with_the_reason(new_case, mm, as_user, media):
    case = new_case()
    c = as_user(mm)
    url = reverse("cases:case_step", args=[case.pk, "evidence"])
    resp = c.post(url, {"file": SimpleUploadedFile("x.png", b"not an image"), "version": case.version})
    assert resp.status_code == 200 and "无法识别文件类型" in resp.content.decode()
    resp = c.post(
        url, {"file": SimpleUploadedFile("x.png", PNG), "description": "照片", "version": case.version}
    )
    assert resp.status_code == 302 and case.evidence.count() == 1
    ev = case.evidence.get()
    download = c.get(reverse("cases:evidence_download", args=[case.pk, ev.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    # the stored photo is re-encoded (no metadata): same pixels, the hash and size recorded
    assert Image.open(io.BytesIO(body)).tobytes() == Image.open(io.BytesIO(PNG)).tobytes()
    assert hashlib.sha256(body).hexdigest() == ev.sha256 and len(body) == ev.size
    assert download["Content-Length"] == str(ev.size)


def test_case_evidence_photos_lose_their_metadata_and_are_encrypted_at_rest(new_case, mm, as_user, media):
    import stat

    from anxin.core import filecrypt
    from anxin.intake.tests.conftest import jpeg_with_exif

    case = new_case()
    data = jpeg_with_exif()
    assert b"PhoneModel-XYZ" in data
    ev = services.upload_evidence(case, by=mm, upload=SimpleUploadedFile("IMG_1.jpg", data))
    path = media / ev.file.name
    raw = path.read_bytes()
    assert raw.startswith(filecrypt.MAGIC) and b"PhoneModel-XYZ" not in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    download = as_user(mm).get(reverse("cases:evidence_download", args=[case.pk, ev.pk]))
    body = b"".join(download.streaming_content)
    assert b"PhoneModel-XYZ" not in body and not Image.open(io.BytesIO(body)).getexif()
    assert hashlib.sha256(body).hexdigest() == ev.sha256
    # a file stored in clear before encryption still downloads
    path.write_bytes(PNG)
    download = as_user(mm).get(reverse("cases:evidence_download", args=[case.pk, ev.pk]))
    assert b"".join(download.streaming_content) == PNG


def test_case_evidence_pdf_is_kept_as_it_is_but_encrypted(new_case, mm):
    from anxin.core import filecrypt

    case = new_case()
    ev = services.upload_evidence(case, by=mm, upload=SimpleUploadedFile("记录.pdf", PDF))
    assert ev.file.name.endswith(".pdf") and filecrypt.read_plain(ev.file) == PDF
    with ev.file.open("rb") as fh:
        assert b"%PDF" not in fh.read()


def test_case_evidence_bombs_and_endless_videos_are_refused(new_case, mm, media):
    from anxin.intake.tests.test_decode_limits import hostile_gif, png_bomb, video_claiming

    case = new_case()
    with pytest.raises(ValidationError, match="图片尺寸过大"):
        services.upload_evidence(case, by=mm, upload=SimpleUploadedFile("b.png", png_bomb()))
    with pytest.raises(ValidationError, match="视频太长"):
        services.upload_evidence(case, by=mm, upload=SimpleUploadedFile("v.mp4", video_claiming(3_000_000)))
    assert not Evidence.objects.exists() and _files(media) == []
    ev = services.upload_evidence(case, by=mm, upload=SimpleUploadedFile("a.gif", hostile_gif(2000)))
    assert getattr(Image.open(io.BytesIO(filecrypt_plain(ev))), "n_frames", 1) == 1


def filecrypt_plain(ev) -> bytes:
    from anxin.core import filecrypt

    return filecrypt.read_plain(ev.file)


def test_case_evidence_survives_a_key_rotation(new_case, mm, as_user, settings):
    import io as _io

    from django.core.management import call_command

    old = settings.FIELD_ENCRYPTION_KEYS[0]  # the key the test world was written with
    case = new_case()
    ev = services.upload_evidence(case, by=mm, upload=SimpleUploadedFile("记录.pdf", PDF))
    settings.FIELD_ENCRYPTION_KEYS = ["new-evidence-key", old]
    call_command("rotate_keys", stdout=_io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = ["new-evidence-key"]
    download = as_user(mm).get(reverse("cases:evidence_download", args=[case.pk, ev.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
