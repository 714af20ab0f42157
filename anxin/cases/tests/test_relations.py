"""core.relations.nonempty, as the case page uses it: which of a case's lists have rows, in one query."""

from __future__ import annotations

import pytest

from anxin.cases import scenarios
from anxin.cases.models import BullyingCase
from anxin.core import relations


def test_finds_the_lists_with_rows_in_one_query(cw, mm, django_assert_num_queries):
    case = scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=cw.student_other_class)
    case = BullyingCase.objects.get(pk=case.pk)
    with django_assert_num_queries(1):
        found = relations.nonempty(case, ("parties", "events", "appeals", "investigation", "notes"))
    assert found == {"parties", "events"}
    # the absent one-to-one is remembered as absent, as Django does after a lookup finds nothing
    with django_assert_num_queries(0):
        assert not hasattr(case, "investigation")


def test_a_row_added_is_found(cw, mm):
    case = scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=cw.student_other_class)
    assert "notes" not in relations.nonempty(case, ("notes",))
    case.notes.create(county=case.county, school=case.school, author=mm, text="补充说明")
    assert relations.nonempty(BullyingCase.objects.get(pk=case.pk), ("notes",)) == {"notes"}
    # another case's rows are not this case's
    other = scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=cw.student_other_class)
    assert relations.nonempty(other, ("notes",)) == set()


def test_refuses_what_is_not_a_reverse_relation(cw, mm):
    case = scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=cw.student_other_class)
    with pytest.raises(ValueError):
        relations.nonempty(case, ("owner",))
