"""The school's 防治学生欺凌工作领导小组 (R-ORG-8; seed 四(一) 加强组织领导), read from the posts
people hold (accounts memberships), never typed twice: the principal chairs it, the safety
leader is deputy, the other leadership posts are members, and its office sits with the 德育
(政教) office, run by its director."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from anxin.core.roles import Role

CHAIR = (Role.PRINCIPAL,)
DEPUTY = (Role.SAFETY_LEADER,)
MEMBERS = (Role.MIDDLE_MANAGER, Role.COUNSELLOR, Role.LEGAL_VP)
OFFICE = (Role.MIDDLE_MANAGER,)
ROLES = tuple(dict.fromkeys(CHAIR + DEPUTY + MEMBERS))


@dataclass(frozen=True)
class Seat:
    name: str
    post: str
    user_id: int


@dataclass
class LeadingGroup:
    chair: list[Seat] = field(default_factory=list)
    deputies: list[Seat] = field(default_factory=list)
    members: list[Seat] = field(default_factory=list)
    office: list[Seat] = field(default_factory=list)

    @property
    def formed(self) -> bool:
        """A chair, a deputy and an office director: the group can meet and act."""
        return bool(self.chair and self.deputies and self.office)

    @property
    def missing(self) -> list[str]:
        out = []
        if not self.chair:
            out.append(str(_("组长（校长）")))
        if not self.deputies:
            out.append(str(_("副组长（分管安全副校长）")))
        if not self.office:
            out.append(str(_("办公室主任（德育/政教主任）")))
        return out

    def rows(self) -> list[tuple[str, Seat]]:
        out = [(str(_("组长")), s) for s in self.chair]
        out += [(str(_("副组长")), s) for s in self.deputies]
        out += [(str(_("成员")), s) for s in self.members]
        return out


def groups(schools: Iterable) -> dict[int, LeadingGroup]:
    """Each school's leading group, one query for all schools."""
    from anxin.accounts.models import Membership

    schools = list(schools)
    out: dict[int, LeadingGroup] = defaultdict(LeadingGroup)
    rows = (
        Membership.objects.active()
        .filter(user__is_active=True, school__in=schools, role__in=list(ROLES))
        .select_related("user")
        .order_by("started_on", "pk")
    )
    seen: set[tuple[int, int, str]] = set()
    for m in rows:
        seat = Seat(str(m.user), m.title or str(Role(m.role).label), m.user_id)
        g = out[m.school_id]
        for roles, seats, tag in (
            (CHAIR, g.chair, "chair"),
            (DEPUTY, g.deputies, "deputy"),
            (MEMBERS, g.members, "member"),
            (OFFICE, g.office, "office"),
        ):
            key = (m.school_id, m.user_id, tag)
            if m.role in roles and key not in seen:
                seen.add(key)
                seats.append(seat)
    return {s.pk: out[s.pk] for s in schools}


def group_of(school) -> LeadingGroup:
    return groups([school])[school.pk]
