"""Files of this app (evidence, document versions): type checked by content, size limited,
stored encrypted under a random name (core.filecrypt), served decrypted and audited."""

from __future__ import annotations

import hashlib
import io
import secrets

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from anxin.core import audit, filecrypt

MAX_BYTES = 20 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES = {
    "pdf": "application/pdf",
    "docx": DOCX,
    "xlsx": XLSX,
    "jpg": "image/jpeg",
    "png": "image/png",
}


def sniff(head: bytes, name: str) -> str | None:
    """The file's extension from its first bytes (a .docx and a .xlsx are both zip files: the
    name tells them apart); None for anything else."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        ext = (name or "").rsplit(".", 1)[-1].lower()
        return ext if ext in ("docx", "xlsx") else None
    return None


def store(obj, upload, field: str = "file", *, kinds: tuple[str, ...] = tuple(TYPES)) -> None:
    """Check ``upload`` and put it, encrypted, on ``obj`` (not saved: the caller saves)."""
    if upload is None:
        raise ValidationError({field: _("请选择文件。")})
    size = getattr(upload, "size", None)
    if size is None or size > MAX_BYTES:
        raise ValidationError({field: _("文件不能超过 20MB。")})
    upload.seek(0)
    ext = sniff(upload.read(8), upload.name)
    if ext is None or ext not in kinds:
        raise ValidationError(
            {field: _("文件类型不支持，请上传：%(kinds)s。") % {"kinds": "、".join(k.upper() for k in kinds)}}
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    obj.original_name = (upload.name or f"file.{ext}")[-200:]
    obj.content_type = TYPES[ext]
    obj.size = size
    obj.sha256 = digest.hexdigest()
    obj.file.save(f"{secrets.token_hex(16)}.{ext}", filecrypt.encrypted_file(upload), save=False)


def store_bytes(obj, content: bytes, name: str) -> None:
    buf = io.BytesIO(content)
    buf.name = name
    buf.size = len(content)
    store(obj, buf)


def download(obj, *, filename: str, view: str) -> FileResponse:
    """The decrypted file as an attachment; the read is audited."""
    if not obj.file:
        raise Http404
    try:
        fh = filecrypt.open_plain(obj.file)
    except (OSError, filecrypt.Damaged):
        raise Http404 from None
    audit.record("read", obj, data={"view": view})
    ext = obj.file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        fh, content_type=obj.content_type, as_attachment=True, filename=f"{filename}.{ext}"
    )
    response["Content-Length"] = str(fh.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response
