"""A detail page's own small form (core.editing.post_inline_form): the tendency entry's 复核 —
saved with a message and a redirect, refused with the form's errors kept, and not open to
someone who may only read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anxin.core.roles import Role
from anxin.screening import services
from anxin.screening.models import TendencyReview

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(world):
    return services.add_tendency(
        by=world.user[Role.SAFETY_LEADER], student=world.student_own, grounds="多次在课间推搡同学"
    )


def test_a_review_is_saved_with_a_message_and_a_redirect(world, entry, as_user):
    c = as_user(world.user[Role.SAFETY_LEADER])
    page = reverse("screening:tendency_detail", args=[entry.pk])
    data = {"outcome": "keep", "note": "本月表现好转，继续观察", "next_review": "2027-03-01"}
    r = c.post(page, data, follow=True)
    assert r.redirect_chain == [(page, 302)]
    assert "复核已记录" in r.content.decode()
    assert TendencyReview.objects.filter(entry=entry, note="本月表现好转，继续观察").exists()


def test_a_bad_review_keeps_the_page_and_its_errors(world, entry, as_user):
    c = as_user(world.user[Role.SAFETY_LEADER])
    r = c.post(reverse("screening:tendency_detail", args=[entry.pk]), {"outcome": "keep", "note": ""})
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    assert not TendencyReview.objects.filter(entry=entry).exists()


def test_someone_who_may_only_read_cannot_review(world, entry, as_user):
    from anxin.core import policy

    reader = next(
        u
        for role, u in world.user.items()
        if policy.allows(u, entry, "view") and not policy.allows(u, entry, "change")
    )
    r = as_user(reader).post(
        reverse("screening:tendency_detail", args=[entry.pk]), {"outcome": "close", "note": "x"}
    )
    assert r.status_code == 403
    assert not TendencyReview.objects.filter(entry=entry).exists()
