"""Photo checking and cleaning, with no database: bytes in, a clean JPEG and facts out.

A photo is accepted by what it IS, not by what it is called: Pillow must recognise and
verify it as one of the allowed formats. The stored file is a fresh JPEG built from the
pixels only (orientation applied, longest side capped), so no EXIF, GPS, XMP or ICC data
from the phone survives in it. The time taken and the coordinates are read from EXIF
first and returned as plain values for the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

from pingan.core.errors import Invalid, invalid
from pingan.core.uploads import read_limited

# Decoders tried on uploads. HEIC only when a plug-in (pillow-heif) registered it.
ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP")
Image.init()
if "HEIF" in Image.OPEN:  # pragma: no cover - depends on an optional plug-in
    ALLOWED_FORMATS = (*ALLOWED_FORMATS, "HEIF")
# What those decoders may report: many phones write MPO (a JPEG with a second picture).
ACCEPTED_RESULTS = frozenset({*ALLOWED_FORMATS, "MPO"})

# Decompression-bomb guard: the header's pixel count is checked before any decoding.
DEFAULT_MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85
THUMB_QUALITY = 80

# EXIF tags.
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME = 0x0132
_DATETIME_ORIGINAL = 0x9003
_OFFSET_TIME_ORIGINAL = 0x9011
_GPS_LAT_REF, _GPS_LAT, _GPS_LNG_REF, _GPS_LNG = 1, 2, 3, 4

_EXIF_DT = re.compile(r"^\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"^\s*([+-])(\d{2}):(\d{2})")


@dataclass(frozen=True)
class CleanPhoto:
    """A checked photo: the clean JPEG and its thumbnail, with what EXIF told about it."""

    data: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str
    source_format: str
    taken_at: dt.datetime | None
    lat: float | None
    lng: float | None

    @property
    def size(self) -> int:
        return len(self.data)


def max_bytes() -> int:
    return int(settings.PINGAN_PHOTO_MAX_BYTES)


def max_pixels() -> int:
    return int(getattr(settings, "PINGAN_PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def read_upload(upload: Any) -> bytes:
    """The bytes of an upload (a Django UploadedFile, a file object or bytes), refusing
    anything larger than PINGAN_PHOTO_MAX_BYTES without reading more than the limit."""
    limit = max_bytes()
    return read_limited(
        upload,
        limit=limit,
        too_big=invalid("file", gettext("照片不能超过%(size)s") % {"size": _human(limit)}),
        empty=invalid("file", gettext("请选择要上传的照片")),
    )


def _human(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g}MB"
    return f"{n / 1024:g}KB"


def _not_a_photo() -> Invalid:
    return invalid("file", gettext("文件不是有效的照片（仅支持 JPEG、PNG、WebP 格式）"))


def _open(data: bytes) -> Image.Image:
    """Open and verify by content; only the allowed decoders are even tried."""
    with warnings.catch_warnings():
        # Pillow warns (then errors) on huge images; treat both as refusals.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
            fmt = probe.format or ""
            pixels = probe.width * probe.height
            if pixels > max_pixels() or probe.width <= 0 or probe.height <= 0:
                raise invalid("file", gettext("照片像素过大，请压缩后再上传"))
            if fmt not in ACCEPTED_RESULTS:
                raise _not_a_photo()
            probe.verify()
            img = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
            img.load()
        except Invalid:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise invalid("file", gettext("照片像素过大，请压缩后再上传")) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise _not_a_photo() from None
        except Exception:  # noqa: BLE001 - hostile input makes decoders raise anything
            raise _not_a_photo() from None
    return img


def _ratio(value: Any) -> float:
    if isinstance(value, tuple) and len(value) == 2:  # (numerator, denominator)
        num, den = value
        return float(num) / float(den) if den else math.nan
    return float(value)


def _dms(value: Any) -> float | None:
    try:
        parts = [_ratio(v) for v in value]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not parts or any(math.isnan(p) or math.isinf(p) for p in parts):
        return None
    parts = [*parts, 0.0, 0.0][:3]
    return parts[0] + parts[1] / 60 + parts[2] / 3600


def _ref(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "ignore")
    return str(value or "").strip("\x00 ").upper()


def exif_gps(exif: Image.Exif) -> tuple[float | None, float | None]:
    """(lat, lng) in decimal degrees from the GPS IFD, or (None, None)."""
    try:
        gps = exif.get_ifd(_GPS_IFD)
    except (KeyError, ValueError, TypeError, OSError):
        return None, None
    if not gps or _GPS_LAT not in gps or _GPS_LNG not in gps:
        return None, None
    lat = _dms(gps[_GPS_LAT])
    lng = _dms(gps[_GPS_LNG])
    if lat is None or lng is None:
        return None, None
    if _ref(gps.get(_GPS_LAT_REF)) == "S":
        lat = -lat
    if _ref(gps.get(_GPS_LNG_REF)) == "W":
        lng = -lng
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat == 0 and lng == 0):
        return None, None
    return round(lat, 7), round(lng, 7)


def exif_taken_at(exif: Image.Exif) -> dt.datetime | None:
    """When the photo was taken (DateTimeOriginal, else DateTime), timezone-aware: with the
    EXIF offset when the camera wrote one, else in the server's time zone."""
    try:
        sub = exif.get_ifd(_EXIF_IFD)
    except (KeyError, ValueError, TypeError, OSError):
        sub = {}
    raw = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "ignore")
    match = _EXIF_DT.match(str(raw or ""))
    if not match:
        return None
    tz: dt.tzinfo = timezone.get_default_timezone()
    offset = sub.get(_OFFSET_TIME_ORIGINAL)
    if isinstance(offset, bytes):
        offset = offset.decode("ascii", "ignore")
    off = _EXIF_OFFSET.match(str(offset or ""))
    if off:
        sign = -1 if off.group(1) == "-" else 1
        tz = dt.timezone(sign * dt.timedelta(hours=int(off.group(2)), minutes=int(off.group(3))))
    try:
        y, mo, d, h, mi, s = (int(x) for x in match.groups())
        taken = dt.datetime(y, mo, d, h, mi, s, tzinfo=tz)
    except ValueError:
        return None
    if taken.year < 1990:
        return None
    return taken


