import pytest

from anxin.core.testing import build_world, login


@pytest.fixture(autouse=True)
def _fresh_caches():
    """No cached value (rate-limit counters, queued-batch marks, the public pages' school
    lookups) outlives its test: database rows are rolled back, caches are not."""
    from django.core.cache import cache

    from anxin.core import sqlcache
    from anxin.intake.public_views import forget_public_schools

    cache.clear()
    forget_public_schools()
    sqlcache.clear()  # (keyed by ids a rolled-back test may hand out again)
    yield
    cache.clear()
    forget_public_schools()
    sqlcache.clear()


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path):
    """Each test has its own audit checkpoint files: database rows are rolled back, files
    are not, and a checkpoint of rolled-back streams would read as tampering."""
    settings.ANXIN_AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"


@pytest.fixture(autouse=True)
def _default_language():
    """A request with the English cookie activates English for the thread (LocaleMiddleware
    does not switch back): no test inherits the language of the one before it."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


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
