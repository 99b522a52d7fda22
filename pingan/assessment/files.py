"""Evidence files and signed scans: a PDF, JPEG or PNG checked by what it is (never by
its name), images re-encoded from their pixels so no EXIF (a phone's GPS position) is
kept; at most PINGAN_ASSESSMENT_FILE_MAX_BYTES (20 MB)."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from pingan.core.errors import invalid
from pingan.core.uploads import read_limited

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 60_000_000


def _bad(field: str) -> Exception:
    return invalid(field, _("文件应为 PDF、JPEG 或 PNG"))


def checked(upload: Any, field: str = "evidence") -> tuple[ContentFile[bytes], str]:
    """(the file to store, its content type); 422 when too big, empty or not such a file."""
    limit = int(getattr(settings, "PINGAN_ASSESSMENT_FILE_MAX_BYTES", DEFAULT_MAX_BYTES))
    data = read_limited(
        upload,
        limit=limit,
        too_big=invalid(field, _("文件不能超过%(size)sMB") % {"size": f"{limit / 1048576:g}"}),
        empty=invalid(field, _("请选择文件")),
    )
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise _bad(field)
        return ContentFile(data, name="file.pdf"), "application/pdf"
    fmt = "JPEG" if data.startswith(b"\xff\xd8\xff") else "PNG"
    if fmt == "PNG" and not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise _bad(field)
    try:
        img = Image.open(io.BytesIO(data), formats=[fmt])
        if img.width * img.height > MAX_PIXELS:
            raise _bad(field)
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _bad(field) from None
    out = io.BytesIO()
    clean = img.convert("RGB")
    if fmt == "PNG":
        clean.save(out, format="PNG")
        return ContentFile(out.getvalue(), name="file.png"), "image/png"
    clean.save(out, format="JPEG", quality=90)
    return ContentFile(out.getvalue(), name="file.jpg"), "image/jpeg"


def ext(file: ContentFile[bytes]) -> str:
    """The suffix `checked` gave the file (pdf, png, jpg)."""
    return (file.name or "file.bin").rsplit(".", 1)[1]
