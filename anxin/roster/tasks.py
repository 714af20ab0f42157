"""Background work of the roster: committing an import (R-ORG-6). A 50,000-row file takes
longer than a web request should, so the report page shows the status (queued → done/failed)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from anxin.core import audit

log = logging.getLogger(__name__)


@db_task()
def run_import(import_id: int, only_valid: bool, user_id: int) -> str:
    """Commit one validated import as the user who asked for it; a refusal or a failure
    is kept on the record (status ``failed``) with a Chinese message. Logs carry ids only."""
    from anxin.accounts.models import User
    from anxin.roster.models import RosterImport
    from anxin.roster.services import commit_import

    ri = RosterImport.objects.select_related("school").get(pk=import_id)
    user = User.objects.get(pk=user_id)
    token = audit.set_context(audit.context_for_user(user))
    try:
        commit_import(ri, only_valid, user)
        return RosterImport.Status.DONE
    except (ValidationError, PermissionDenied) as exc:
        message = (
            "；".join(exc.messages) if isinstance(exc, ValidationError) else gettext("无权导入该学校的名册。")
        )
        _fail(import_id, message)
        return RosterImport.Status.FAILED
    except Exception as exc:  # not re-raised: the queue's own log would print the message,
        # which for a database error can quote the row's values (personal data)
        log.error("roster import %s failed: %s", import_id, type(exc).__name__)
        _fail(import_id, gettext("导入失败（系统错误），未写入任何数据。请稍后重试或联系管理员。"))
        return RosterImport.Status.FAILED
    finally:
        audit.reset_context(token)


def _fail(import_id: int, message: str) -> None:
    from anxin.roster.models import RosterImport

    ri = RosterImport.objects.get(pk=import_id)
    ri.status = RosterImport.Status.FAILED
    ri.finished_at = timezone.now()
    ri.result = {**(ri.result or {}), "error": message}
    ri.save(update_fields=["status", "finished_at", "result"])


@db_periodic_task(crontab(minute="23"))
def purge_uploaded_rosters(max_age_hours: int = 24) -> int:
    """Uploaded roster files hold ID numbers: keep each only while an import still needs it
    (validated or queued, and younger than a day), then delete it (PIPL 19: no longer than
    necessary). A later commit of an old report asks for the file again. Idempotent."""
    from datetime import timedelta
    from pathlib import Path

    from django.conf import settings

    from anxin.roster.models import RosterImport

    cutoff = timezone.now() - timedelta(hours=max_age_hours)
    keep = set(
        RosterImport.objects.filter(
            status__in=[RosterImport.Status.VALIDATED, RosterImport.Status.QUEUED], created_at__gte=cutoff
        ).values_list("stored_path", flat=True)
    )
    folder = Path(settings.MEDIA_ROOT) / "imports"
    removed = 0
    for path in folder.glob("*.xlsx") if folder.is_dir() else ():
        if f"imports/{path.name}" not in keep:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
