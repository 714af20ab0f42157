"""Fixtures for the reporting-channel tests: a clean rate-limit cache, a throwaway MEDIA_ROOT,
sample uploads and a helper that submits the public form like a phone would."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from anxin.intake import codes


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # caches: the root conftest clears them
    from anxin.intake import limits

    limits.local_counter.clear()  # the in-process fallback counter of the rate limits


def jpeg_with_exif(size=(64, 48)) -> bytes:
    """A small JPEG carrying EXIF (a camera model and a GPS block), as phones send them."""
    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "PhoneModel-XYZ"  # Model
    exif[0x8825] = {1: "N", 2: (38.0, 33.0, 0.0)}  # GPSInfo
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


@pytest.fixture
def photo():
    def _photo(name="photo.jpg"):
        return SimpleUploadedFile(name, jpeg_with_exif(), content_type="image/jpeg")

    return _photo


def report_url(school) -> str:
    return reverse("intake_public:report", args=[school.public_code])


def followup_url(school) -> str:
    return reverse("intake_public:followup", args=[school.public_code])


FORM = {
    "reporter_kind": "student",
    "behaviours": ["physical", "verbal"],
    "text": "初一1班有同学在厕所里推我，还骂我。",
    "place_kind": "toilet",
    "place": "三楼东边厕所",
    "occurred_period": "break",
    "repeated": "many",
    "people": "初一2班的两个男生",
    "contact": "13812345678",
}


@pytest.fixture
def submit(client):
    """POST the public report form (multipart, like a phone) and return the response."""

    def _submit(school, files=(), token=None, c=None, **overrides):
        data = {**FORM, **overrides, "token": token or codes.new_token()}
        if files:
            data["files"] = list(files)
        return (c or client).post(report_url(school), data)

    return _submit


@pytest.fixture
def submitted(world):
    """A stored anonymous report of school A1 and its follow-up code."""
    from anxin.intake import services

    result = services.submit_report(school=world.school_a1, data=dict(FORM))
    return result
