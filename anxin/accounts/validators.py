"""Password policy (LAW 21; 等保 level 3 practice): length, character classes, blocklist."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Common passwords in Chinese use that Django's English list misses (pinyin, keyboard and
# number patterns). Compared case-insensitively after removing digits and symbols too.
CHINESE_BLOCKLIST = {
    "woaini",
    "woaini1314",
    "5201314",
    "1314520",
    "aini1314",
    "iloveyou",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx",
    "1q2w3e4r",
    "qazwsx",
    "abc123456",
    "a123456789",
    "aa123456789",
    "admin",
    "administrator",
    "password",
    "passw0rd",
    "p@ssw0rd",
    "anxin",
    "xuexiao",
    "jiaoyu",
    "laoshi",
    "zhongguo",
    "beijing",
    "helan",
    "ningxia",
    "welcome",
    "abcd1234",
    "qwer1234",
    "root",
    "test",
}


class CharacterClassValidator:
    """At least N of the four classes: upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int | None = None):
        self.min_classes = min_classes or settings.ANXIN_PASSWORD_MIN_CLASSES

    def validate(self, password, user=None):
        classes = sum(bool(re.search(p, password)) for p in (r"[A-Z]", r"[a-z]", r"\d", r"[^A-Za-z0-9]"))
        if classes < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中至少%(n)d类。") % {"n": self.min_classes},
                code="password_classes",
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中至少%(n)d类。") % {"n": self.min_classes}


class ChineseBlocklistValidator:
    """Refuse passwords built on a commonly used word or pattern."""

    def validate(self, password, user=None):
        lowered = password.lower()
        letters = re.sub(r"[^a-z]", "", lowered)
        digits = re.sub(r"\D", "", lowered)
        for word in CHINESE_BLOCKLIST:
            if lowered == word or (len(word) >= 5 and (word in lowered and len(lowered) - len(word) <= 4)):
                raise ValidationError(_("密码过于常见，请换一个。"), code="password_common")
        if letters and letters in CHINESE_BLOCKLIST and len(letters) >= 4:
            raise ValidationError(_("密码过于常见，请换一个。"), code="password_common")
        if digits and len(set(digits)) == 1 and len(digits) == len(lowered):
            raise ValidationError(_("密码过于常见，请换一个。"), code="password_common")

    def get_help_text(self):
        return _("不能使用常见密码。")
