"""Excel exports of the event list and the KPI tables; large ones run as tasks. Every
answer here (files, job status, errors) is `Cache-Control: no-store` (never_cache)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Query, Router, Schema
from ninja import Status as Reply
from ninja.decorators import decorate_view

from pingan.analytics import selectors, services
from pingan.analytics.exports import (
    approved_filters,
    content_disposition,
    events_filename,
    job_filename,
    kpis_filename,
    xlsx_download,
)
from pingan.api.v1.stats import SummaryQuery, _checked
from pingan.core.downloads import XLSX
from pingan.core.errors import NotFound, invalid
from pingan.core.params import INT_MAX

router = Router(tags=["exports"])


class JobOut(Schema):
    id: int
    state: str
    total: int
    done: int
    download: str | None


def _job_out(request: HttpRequest, job: Any) -> dict[str, Any]:
    return {
        "id": job.pk,
        "state": job.state,
        "total": job.total,
        "done": job.done,
        "download": request.build_absolute_uri(f"/api/v1/exports/{job.pk}/file")
        if job.state == "done"
        else None,
    }


@router.get(
    "/events/export",
    response={200: None, 202: JobOut},
    summary="导出事件清单（.xlsx，筛选条件同 GET /events）；数据量大时返回 202 与导出任务",
    description=(
        "超过 PINGAN_EXPORT_APPROVAL_ROWS 条的导出（连同本人最近 PINGAN_EXPORT_WINDOW_HOURS "
        "小时内已导出的条数）需另一位负责人批准（403，"
        "code=export_approval_required）：在导出审批页面申请，获批后以 approval=<申请编号> "
        "下载一次，筛选条件为批准时的条件。"
    ),
)
@decorate_view(never_cache)
def events_export(request: HttpRequest) -> Any:
    params = {k: v for k, v in request.GET.dict().items() if k not in ("page", "page_size")}
    approval = params.pop("approval", "")
    if approval:
        if not (approval.isascii() and approval.isdigit()) or int(approval) > INT_MAX:
            raise invalid("approval", _("审批编号不正确"))
        data, job = services.events_export_approved(
            user=request.auth,  # type: ignore[attr-defined]
            approval_id=int(approval),
            request=request,
        )
        # Named by the filters that were approved, not those of this request.
        named = approved_filters(user=request.auth, approval_id=int(approval))  # type: ignore[attr-defined]
    else:
        data, job = services.events_export(user=request.auth, params=params, request=request)  # type: ignore[attr-defined]
        named = params
    if job is not None:
        return Reply(202, _job_out(request, job))
    assert data is not None
    return xlsx_download(data, events_filename(user=request.auth, params=named), "events")  # type: ignore[attr-defined]


@router.get("/exports/{job_id}", response=JobOut, summary="导出任务进度")
@decorate_view(never_cache)
def export_status(request: HttpRequest, job_id: int) -> Any:
    job = selectors.export_job(user=request.auth, job_id=job_id)  # type: ignore[attr-defined]
    return _job_out(request, job)


@router.get("/exports/{job_id}/file", response={200: None}, summary="下载导出文件")
@decorate_view(never_cache)
def export_file(request: HttpRequest, job_id: int) -> Any:
    job = selectors.export_job(user=request.auth, job_id=job_id)  # type: ignore[attr-defined]
    if job.state != "done" or not job.file:
        raise NotFound(_("导出文件尚未生成"))
    response = FileResponse(job.file.open("rb"), as_attachment=True, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(
        job_filename(job), job.file.name.rsplit("/", 1)[-1]
    )
    return response


@router.get("/stats/kpis/export", response={200: None}, summary="导出考核指标表（.xlsx）")
@decorate_view(never_cache)
def kpis_export(request: HttpRequest, filters: Query[SummaryQuery]) -> Any:
    checked = _checked(filters)
    data = services.kpis_export(user=request.auth, request=request, **checked)  # type: ignore[attr-defined]
    return xlsx_download(data, kpis_filename(user=request.auth, **checked), "kpis")  # type: ignore[attr-defined]
