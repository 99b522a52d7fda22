"""Files handed to a person as downloads (exports, briefings): their content types and
the .xlsx answer. Pages and API send the same bytes the same way, so both import it
from here. Every such file holds personal data or event details: never stored by a
browser or a proxy (`Cache-Control: no-store`)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
# By file format (a briefing's `format`, an export's suffix).
CONTENT_TYPES = {"xlsx": XLSX, "docx": DOCX, "pdf": PDF}


def xlsx_response(data: bytes, stem: str) -> HttpResponse:
    """An .xlsx download named `<stem>-<local yyyymmddHHMM>.xlsx`, never stored."""
    response = HttpResponse(data, content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.xlsx"'
    patch_cache_control(response, no_store=True)
    return response
