import pytest

from anxin.core import audit
from anxin.core.models import AuditEvent, AuditStreamHead
from anxin.core.tasks import nightly_verify_audit


@pytest.mark.django_db
def test_nightly_verify_records_a_broken_chain_for_the_auditor():
    ev = audit.append("read", county_id=1, school_id=3)
    assert nightly_verify_audit.call_local() == 0
    AuditStreamHead.objects.filter(stream=ev.stream).update(seq=5)
    assert nightly_verify_audit.call_local() == 1
    assert AuditEvent.objects.filter(action="audit.verify", result="failed").count() == 1
