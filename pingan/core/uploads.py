"""Reading an upload without trusting its size: the bytes of a Django UploadedFile, a
file object or bytes, refusing anything over a limit without reading more than it, and an
empty one (photos of events, signed scans of mediation documents)."""

from __future__ import annotations

from typing import IO, Any

from pingan.core.errors import Invalid


def read_limited(upload: Any, *, limit: int, too_big: Invalid, empty: Invalid) -> bytes:
    """The upload's bytes; `too_big` raised when it is over `limit` bytes (by its declared
    size, or after reading limit + 1 bytes at most), `empty` when it has none."""
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        declared = getattr(upload, "size", None)
        if isinstance(declared, int) and declared > limit:
            raise too_big
        stream: IO[bytes] = upload
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = bytes(stream.read(limit + 1))
    if len(data) > limit:
        raise too_big
    if not data:
        raise empty
    return data
