"""Staff from an import: accounts and memberships written, first passwords handed out once."""

from __future__ import annotations

import json
from collections import Counter

from django.db import transaction

from anxin.core import audit, clock, crypto
from anxin.core.roles import ROLE_SCOPE, ScopeLevel
from anxin.roster import importer
from anxin.roster.models import (
    RosterImport,
)

from .bulk import _create_classes

# --- staff --------------------------------------------------------------------------------------


def _write_staff(ri: RosterImport, parsed: importer.StaffParse, by) -> tuple[dict, list]:
    """Accounts (must change the initial password) and posts for the valid rows. Existing
    accounts (same phone, same name) only get the missing posts. Returns counts and the
    initial passwords of new accounts, shown once on the report."""
    from anxin.accounts.models import Membership, User
    from anxin.accounts.services import check_separation_of_duties, generate_password

    school = ri.school
    made, n_classes = _create_classes(school, parsed.classes_to_create)
    counts: Counter = Counter()
    counts["classes_created"] = n_classes
    users = {u.phone: u for u in User.objects.filter(phone__in={r.phone for r in parsed.rows})}
    passwords = []
    today = clock.today()
    for row in parsed.rows:
        klass_id = made[row.class_key] if row.class_key is not None else row.klass_id
        user = users.get(row.phone)
        if user is None:
            username = row.phone
            n = 1
            while User.objects.filter(username__iexact=username).exists():
                n += 1
                username = f"{row.phone}-{n}"
            user = User(
                username=username,
                real_name=row.name,
                phone=row.phone,
                county_id=school.county_id,
                must_change_password=True,
            )
            user.set_unusable_password()  # never a default password, even for an instant
            password = generate_password(user)
            user.set_password(password)
            user.save()
            users[row.phone] = user
            passwords.append({"name": row.name, "username": username, "password": password})
            counts["users_created"] += 1
        open_posts = Membership.objects.filter(
            user=user, role=row.role, school=school, klass_id=klass_id, ended_on__isnull=True
        )
        if open_posts.exists():
            counts["posts_unchanged"] += 1
            continue
        check_separation_of_duties(user, row.role)
        level = ROLE_SCOPE[row.role]
        Membership.objects.create(
            user=user,
            role=row.role,
            county_id=school.county_id,
            school=school,
            klass_id=klass_id if level == ScopeLevel.CLASS else None,
            started_on=today,
        )
        counts["posts_created"] += 1
    counts["users_existing"] = len({r.phone for r in parsed.rows}) - counts["users_created"]
    keys = ("users_created", "users_existing", "posts_created", "posts_unchanged", "classes_created")
    return {k: counts[k] for k in keys}, passwords


def take_passwords(ri: RosterImport, user) -> list[dict]:
    """The initial passwords of a staff import, for its uploader, once: they are removed
    from the record as they are read."""
    secret = (ri.result or {}).get("secret")
    if not secret or ri.uploaded_by_id != user.pk:
        return []
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=ri.pk)
        secret = (locked.result or {}).pop("secret", None)
        if not secret:
            return []
        locked.save(update_fields=["result"])
    ri.result = locked.result
    audit.record("import.passwords_shown", ri)
    try:
        return json.loads(crypto.decrypt(secret) or "[]")
    except ValueError:
        return []
