"""The documents of a mediation case kept with it (issue 20, item 3): generating one of the
four (rendered by `mediation.documents`, stored as a new `CaseDocument`: the newest of a
kind is the current one), uploading a signed scan, listing them and opening a stored one.

The files carry the parties' full personal data, so generating, uploading and opening
are for the people who may reveal the parties (`permissions.can_unmask`: a dispatcher of
the case's region, a mediator of its committee or the case's own mediator); others who
see the case get 403, strangers 404. Every generation and every download is an audited
`pii.unmask` naming the case, the document and the act (refusals too); an upload is
audited as `mediation.document_upload`. The list shows no personal data and is for
everyone who sees the case.

Which documents exist in which state (409 with the reason otherwise): the application
always; the record once a session is recorded; the agreement and the request for
judicial confirmation once the mediation succeeded (the request may be prepared before
it is filed).
"""

from __future__ import annotations

import hashlib
import io
import uuid
import warnings
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.downloads import DOCX, PDF
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound, invalid
from pingan.core.uploads import read_limited
from pingan.mediation import documents
from pingan.mediation.choices import Status
from pingan.mediation.models import CaseDocument, DocumentKind, MediationCase
from pingan.mediation.permissions import access_case, can_unmask

FORMATS = {"docx": DOCX, "pdf": PDF}
JPEG = "image/jpeg"
PNG = "image/png"
# A signed scan: a multi-page PDF from a scanner, or a photo of the pages.
DEFAULT_SCAN_MAX_BYTES = 20 * 1024 * 1024
SCAN_MAX_PIXELS = 60_000_000
SCAN_JPEG_QUALITY = 90

__all__ = [
    "document_unavailable",
    "mediation_document_generate",
    "mediation_document_list",
    "mediation_document_open",
    "mediation_document_upload",
]


def scan_max_bytes() -> int:
    return int(getattr(settings, "PINGAN_MEDIATION_SCAN_MAX_BYTES", DEFAULT_SCAN_MAX_BYTES))


# ---- which documents exist ----------------------------------------------------------------


def _succeeded(case: MediationCase) -> bool:
    return case.status == Status.SUCCEEDED or (
        case.status == Status.CLOSED and bool(case.agreement_terms)
    )


def document_unavailable(case: MediationCase, kind: str) -> str:
    """Why the document `kind` cannot be made for the case as it stands ("" when it can)."""
    if kind == DocumentKind.RECORD and not case.sessions.exists():
        return gettext("尚无调解记录，不能生成调解笔录")
    if kind == DocumentKind.AGREEMENT and not _succeeded(case):
        return gettext("案件尚未调解成功，不能生成调解协议书")
    if kind == DocumentKind.JUDICIAL and not _succeeded(case):
        return gettext("案件尚未调解成功，不能生成司法确认申请书")
    return ""


def _kind(kind: Any, field: str = "kind") -> str:
    if kind not in documents.KINDS:
        raise invalid(field, gettext("文书类型应为 application、record、agreement 或 judicial"))
    return str(kind)


def _entitled(actor: Actor, case: MediationCase, act: str, kind: str) -> None:
    """403 (audited as a refused pii.unmask) for those who see the case but may not
    reveal its parties."""
    if not can_unmask(actor, case):
        actor.audit(
            "pii.unmask",
            object_type="mediation",
            object_id=case.pk,
            result="denied",
            detail={"document": kind, "op": act},
        )
        raise Forbidden(gettext("当前角色不能查看或生成调解文书（含当事人完整个人信息）"))


def _store(doc: CaseDocument, data: bytes, ext: str, audit: Any) -> CaseDocument:
    """Write the file, then the row and its audit in one transaction; a row that could not
    be written leaves no file behind."""
    doc.size = len(data)
    doc.sha256 = hashlib.sha256(data).hexdigest()
    doc.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            doc.save()
            audit(doc)
    except BaseException:
        if doc.file and doc.file.name:
            doc.file.storage.delete(doc.file.name)
        raise
    return doc


# ---- generating ------------------------------------------------------------------------------


def mediation_document_generate(
    *, actor: Actor | Any, case_id: int, kind: str, fmt: str = "docx"
) -> CaseDocument:
    """Render the document `kind` of the case as `fmt` ("docx" or "pdf") and keep it with
    the case (a new row each time). 404 out of scope, 403 not one who may reveal the
    parties, 409 not in this state, 422 unknown kind or format. Audited as pii.unmask."""
    actor = as_actor(actor)
    kind = _kind(kind)
    if fmt not in FORMATS:
        raise invalid("format", gettext("格式应为 docx 或 pdf"))
    case = access_case(actor, case_id)
    _entitled(actor, case, "generate", kind)
    reason = document_unavailable(case, kind)
    if reason:
        raise Conflict(reason)
    data = documents.render(case, kind, fmt)
    doc = CaseDocument(
        case=case,
        kind=kind,
        format=fmt,
        content_type=FORMATS[fmt],
        generated_by=actor.user,
        generated_at=clock.now(),
    )

    def audit(d: CaseDocument) -> None:
        actor.audit(
            "pii.unmask",
            object_type="mediation",
            object_id=case.pk,
            detail={"document": kind, "format": fmt, "op": "generate", "file": d.pk},
        )

    return _store(doc, data, fmt, audit)


