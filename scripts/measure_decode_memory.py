"""Peak memory of re-encoding hostile uploads, before and after the decode limits (issue 9).

    .venv/bin/python scripts/measure_decode_memory.py

Each case runs in a fresh process and reports its peak resident size (``ru_maxrss``) above
the size of the process just before the decode. "before" is the re-encoding of an animated
GIF as it was (every frame decoded and kept); it is run on the 12-frame file only: the
2,000-frame file would need about 128 GB that way. Not a test: it measures, it asserts nothing.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _old_reencode(data: bytes) -> bytes:
    from PIL import Image, ImageSequence

    img = Image.open(io.BytesIO(data))
    img.load()
    out = io.BytesIO()
    frames = [frame.copy() for frame in ImageSequence.Iterator(img)]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], loop=0)
    return out.getvalue()


def child(mode: str, case: str) -> None:
    sys.path.insert(0, ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.exceptions import ValidationError

    from anxin.intake import uploads
    from anxin.intake.tests import test_decode_limits as hostile

    data = {
        "gif12": lambda: hostile.hostile_gif(12),
        "gif2000": lambda: hostile.hostile_gif(2000),
        "png_bomb": hostile.png_bomb,
        "jpeg_bomb": hostile.jpeg_bomb,
    }[case]()
    base = _rss_mb()
    start = time.monotonic()
    try:
        out = (
            _old_reencode(data)
            if mode == "before"
            else uploads.reencode(io.BytesIO(data), "GIF" if "gif" in case else "PNG")
        )
        result = f"kept, {len(out)} bytes"
    except ValidationError as exc:
        result = f"refused: {exc.messages[0]}"
    print(
        f"{case:10} {mode:6} {len(data):7} B in  peak +{_rss_mb() - base:7.0f} MB  {time.monotonic() - start:5.2f} s  {result}"
    )


def main() -> None:
    runs = [
        ("before", "gif12"),
        ("after", "gif12"),
        ("after", "gif2000"),
        ("after", "png_bomb"),
        ("after", "jpeg_bomb"),
    ]
    for mode, case in runs:
        subprocess.run([sys.executable, __file__, "--child", mode, case], check=True, cwd=ROOT)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
