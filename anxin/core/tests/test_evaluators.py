"""The campaign evaluator registry (core.evaluators): registration, defaults, every school answered."""

import datetime as dt
from types import SimpleNamespace

import pytest

from anxin.core import evaluators

WINDOW = evaluators.Window(dt.date(2026, 3, 1), dt.date(2026, 4, 15))


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(evaluators, "_EVALUATORS", {})
    monkeypatch.setattr(evaluators, "_DISCOVERED", True)
    return evaluators._EVALUATORS


def test_registered_evaluator_answers_for_every_school_with_merged_params(registry):
    seen = {}

    @evaluators.evaluator("t.count", "至少 N 次", params={"min_count": 2})
    def count(schools, window, params):
        seen.update(params)
        return {schools[0].pk: evaluators.Outcome(True, "2/2")}

    schools = [SimpleNamespace(pk=1), SimpleNamespace(pk=2)]
    got = evaluators.get("t.count").evaluate(schools, WINDOW, {"min_count": 3})
    assert seen == {"min_count": 3}
    assert got[1].done and got[1].detail == "2/2"
    # a school the evaluator did not answer for has not done it
    assert got[2] == evaluators.Outcome(False)
    assert evaluators.choices() == [("t.count", "至少 N 次")]


def test_same_key_twice_is_refused(registry):
    evaluators.evaluator("t.x", "x")(lambda s, w, p: {})
    with pytest.raises(ValueError):
        evaluators.evaluator("t.x", "x")(lambda s, w, p: {})


def test_unknown_key_is_none(registry):
    assert evaluators.get("nope") is None
