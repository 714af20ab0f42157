"""Evidence uploads: type checked by content (``filetype``), size-limited, images re-encoded
without their metadata (EXIF holds GPS positions and phone models: identifying data an
anonymous report must not keep), videos with their metadata boxes blanked (``video``),
stored under MEDIA_ROOT with random names, encrypted (``core.filecrypt``, mode 0600).

Decoding is bounded before it starts (issue 9: a 315-byte GIF of 12 frames on a 4000×4000 canvas
took a worker from 290 MB to 1.2 GB): the canvas is checked from the header, and an animated
image (GIF, WebP, APNG) is kept as its first frame only. Evidence is a still picture; motion
comes as a video, which is never decoded here. One frame is one canvas whatever the frame count,
so the memory of a decode is bounded by ``MAX_PIXELS`` alone (about 3 bytes a pixel, twice while
the picture is turned upright: under 400 MB at the limit), and no frame count has to be walked.
Refusing animations instead would turn away a child's screenshot of a chat sticker. A video's
duration is read from its header (``video.duration_seconds``) and capped.

Files are written before the report's transaction and removed again if it fails, so a
refused or failed submission leaves neither rows nor files behind.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener

from anxin.core import filecrypt
from anxin.intake import conf, video

# image/* types are re-encoded with Pillow (format name) so only pixels are kept
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
# iPhones take photos as HEIC: decoded (pillow-heif) and kept as JPEG, which every browser shows
CONVERTED = {"image/heic": "image/jpeg", "image/heif": "image/jpeg"}
register_heif_opener()
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/3gpp", "video/webm", "video/x-m4v"}
_EXT = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/3gpp": "3gp",
    "video/webm": "webm",
    "video/x-m4v": "m4v",
}
# Pixels of the one frame decoded (a 48-megapixel phone photo passes): a decompression bomb is
# refused from its header, before any pixel is decoded.
MAX_PIXELS = 60_000_000


@dataclass
class Prepared:
    """A checked upload, ready to store."""

    content: File
    mime: str
    kind: str  # "image" | "video"
    size: int
    sha256: str

    @property
    def ext(self) -> str:
        return _EXT[self.mime]


def _sha256(f: File) -> str:
    h = hashlib.sha256()
    f.seek(0)
    for chunk in f.chunks() if hasattr(f, "chunks") else iter(lambda: f.read(65536), b""):
        h.update(chunk)
    f.seek(0)
    return h.hexdigest()


def reencode(upload, fmt: str) -> bytes:
    """Decode and write the pixels again: metadata (EXIF/GPS, XMP, ICC comments) is dropped and
    a malformed or disguised file fails here. Only the first frame of an animation is decoded
    and kept; a canvas over ``MAX_PIXELS`` is refused before decoding."""
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(upload)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValidationError(_("图片尺寸过大。")) from exc
        if img.width * img.height > MAX_PIXELS:
            raise ValidationError(_("图片尺寸过大。"))
        img.load()  # the first frame only: later frames are never read
        out = io.BytesIO()
        # the EXIF orientation goes with the metadata: turn the pixels upright first
        img = ImageOps.exif_transpose(img)
        if fmt == "JPEG" and img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        img.save(out, format=fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    return out.getvalue()


def check_duration(content, mime: str, i: int) -> None:
    """Refuse a video whose header claims more than ``conf.max_video_seconds()``."""
    if mime not in video.ISO_TYPES:
        return
    seconds = video.duration_seconds(content)
    if seconds is not None and seconds > conf.max_video_seconds():
        raise ValidationError(
            _("第 %(i)d 个视频太长：不能超过 %(min)d 分钟，请只上传一小段。")
            % {"i": i, "min": max(1, conf.max_video_seconds() // 60)}
        )


def prepare(uploads: list) -> list[Prepared]:
    """Check every upload; raise ValidationError (Chinese, naming the file by its position)
    for the first one refused."""
    if len(uploads) > conf.max_files():
        raise ValidationError(_("最多上传 %(n)d 个文件。") % {"n": conf.max_files()})
    prepared = []
    for i, upload in enumerate(uploads, start=1):
        upload.seek(0)
        head = upload.read(2048)
        upload.seek(0)
        kind = filetype.guess(head)
        mime = kind.mime if kind else ""
        size = upload.size or 0
        mime = CONVERTED.get(mime, mime)
        if mime in IMAGE_TYPES:
            if size > conf.max_image_bytes():
                raise ValidationError(
                    _("第 %(i)d 个文件太大：图片不能超过 %(mb)d MB。")
                    % {"i": i, "mb": conf.max_image_bytes() // (1024 * 1024)}
                )
            try:
                data = reencode(upload, IMAGE_TYPES[mime])
            except ValidationError:
                raise
            except Exception as exc:  # noqa: BLE001 — any decoder error means a bad file
                raise ValidationError(_("第 %(i)d 个文件已损坏或不是有效的图片。") % {"i": i}) from exc
            content = ContentFile(data)
            prepared.append(Prepared(content, mime, "image", len(data), hashlib.sha256(data).hexdigest()))
        elif mime in VIDEO_TYPES:
            if size > conf.max_video_bytes():
                raise ValidationError(
                    _("第 %(i)d 个文件太大：视频不能超过 %(mb)d MB，请只上传一小段。")
                    % {"i": i, "mb": conf.max_video_bytes() // (1024 * 1024)}
                )
            content: File = upload
            if mime in video.ISO_TYPES:
                try:
                    check_duration(upload, mime, i)
                    content, _blanked = video.strip_metadata(upload)
                except video.Malformed as exc:
                    raise ValidationError(_("第 %(i)d 个文件已损坏或不是有效的视频。") % {"i": i}) from exc
            prepared.append(Prepared(content, mime, "video", size, _sha256(content)))
        else:
            raise ValidationError(
                _(
                    "第 %(i)d 个文件的格式不支持：只能上传照片（JPG、PNG、HEIC、GIF、WEBP）或短视频（MP4、MOV、3GP、WEBM）。"
                )
                % {"i": i}
            )
    return prepared


def store(school_id: int, item: Prepared) -> str:
    """Write one checked file, encrypted, under a random name; returns the storage name."""
    from anxin.intake.models import ReportAttachment, attachment_path

    stub = ReportAttachment(school_id=school_id)
    name = attachment_path(stub, f"x.{item.ext}")
    return default_storage.save(name, filecrypt.encrypted_file(item.content))


def discard(names: list[str]) -> None:
    """Remove files written for a submission that did not commit."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover — best effort; an orphan file holds no row
            pass
