import datetime as dt

import pytest

from anxin.core import audit, clock
from anxin.core.roles import Role
from anxin.core.testing import make_user


@pytest.fixture(autouse=True)
def _no_leaked_audit_context():
    yield
    audit.set_context(None)


@pytest.fixture
def sup(world):
    """The responsible supervisor of A1 (the world's supervisor holds a post there only)."""
    return world.user[Role.SUPERVISOR]


@pytest.fixture
def leader(world):
    return world.user[Role.SAFETY_LEADER]


@pytest.fixture
def bureau(world):
    return world.user[Role.BUREAU_SAFETY]


@pytest.fixture
def sup_a2(world):
    """A supervisor assigned to A2 only."""
    return make_user("a_sup2", world.county_a, Role.SUPERVISOR, world.school_a2)


def pdf_upload(name="整改照片.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


@pytest.fixture
def visit(world, sup):
    from anxin.supervision import services

    return services.plan_visit(sup, world.school_a1, planned_on=clock.today(), purpose="防欺凌专项督导")


def score_all(by, visit, value=None, findings="宿舍区夜间巡查记录不全。"):
    from anxin.supervision import services

    values = {
        s.pk: (str(s.weight if value is None else min(value, s.weight)), "") for s in visit.scores.all()
    }
    return services.save_scores(by, visit, values, {"findings": findings})


def in_days(n):
    return clock.today() + dt.timedelta(days=n)
