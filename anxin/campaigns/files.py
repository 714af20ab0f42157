"""Files of campaign evidence and articles: type checked by content, images re-encoded without
their metadata, size-limited, stored encrypted (core.filecrypt) under random names."""

from __future__ import annotations

import io

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from anxin.core import filecrypt

IMAGES = {"image/jpeg": ("JPEG", "jpg"), "image/png": ("PNG", "png")}
DOCUMENTS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
MAX_PIXELS = 40_000_000


def check(uploads, *, images_only: bool = False) -> list[tuple[ContentFile, str, str, str]]:
    """(content, mime, extension, original name) for each upload, or a ValidationError."""
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > MAX_FILES:
        raise ValidationError({"files": _("一次最多上传 %(n)d 个文件。") % {"n": MAX_FILES}})
    out = []
    for i, up in enumerate(uploads, 1):
        if up.size > MAX_BYTES:
            raise ValidationError({"files": _("第 %(i)d 个文件超过 10 MB。") % {"i": i}})
        data = up.read()
        kind = filetype.guess(data)
        mime = kind.mime if kind else ""
        if mime in IMAGES:
            fmt, ext = IMAGES[mime]
            try:
                with Image.open(io.BytesIO(data)) as im:
                    if im.width * im.height > MAX_PIXELS:
                        raise ValidationError({"files": _("第 %(i)d 张图片尺寸过大。") % {"i": i}})
                    im = ImageOps.exif_transpose(im)
                    buf = io.BytesIO()
                    (im.convert("RGB") if fmt == "JPEG" else im).save(buf, fmt)
                    data = buf.getvalue()
            except ValidationError:
                raise
            except Exception as exc:  # noqa: BLE001 — any decoder error means a bad file
                raise ValidationError({"files": _("第 %(i)d 个文件不是有效的图片。") % {"i": i}}) from exc
        elif mime in DOCUMENTS and not images_only:
            ext = DOCUMENTS[mime]
        else:
            raise ValidationError(
                {
                    "files": _("第 %(i)d 个文件格式不支持：只能上传 JPG、PNG 图片。") % {"i": i}
                    if images_only
                    else _("第 %(i)d 个文件格式不支持：只能上传 JPG、PNG、PDF、Word 或 Excel 文件。")
                    % {"i": i}
                }
            )
        out.append((ContentFile(data), mime, ext, (up.name or f"file.{ext}")[:200]))
    return out


def save(attachment, content: ContentFile, ext: str) -> None:
    attachment.size = content.size
    attachment.file.save(f"file.{ext}", filecrypt.encrypted_file(content), save=False)
    attachment.save()


def read(attachment) -> bytes:
    return filecrypt.read_plain(attachment.file)
