"""A mediation case's documents (issue 20, item 3): generated and stored with the case,
signed scans uploaded, the stored ones listed and downloaded. Every call goes through
`mediation.documents_service` (who, which state, the audit); every file answer is
`Cache-Control: no-store` (the parties' full personal data). docs/mediation.md,
"Documents".

- `GET /mediation/cases/{id}/documents/{kind}?format=docx|pdf`: generates, stores and
  returns the file;
- `GET /mediation/cases/{id}/documents`: the stored ones and which can be made now;
- `POST /mediation/cases/{id}/documents/scans` (multipart: `kind`, `file`): a signed scan;
- `GET /mediation/cases/{id}/documents/files/{doc_id}`: one stored file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from ninja import File, Form, Query, Router, Schema
from ninja import Status as Reply
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.analytics.exports import content_disposition
from pingan.mediation import documents
from pingan.mediation.documents_service import (
    document_unavailable,
    mediation_document_generate,
    mediation_document_list,
    mediation_document_open,
    mediation_document_upload,
)
from pingan.mediation.models import CaseDocument, DocumentKind, MediationCase

router = Router(tags=["mediation"])


class DocumentOut(Schema):
    id: int
    kind: str = Field(description="application、record、agreement、judicial 或 scan（签字扫描件）")
    kind_label: str
    source_kind: str = Field(description="扫描件对应的文书类型（生成的文书为空）")
    signed: bool
    format: str
    content_type: str
    size: int
    generated_at: dt.datetime
    generated_by: str = Field(description="生成或上传人")
    download: str


class KindOut(Schema):
    kind: str
    title: str
    available: bool
    reason: str = Field(description="当前不能生成的原因")
    latest: int | None = Field(description="最新生成的文书编号")
    latest_scan: int | None = Field(description="最新上传的签字扫描件编号")


class DocumentsOut(Schema):
    items: list[DocumentOut]
    kinds: list[KindOut]


def _name(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "name", "") or user.get_username())


def _out(request: HttpRequest, d: CaseDocument) -> dict[str, Any]:
    url = reverse("api-v1:mediation_document_file", kwargs={"case_id": d.case_id, "doc_id": d.pk})
    return {
        "id": d.pk,
        "kind": d.kind,
        "kind_label": d.get_kind_display(),
        "source_kind": d.source_kind,
        "signed": d.signed,
        "format": d.format,
        "content_type": d.content_type,
        "size": d.size,
        "generated_at": d.generated_at,
        "generated_by": _name(d.generated_by),
        "download": request.build_absolute_uri(url),
    }


def _kinds(case: MediationCase, rows: list[CaseDocument]) -> list[dict[str, Any]]:
    out = []
    for kind in documents.KINDS:
        reason = document_unavailable(case, kind)
        latest = next((d.pk for d in rows if d.kind == kind), None)
        scan = next(
            (d.pk for d in rows if d.kind == DocumentKind.SCAN and d.source_kind == kind), None
        )
        out.append(
            {
                "kind": kind,
                "title": documents.TITLES[kind],
                "available": not reason,
                "reason": reason,
                "latest": latest,
                "latest_scan": scan,
            }
        )
    return out


def _file(d: CaseDocument, case: MediationCase) -> FileResponse:
    """The stored file under a readable name (「人民调解协议书-TJ-….docx」, an ASCII name
    for old clients), never kept by a browser or a proxy."""
    try:
        handle = d.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文书文件不存在") from exc
    response = FileResponse(handle, as_attachment=True, content_type=d.content_type)
    kind = d.source_kind or d.kind
    title = documents.TITLES.get(kind, kind)
    if d.kind == DocumentKind.SCAN:
        title += "（签字扫描件）"
    response["Content-Disposition"] = content_disposition(
        f"{title}-{case.code}.{d.format}", f"{d.kind}-{kind}-{case.code}.{d.format}"
    )
    patch_cache_control(response, no_store=True)
    return response


class FormatQuery(Schema):
    format: str = Field("docx", description="docx 或 pdf")


@router.get(
    "/mediation/cases/{case_id}/documents",
    response=DocumentsOut,
    summary="调解文书列表（已生成的文书与签字扫描件；各类文书当前能否生成）",
)
@decorate_view(never_cache)
def document_list(request: HttpRequest, case_id: int) -> Any:
    case, rows = mediation_document_list(actor=actor_of(request), case_id=case_id)
    return {"items": [_out(request, d) for d in rows], "kinds": _kinds(case, rows)}


@router.post(
    "/mediation/cases/{case_id}/documents/scans",
    response={201: DocumentOut},
    summary="上传签字扫描件（PDF、JPEG 或 PNG；辖区受理员、本调委会调解员可用）",
)
def document_scan(
    request: HttpRequest,
    case_id: int,
    file: File[UploadedFile],
    kind: Form[str] = "agreement",
) -> Any:
    doc = mediation_document_upload(actor=actor_of(request), case_id=case_id, kind=kind, file=file)
    return Reply(201, _out(request, doc))


@router.get(
    "/mediation/cases/{case_id}/documents/files/{doc_id}",
    url_name="mediation_document_file",
    response={200: None},
    summary="下载已保存的调解文书（每次下载记入审计）",
)
@decorate_view(never_cache)
def document_file(request: HttpRequest, case_id: int, doc_id: int) -> Any:
    doc = mediation_document_open(actor=actor_of(request), case_id=case_id, doc_id=doc_id)
    return _file(doc, doc.case)


@router.get(
    "/mediation/cases/{case_id}/documents/{kind}",
    response={200: None},
    summary="生成调解文书（application 申请书、record 笔录、agreement 协议书、judicial "
    "司法确认申请书；.docx 或 PDF）并随案保存；含当事人完整信息，每次生成记入审计",
)
@decorate_view(never_cache)
def document_generate(request: HttpRequest, case_id: int, kind: str, q: Query[FormatQuery]) -> Any:
    doc = mediation_document_generate(
        actor=actor_of(request), case_id=case_id, kind=kind, fmt=q.format
    )
    return _file(doc, doc.case)
