"""Chinese by default, English available (R-Q-1)."""

from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_english_catalogue_translates_every_string():
    catalog = read_po(PO.open("rb"), locale="en")
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
