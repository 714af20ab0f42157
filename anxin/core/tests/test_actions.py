"""core.actions: apps offer actions on other apps' record pages."""

from types import SimpleNamespace

from anxin.core import actions


class _Meta:
    label = "tests.Thing"


class Thing:
    _meta = _Meta()

    def __init__(self, ok):
        self.ok = ok


def test_providers_offer_actions_per_record_and_user():
    def offer(user, obj):
        return actions.Action("做点什么", "/x/") if obj.ok and user.is_authenticated else None

    actions.register("tests.Thing", offer)
    actions.register("tests.Thing", offer)  # registering twice offers once
    user = SimpleNamespace(is_authenticated=True)
    assert actions.for_record(user, Thing(True)) == [actions.Action("做点什么", "/x/")]
    assert actions.for_record(user, Thing(False)) == []
    assert actions.for_record(SimpleNamespace(is_authenticated=False), Thing(True)) == []
    assert actions.for_record(user, None) == []
