"""What the campaign pages share: the schools a user may look at, and the school in view."""

from __future__ import annotations

from django.http import Http404

from anxin.core import audit, policy
from anxin.core.listing import current_school_id


def visible_schools(user, perm: str = "campaigns.campaign.view"):
    """Active schools of the user's county the user may look at for ``perm`` (the bureau:
    every school; a school's leaders: their own)."""
    from anxin.org.models import School

    ids = policy.schools_for(user, perm)
    qs = School.objects.filter(county_id=user.county_id, active=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.order_by("town", "name")


def school_in_view(request, perm: str = "campaigns.campaign.view"):
    """The school a page is about: ``?school=`` (checked), else the top-bar choice, else the
    user's own school when there is exactly one. None for a county user who chose none."""
    schools = visible_schools(request.user, perm)
    raw = request.GET.get("school") or current_school_id(request)
    if raw:
        try:
            school = schools.filter(pk=int(raw)).first()
        except (TypeError, ValueError):
            school = None
        if school is None:
            audit.append(
                "denied",
                object_type="org.school",
                object_id=str(raw)[:64],
                result="denied",
                data={"perm": perm},
            )
            raise Http404
        return school
    own = list(schools[:2])
    return own[0] if len(own) == 1 and policy.schools_for(request.user, perm) is not None else None
