import pytest

from anxin.core.testing import build_world, login


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def as_user(client):
    """``as_user(user)`` logs the test client in as ``user`` and returns the client."""

    def _as(user):
        client.logout()
        login(client, user)
        return client

    return _as
