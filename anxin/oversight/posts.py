"""The state of a school's supervision posts: shifts, gaps (a shift without a member of staff,
or a post with no shift at all) and hazard points without a working camera. A fixed number
of queries for any number of posts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from anxin.oversight.models import Post, PostShift


@dataclass
class PostState:
    post: Post
    shifts: list[PostShift] = field(default_factory=list)
    no_camera: bool = False

    @property
    def unstaffed(self) -> list[PostShift]:
        return [s for s in self.shifts if s.staff_id is None]

    @property
    def gaps(self) -> list[str]:
        out = []
        if not self.shifts:
            out.append(_("未安排值岗"))
        out += [_("%(shift)s 无教职工值岗") % {"shift": s} for s in self.unstaffed]
        return out

    @property
    def staffed(self) -> bool:
        return bool(self.shifts) and not self.unstaffed


def cameraless_hazards(hazard_ids) -> set[int]:
    """Hazard points among ``hazard_ids`` no working camera covers."""
    from django.apps import apps

    HazardPoint = apps.get_model("screening", "HazardPoint")
    return set(
        HazardPoint.objects.filter(pk__in=list(hazard_ids))
        .annotate(n=Count("cameras", filter=Q(cameras__working=True)))
        .filter(n=0)
        .values_list("pk", flat=True)
    )


def states(posts) -> list[PostState]:
    posts = list(posts)
    shifts: dict[int, list[PostShift]] = defaultdict(list)
    for s in PostShift.objects.filter(post__in=posts).select_related(
        "staff", "officer__student", "officer__klass"
    ):
        shifts[s.post_id].append(s)
    bare = cameraless_hazards({p.hazard_id for p in posts if p.hazard_id})
    return [PostState(p, shifts[p.pk], p.hazard_id in bare) for p in posts]


def gap_counts(school_ids) -> dict[int, tuple[int, int]]:
    """Per school: (active posts, posts fully staffed) — one query."""
    rows = (
        Post.objects.filter(school_id__in=list(school_ids), active=True)
        .annotate(n=Count("shifts"), bare=Count("shifts", filter=Q(shifts__staff__isnull=True)))
        .values_list("school_id", "n", "bare")
    )
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for sid, n, bare in rows:
        out[sid][0] += 1
        if n and not bare:
            out[sid][1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}
