import io

import pytest
from docx import Document

from anxin.core import audit
from anxin.core.roles import Role


@pytest.fixture(autouse=True)
def _no_leaked_audit_context():
    yield
    audit.set_context(None)


@pytest.fixture
def leader(world):
    return world.user[Role.SAFETY_LEADER]


@pytest.fixture
def principal(world):
    return world.user[Role.PRINCIPAL]


@pytest.fixture
def bureau(world):
    return world.user[Role.BUREAU_SAFETY]


def docx_upload(name="制度.docx", text="本校欺凌防治工作制度"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = Document()
    doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="application/octet-stream")


def pdf_upload(name="佐证.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


@pytest.fixture
def closed_case(world):
    """A severe case at A1 taken to closure (reported, so the bureau reads it)."""
    from anxin.cases import scenarios
    from anxin.cases.models import CaseState

    scenarios.constitute(world.school_a1, world.user[Role.PRINCIPAL])
    mm = world.user[Role.MIDDLE_MANAGER]
    case = scenarios.open_simple(
        world.school_a1, mm, victim=world.student_own, bully=world.student_other_class
    )
    scenarios.drive(case, mm, CaseState.CLOSED, result="severe", leader=world.user[Role.SAFETY_LEADER])
    case.refresh_from_db()
    return case
