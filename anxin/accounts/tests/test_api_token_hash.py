"""API tokens are stored as SHA-256 digests; plaintext tokens of DRF's table are migrated
(issue 9)."""

from __future__ import annotations

import types
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from anxin.accounts.models import ApiToken
from anxin.core.roles import Role

pytestmark = pytest.mark.django_db


def test_the_migration_hashes_plaintext_tokens_and_deletes_them(world, client):
    migration = import_module("anxin.accounts.migrations.0004_api_token_hashed")
    user = world.user[Role.PRINCIPAL]
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as c:
        c.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, "
            "created timestamp with time zone)"
        )
        c.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, user.pk, timezone.now()])
    migration.hash_existing_tokens(apps, types.SimpleNamespace(connection=connection))
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM authtoken_token")
        assert c.fetchone()[0] == 0
        c.execute("DROP TABLE authtoken_token")
    token = ApiToken.objects.get(user=user)
    assert token.digest == ApiToken.digest_of(key) and token.prefix == key[:6]
    # the old key keeps working: it hashes to what is stored
    assert client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_a_deactivated_accounts_token_is_refused(world, client):
    user = world.user[Role.PRINCIPAL]
    _token, key = ApiToken.issue(user)
    assert client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Token {key}").status_code in (401, 403)
