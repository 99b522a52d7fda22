"""Briefings (简报): render one for a region and period, list the archive, fetch a file."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from ninja import Query, Router, Schema
from pydantic import Field

from pingan.analytics import selectors, services
from pingan.analytics.exports import content_disposition
from pingan.core.downloads import CONTENT_TYPES
from pingan.core.errors import NotFound

router = Router(tags=["briefings"])


class RenderQuery(Schema):
    region: int | None = Field(None, description="区划（默认本人所辖区划）")
    date_from: dt.date | None = Field(None, alias="from", description="起始日期（默认本月1日）")
    date_to: dt.date | None = Field(None, alias="to", description="截止日期（默认今天）")
    format: Literal["docx", "pdf"] = Field("docx", description="docx 或 pdf")


class BriefingOut(Schema):
    id: int
    title: str
    region: int
    date_from: dt.date
    date_to: dt.date
    format: str
    issue: str = Field(description="期号，如「2026年第12期」（编号前生成的简报为空）")
    issuer: str = Field(description="发文单位")
    created_at: dt.datetime
    download: str


def _out(request: HttpRequest, b: Any) -> dict[str, Any]:
    return {
        "id": b.pk,
        "title": b.title,
        "region": b.region_id,
        "date_from": b.date_from,
        "date_to": b.date_to,
        "format": b.format,
        "issue": b.issue_text,
        "issuer": b.issuer,
        "created_at": b.created_at,
        "download": request.build_absolute_uri(f"/api/v1/briefings/{b.pk}/file"),
    }


def _file(b: Any) -> FileResponse:
    """The document under its title (「<title>.docx」, an ASCII name for old clients;
    event codes and titles in it): never kept in a cache."""
    response = FileResponse(
        b.file.open("rb"), as_attachment=True, content_type=CONTENT_TYPES[b.format]
    )
    response["Content-Disposition"] = content_disposition(
        f"{b.title}.{b.format}", (b.file.name or "").rsplit("/", 1)[-1]
    )
    patch_cache_control(response, no_store=True)
    return response


@router.get(
    "/briefings/render",
    response={200: None},
    summary="生成简报（.docx 或 PDF）并归档",
)
def briefing_render(request: HttpRequest, q: Query[RenderQuery]) -> Any:
    b = services.briefing_render(
        user=request.auth,  # type: ignore[attr-defined]
        region_id=q.region,
        date_from=q.date_from,
        date_to=q.date_to,
        fmt=q.format,
        request=request,
    )
    return _file(b)


@router.get("/briefings", response=list[BriefingOut], summary="已归档的简报")
def briefing_list(request: HttpRequest) -> Any:
    return [_out(request, b) for b in selectors.briefing_list(user=request.auth)[:200]]  # type: ignore[attr-defined]


@router.get("/briefings/{briefing_id}/file", response={200: None}, summary="下载已归档的简报")
def briefing_file(request: HttpRequest, briefing_id: int) -> Any:
    b = selectors.briefing_list(user=request.auth).filter(pk=briefing_id).first()  # type: ignore[attr-defined]
    if b is None:
        raise NotFound(gettext("简报不存在"))
    return _file(b)
