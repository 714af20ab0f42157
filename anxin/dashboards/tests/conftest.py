import pytest
from django.db import transaction


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo county with its activity (cases, reports, screening, care, campaigns), loaded
    once per module and rolled back afterwards."""
    from anxin.demo import data
    from anxin.demo.tests.test_load_demo import load
    from anxin.org.models import County

    with django_db_blocker.unblock():
        with transaction.atomic():
            load("--cases", "24", students=400, activity=True)
            yield County.objects.get(code=data.COUNTY_CODE)
            transaction.set_rollback(True)


@pytest.fixture
def as_user(client):
    from anxin.accounts.models import User
    from anxin.core.testing import login

    def go(username):
        user = User.objects.get(username=username)
        login(client, user)
        return user

    return go