# ---- signed scans ----------------------------------------------------------------------------


def _read(upload: Any) -> bytes:
    """The bytes of an upload, refusing anything over the limit without reading more."""
    limit = scan_max_bytes()
    return read_limited(
        upload,
        limit=limit,
        too_big=invalid(
            "file", gettext("扫描件不能超过%(size)sMB") % {"size": f"{limit / (1024 * 1024):g}"}
        ),
        empty=invalid("file", gettext("请选择要上传的扫描件")),
    )


def _not_a_scan() -> Exception:
    return invalid("file", gettext("扫描件应为 PDF、JPEG 或 PNG 文件"))


def _image(data: bytes, fmt: str) -> bytes:
    """A JPEG or PNG checked by its content (Pillow's own decoder only) and re-encoded
    from its pixels, so no EXIF (a phone's GPS position), XMP or ICC data is kept."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data), formats=[fmt])
            if probe.width * probe.height > SCAN_MAX_PIXELS:
                raise invalid("file", gettext("扫描件像素过大，请压缩后再上传"))
            probe.verify()
            opened = Image.open(io.BytesIO(data), formats=[fmt])
            opened.load()
            img: Image.Image = ImageOps.exif_transpose(opened) or opened
        except Invalid:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise invalid("file", gettext("扫描件像素过大，请压缩后再上传")) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise _not_a_scan() from None
        except Exception:  # noqa: BLE001 - hostile input makes decoders raise anything
            raise _not_a_scan() from None
    mode = img.mode if img.mode in ("1", "L", "RGB") else "RGB"
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        clean = Image.new("RGB", rgba.size, (255, 255, 255))
        clean.paste(rgba, mask=rgba.getchannel("A"))
    else:
        converted = img.convert(mode)
        clean = Image.new(mode, converted.size)
        clean.paste(converted)
    out = io.BytesIO()
    if fmt == "PNG":
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.convert("RGB").save(out, format="JPEG", quality=SCAN_JPEG_QUALITY, exif=b"")
    return out.getvalue()


def _sniff(data: bytes) -> tuple[bytes, str, str]:
    """(bytes to store, format, content type) by what the file IS, never by its name or
    the type the client declared."""
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise _not_a_scan()
        return data, "pdf", PDF
    if data.startswith(b"\xff\xd8\xff"):
        return _image(data, "JPEG"), "jpg", JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image(data, "PNG"), "png", PNG
    raise _not_a_scan()


def mediation_document_upload(
    *, actor: Actor | Any, case_id: int, kind: str, file: Any
) -> CaseDocument:
    """Keep a signed scan of the document `kind` with the case (PDF, JPEG or PNG, checked
    by content; images re-encoded without metadata). Same people and states as
    generating it; 422 for an unknown kind or a file that is not such a scan or too
    large."""
    actor = as_actor(actor)
    kind = _kind(kind)
    case = access_case(actor, case_id)
    _entitled(actor, case, "upload", kind)
    reason = document_unavailable(case, kind)
    if reason:
        raise Conflict(reason)
    data, fmt, content_type = _sniff(_read(file))
    doc = CaseDocument(
        case=case,
        kind=DocumentKind.SCAN,
        source_kind=kind,
        signed=True,
        format=fmt,
        content_type=content_type,
        generated_by=actor.user,
        generated_at=clock.now(),
    )

    def audit(d: CaseDocument) -> None:
        actor.audit(
            "mediation.document_upload",
            object_type="mediation",
            object_id=case.pk,
            detail={"document": kind, "format": fmt, "file": d.pk, "sha256": d.sha256},
        )

    return _store(doc, data, fmt, audit)


# ---- reading -----------------------------------------------------------------------------------


def mediation_document_list(
    *, actor: Actor | Any, case_id: int
) -> tuple[MediationCase, list[CaseDocument]]:
    """The case (404 out of scope) and its stored documents, newest first: what they are,
    not what they say, so for everyone who sees the case."""
    case = access_case(actor, case_id)
    return case, documents_of(case)


def documents_of(case: MediationCase) -> list[CaseDocument]:
    """The stored documents of a case already in the caller's scope, newest first."""
    return list(
        CaseDocument.objects.filter(case=case)
        .select_related("generated_by")
        .order_by("-generated_at", "-id")
    )


def mediation_document_open(*, actor: Actor | Any, case_id: int, doc_id: int) -> CaseDocument:
    """A stored document of the case for download: 404 out of scope or not the case's,
    403 (audited) for those who may not reveal the parties; every download audited as
    pii.unmask."""
    actor = as_actor(actor)
    case = access_case(actor, case_id)
    doc = CaseDocument.objects.filter(pk=doc_id, case=case).first()
    if doc is None:
        raise NotFound(gettext("文书不存在"))
    document = doc.source_kind or doc.kind
    _entitled(actor, case, "download", document)
    actor.audit(
        "pii.unmask",
        object_type="mediation",
        object_id=case.pk,
        detail={"document": document, "format": doc.format, "op": "download", "file": doc.pk},
    )
    return doc
