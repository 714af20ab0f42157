"""Chinese by default, English available (R-Q-1)."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

BASE = Path(settings.BASE_DIR)
# the project's catalogue and any app's own (anxin/<app>/locale/, which Django also reads)
CATALOGUES = [
    BASE / "locale" / "en" / "LC_MESSAGES" / "django.po",
    *sorted(BASE.glob("anxin/*/locale/en/LC_MESSAGES/django.po")),
]


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(BASE)))
def test_english_catalogue_translates_every_string(po):
    catalog = read_po(po.open("rb"), locale="en")
    untranslated = [
        m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, untranslated[:10]
    assert not fuzzy, fuzzy[:10]


def test_pages_are_chinese_by_default_and_english_on_request(client, db):
    zh = client.get("/accounts/login/").content.decode()
    assert "用户名或手机号" in zh
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get("/accounts/login/").content.decode()
    assert "用户名或手机号" not in en and 'lang="en"' in en
