"""Password policy (LAW 21): ≥ 10 characters, 3 of 4 classes, no common passwords; argon2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from anxin.accounts.services import generate_password


def codes(password: str) -> set[str]:
    try:
        validate_password(password)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


def test_policy_settings_have_the_china_defaults():
    assert settings.ANXIN_PASSWORD_MIN_LENGTH == 10
    assert settings.ANXIN_PASSWORD_MIN_CLASSES == 3
    assert settings.ANXIN_PASSWORD_MAX_AGE_DAYS == 90


def test_password_shorter_than_10_is_refused():
    assert "password_too_short" in codes("Ab3#xyzQ9")


def test_password_with_two_character_classes_is_refused():
    assert codes("abcdefgh2345") == {"password_classes"}


@pytest.mark.parametrize(
    "password", ["woaini1314", "Woaini1314!", "Aa123456789!", "Qwertyuiop1", "Helan@2026", "Ningxia#19880512"]
)
def test_chinese_common_passwords_are_refused(password):
    assert "password_common" in codes(password)


def test_django_common_password_list_is_applied():
    # three classes and ten characters, but on Django's list of common passwords
    assert codes("Liverpool1") == {"password_too_common"}


def test_repeated_digits_are_refused():
    assert "password_common" in codes("1111111111")


def test_a_good_password_passes():
    assert codes("Tq7#mRz2Lp") == set()


def test_generated_initial_passwords_pass_the_policy():
    for _ in range(20):
        assert codes(generate_password()) == set()


def test_argon2_is_a_configured_hasher():
    assert "django.contrib.auth.hashers.Argon2PasswordHasher" in settings.PASSWORD_HASHERS


def test_production_settings_hash_with_argon2_first(tmp_path):
    """Outside tests (no pytest, no ANXIN_TESTING) the first hasher is argon2 and new
    passwords are stored as argon2 hashes. Loaded in a fresh interpreter, not faked."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("ANXIN_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings", ANXIN_VAR_DIR=str(tmp_path))
    code = (
        "import sys, django; django.setup();"
        "from django.conf import settings;"
        "from django.contrib.auth.hashers import make_password;"
        "assert 'pytest' not in sys.modules and not settings.TESTING;"
        "print(settings.PASSWORD_HASHERS[0]);"
        "print(make_password('Tq7#mRz2Lp').split('$')[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    first, algorithm = out.stdout.split()
    assert first == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert algorithm == "argon2"
