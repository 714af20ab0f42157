"""The investigation (R-CASE-3): statements, the five facts and findings, evidence files
(checked by content, cleaned of metadata, encrypted at rest; R-Q-4)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext

from anxin.cases.law import settings as law_settings
from anxin.cases.models import (
    Evidence,
    Investigation,
    SpeakerKind,
    Statement,
)
from anxin.cases.services._common import Refused, _acting, _event
from anxin.core import filecrypt

# --- investigation ---------------------------------------------------------------------------


def record_statement(
    case,
    *,
    by,
    speaker_kind: str,
    content: str,
    taken_at: dt.datetime,
    party=None,
    speaker: str = "",
    expected_version: int | None = None,
) -> Statement:
    """A statement (R-CASE-3). A class teacher may add them to cases of own students."""
    if speaker_kind not in SpeakerKind.values:
        raise Refused("请选择陈述人类别")
    if not content.strip():
        raise Refused("请填写陈述内容")
    with _acting(case, by, ["change", "statement"], step="statement", expected_version=expected_version) as c:
        if party is not None and party.case_id != c.pk:
            raise Refused("当事人不属于本案")
        s = Statement.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            party=party,
            speaker_kind=speaker_kind,
            speaker=speaker.strip(),
            content=content.strip(),
            taken_at=taken_at,
            taken_by=by,
        )
        _event(c, "statement", f"询问笔录：{SpeakerKind(speaker_kind).label}", by, data={"id": s.pk})
        return s


def update_investigation(case, *, by, expected_version: int | None = None, **facts) -> Investigation:
    """The five facts (时间、地点、起因、过程、涉及人员) and the findings (R-CASE-3)."""
    allowed = set(Investigation.FACTS) | {"findings"}
    with _acting(case, by, "change", step="investigation", expected_version=expected_version) as c:
        inv = Investigation.objects.get(case=c)
        changed = []
        for k, v in facts.items():
            if k not in allowed:
                raise Refused(f"不能修改：{k}")
            if getattr(inv, k) != (v or ""):
                setattr(inv, k, v or "")
                changed.append(k)
        if changed:
            inv.save(update_fields=changed + ["updated_at"])
            labels = "、".join(str(Investigation._meta.get_field(f).verbose_name) for f in changed)
            _event(c, "investigation", f"调查情况：{labels}", by, data={"fields": changed})
        return inv


# --- evidence ----------------------------------------------------------------------------------


def check_upload(upload) -> str:
    """The content type of an evidence upload, checked by content (R-Q-4); refuses with a reason."""
    import filetype

    limit = law_settings.get("EVIDENCE_MAX_BYTES")
    if upload.size is None or upload.size == 0:
        raise Refused("文件为空")
    if upload.size > limit:
        raise Refused(f"文件过大（{upload.size / 1048576:.1f} MB），不能超过 {limit // 1048576} MB")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    allowed = set(law_settings.get("EVIDENCE_TYPES"))
    if kind is None:
        raise Refused("无法识别文件类型：请上传图片、PDF、音频或视频文件")
    if kind.mime not in allowed:
        raise Refused(f"不支持的文件类型（按内容识别为 {kind.mime}）：请上传图片、PDF、音频或视频文件")
    return kind.mime


def _clean_evidence(upload, mime: str) -> tuple[Any, str]:
    """The content to store and its type: photos re-encoded without their metadata (EXIF/GPS)
    and with the decode limits of report photos (``intake.uploads``: one frame, pixel cap;
    HEIC kept as JPEG), phone videos with their metadata boxes blanked and their duration
    capped; PDF and audio as they are."""
    from django.core.files.base import ContentFile

    from anxin.intake import uploads, video

    target = uploads.CONVERTED.get(mime, mime)
    if target in uploads.IMAGE_TYPES:
        try:
            data = uploads.reencode(upload, uploads.IMAGE_TYPES[target])
        except ValidationError as exc:
            raise Refused(exc.messages) from exc
        except Exception as exc:  # noqa: BLE001 — any decoder error means a bad file
            raise Refused(gettext("文件已损坏或不是有效的图片。")) from exc
        return ContentFile(data), target
    if mime in video.ISO_TYPES:
        try:
            uploads.check_duration(upload, mime, 1)
            content, _blanked = video.strip_metadata(upload)
        except ValidationError as exc:
            raise Refused(exc.messages) from exc
        except video.Malformed as exc:
            raise Refused(gettext("文件已损坏或不是有效的视频。")) from exc
        return content, mime
    return upload, mime


def upload_evidence(
    case, *, by, upload, description: str = "", expected_version: int | None = None
) -> Evidence:
    """Store an evidence file whole or not at all: a failure after the file was written removes it.
    Stored without metadata (``_clean_evidence``) and encrypted (``core.filecrypt``); size and
    hash are those of the stored content, what a download gives back."""
    mime = check_upload(upload)
    content, mime = _clean_evidence(upload, mime)
    digest = hashlib.sha256()
    content.seek(0)
    size = 0
    for chunk in iter(lambda: content.read(65536), b""):
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    stored: list[str] = []
    try:
        with _acting(case, by, "change", step="evidence", expected_version=expected_version) as c:
            ev = Evidence(
                county_id=c.county_id,
                school_id=c.school_id,
                case=c,
                original_name=(upload.name or "")[:200],
                content_type=mime,
                size=size,
                sha256=digest.hexdigest(),
                description=description[:200],
                uploaded_by=by,
            )
            ext = _evidence_ext(mime, upload.name)
            ev.file.save(f"file.{ext}", filecrypt.encrypted_file(content), save=False)
            stored.append(ev.file.name)
            ev.save()
            _event(
                c,
                "evidence",
                f"上传证据材料（{mime}，{size} 字节）",
                by,
                data={"id": ev.pk, "sha256": ev.sha256},
            )
            return ev
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _evidence_ext(mime: str, name: str | None) -> str:
    """File extension of a stored evidence file: from its (checked) type, else the uploaded name."""
    from anxin.intake import uploads

    ext = uploads._EXT.get(mime)
    if ext:
        return ext
    return (name or "").rsplit(".", 1)[-1].lower()[:8] if "." in (name or "") else "bin"
