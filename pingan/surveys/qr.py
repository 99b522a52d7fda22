"""The QR code of a survey's citizens' link, for printing on posters (SVG or PNG)."""

from __future__ import annotations

import io

import segno

__all__ = ["qr_png", "qr_svg"]


def qr_svg(url: str) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=8, border=2, xmldecl=True)
    return buf.getvalue()


def qr_png(url: str) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=10, border=2)
    return buf.getvalue()
