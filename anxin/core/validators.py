"""Validators shared by forms, imports and the API, with Chinese messages."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1\d{10}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
NAME_RE = re.compile(r"^[\u3400-\u9fffA-Za-z·•\. ]{1,50}$")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_phone(value: str) -> bool:
    return bool(MOBILE_RE.match(value) or LANDLINE_RE.match(value))


def validate_phone(value: str) -> None:
    if value and not is_phone(value):
        raise ValidationError(_("电话号码格式错误：手机号为1开头的11位数字，固定电话如0951-1234567。"))


def validate_person_name(value: str) -> None:
    if not NAME_RE.match(value.strip()):
        raise ValidationError(_("姓名须为1至50个汉字或字母，可含“·”。"))


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_check_digit(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a 居民身份证 number (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(body17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def is_valid_resident_id(value: str) -> bool:
    value = value.upper()
    return bool(re.fullmatch(r"\d{17}[\dX]", value)) and id_check_digit(value[:17]) == value[17]


def mask_id(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 10:
        return value[:2] + "*" * (len(value) - 2)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def excel_safe(value):
    """Neutralise spreadsheet formula injection: text that Excel would run as a formula is
    exported with a leading apostrophe, so it stays text (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