def _pixels_only(img: Image.Image) -> Image.Image:
    """A new RGB image holding only the pixels (no info dict: no EXIF, XMP or ICC)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        out = Image.new("RGB", rgba.size, (255, 255, 255))
        out.paste(rgba, mask=rgba.getchannel("A"))
        return out
    rgb = img.convert("RGB")
    out = Image.new("RGB", rgb.size)
    out.paste(rgb)
    return out


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality, optimize=True, exif=b"")
    return buf.getvalue()


def clean(data: bytes) -> CleanPhoto:
    """Check `data` by content and return the re-encoded photo (Invalid on field "file")."""
    img = _open(data)
    source_format = "JPEG" if img.format == "MPO" else (img.format or "")
    try:
        exif = img.getexif()
        lat, lng = exif_gps(exif)
        taken_at = exif_taken_at(exif)
    except Exception:  # noqa: BLE001 - broken EXIF loses the facts, not the photo
        lat = lng = taken_at = None
    try:
        oriented = ImageOps.exif_transpose(img)
    except (ValueError, TypeError, OSError, SyntaxError):
        oriented = img
    try:
        pixels = _pixels_only(oriented if oriented is not None else img)
    except (ValueError, OSError):  # a pixel mode with no RGB conversion
        raise _not_a_photo() from None
    side = int(settings.PINGAN_PHOTO_MAX_SIDE)
    if max(pixels.size) > side:
        pixels.thumbnail((side, side), Image.Resampling.LANCZOS)
    stored = _jpeg(pixels, JPEG_QUALITY)
    thumb = pixels.copy()
    thumb_side = int(settings.PINGAN_THUMB_SIDE)
    thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    return CleanPhoto(
        data=stored,
        thumbnail=_jpeg(thumb, THUMB_QUALITY),
        width=pixels.width,
        height=pixels.height,
        sha256=hashlib.sha256(stored).hexdigest(),
        source_format=source_format,
        taken_at=taken_at,
        lat=lat,
        lng=lng,
    )


Row = TypeVar("Row")


def store(
    row: Row, photo: CleanPhoto, *, write: Callable[[], None], again: Callable[[], Row | None]
) -> tuple[Row, bool]:
    """Store the cleaned photo and its thumbnail on `row` (its `file` and `thumbnail`
    fields, under one new name), then run `write` (the row's save and its audit row) in one
    transaction; (row, True). When the row's client_uuid was taken meanwhile (the same
    upload raced in twice), the stored files are removed and `again()`'s row is answered as
    (row, False); on any other failure the files are removed and the error raised."""
    stem = uuid.uuid4().hex
    fields: Any = row
    try:
        fields.file.save(f"{stem}.jpg", ContentFile(photo.data), save=False)
        fields.thumbnail.save(f"{stem}.jpg", ContentFile(photo.thumbnail), save=False)
        with transaction.atomic():
            write()
    except IntegrityError:
        discard(row)
        found = again()
        if found is not None:
            return found, False
        raise
    except BaseException:
        discard(row)
        raise
    return row, True


def discard(row: Any) -> None:
    """Remove the stored files of a photo row whose row was not written."""
    for f in (row.file, row.thumbnail):
        if f and f.name:
            f.storage.delete(f.name)
