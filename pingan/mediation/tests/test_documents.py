"""A case's documents: generated and stored with the case, signed scans uploaded, each
generation and download audited, for the people who may reveal the parties only."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from docx import Document
from PIL import Image

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, error_of
from pingan.core.audit import AuditEntry
from pingan.mediation.models import CaseDocument
from pingan.mediation.tests.factories import fire, mediation_cast, new_case

TERMS = "李大华于三日内疏通排水沟\n双方今后互不干扰"


@pytest.fixture
def med(cast):
    return mediation_cast(cast)


@pytest.fixture
def api_as(db):
    def make(user):
        return ApiClient(Client(), token_issue(user=user))

    return make


@pytest.fixture
def agreed(cast, med):
    """A case of the village committee mediated to an agreement by its mediator."""
    mediator = med.village_mediator.user
    case = new_case(cast, committee=med.village.pk)
    fire(case, cast.dispatcher, "accept")
    fire(
        case, cast.dispatcher, "assign", committee=med.village.pk, mediator=med.village_mediator.pk
    )
    fire(case, mediator, "session", record="双方陈述事实", place="城东社区调解室")
    return fire(case, mediator, "succeed", terms=TERMS, performance="at_once")


def docs_of(case_id: int) -> str:
    return f"/mediation/cases/{case_id}/documents"


def unmasks(case_id: int) -> list[dict]:
    rows = AuditEntry.objects.filter(
        action="pii.unmask", object_type="mediation", object_id=str(case_id), result="ok"
    ).order_by("id")
    return [r.detail for r in rows]


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("L", (40, 60), 255).save(out, format="PNG")
    return out.getvalue()


def upload(api: ApiClient, case_id: int, name: str, data: bytes, content_type: str, **form):
    return api.client.post(
        f"/api/v1{docs_of(case_id)}/scans",
        {"file": SimpleUploadedFile(name, data, content_type=content_type), **form},
        headers=api.headers,
    )


def test_the_agreement_as_docx_names_the_parties_and_terms_and_is_kept(agreed, med, api_as):
    api = api_as(med.village_mediator.user)
    r = api.get(f"{docs_of(agreed.pk)}/agreement", format="docx")
    assert r.status_code == 200, r.content
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in r["Cache-Control"]
    assert "attachment" in r["Content-Disposition"]
    body = b"".join(r.streaming_content)
    text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    assert "王小明" in text and "李大华" in text  # full names: the signed original
    assert "11010519491231002X" in text
    assert "李大华于三日内疏通排水沟" in text and "双方今后互不干扰" in text

    stored = CaseDocument.objects.get(case=agreed)
    assert (stored.kind, stored.format, stored.size) == ("agreement", "docx", len(body))
    assert stored.generated_by == med.village_mediator.user
    assert stored.file.read() == body
    assert unmasks(agreed.pk) == [
        {"document": "agreement", "format": "docx", "op": "generate", "file": stored.pk}
    ]

    # Downloading the stored one: the same bytes, audited again.
    listed = api.get(docs_of(agreed.pk)).json()
    item = listed["items"][0]
    assert item["id"] == stored.pk and item["kind"] == "agreement" and not item["signed"]
    r = api.get(f"{docs_of(agreed.pk)}/files/{stored.pk}")
    assert r.status_code == 200 and b"".join(r.streaming_content) == body
    assert "no-store" in r["Cache-Control"]
    assert unmasks(agreed.pk)[-1] == {
        "document": "agreement",
        "format": "docx",
        "op": "download",
        "file": stored.pk,
    }


def test_each_generation_is_a_new_row_and_the_list_shows_the_newest(agreed, cast, api_as):
    api = api_as(cast.dispatcher)
    first = api.get(f"{docs_of(agreed.pk)}/agreement")
    second = api.get(f"{docs_of(agreed.pk)}/agreement", format="pdf")
    assert (first.status_code, second.status_code) == (200, 200)
    rows = list(CaseDocument.objects.filter(case=agreed).order_by("id"))
    assert [d.format for d in rows] == ["docx", "pdf"]
    kinds = {k["kind"]: k for k in api.get(docs_of(agreed.pk)).json()["kinds"]}
    assert kinds["agreement"]["latest"] == rows[1].pk
    assert kinds["judicial"]["available"] and kinds["judicial"]["latest"] is None
    # The list holds no personal data.
    listing = api.get(docs_of(agreed.pk)).content.decode()
    assert "王小明" not in listing and "13812345678" not in listing


def test_the_judicial_request_as_pdf_has_pages(agreed, med, api_as):
    api = api_as(med.village_mediator.user)
    fire(agreed, med.village_mediator.user, "request_confirmation", court="海盐县人民法院")
    r = api.get(f"{docs_of(agreed.pk)}/judicial", format="pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    body = b"".join(r.streaming_content)
    assert body.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", body)) >= 1


def test_which_documents_exist_in_which_state(cast, med, api_as):
    case = new_case(cast, committee=med.village.pk)
    api = api_as(cast.dispatcher)
    assert api.get(f"{docs_of(case.pk)}/application").status_code == 200
    r = api.get(f"{docs_of(case.pk)}/record")
    assert r.status_code == 409 and "调解记录" in error_of(r)["message"]
    r = api.get(f"{docs_of(case.pk)}/agreement")
    assert r.status_code == 409 and "尚未调解成功" in error_of(r)["message"]
    assert api.get(f"{docs_of(case.pk)}/judicial").status_code == 409
    kinds = {k["kind"]: k for k in api.get(docs_of(case.pk)).json()["kinds"]}
    assert kinds["application"]["available"] and not kinds["agreement"]["available"]
    assert kinds["agreement"]["reason"]

    r = api.get(f"{docs_of(case.pk)}/contract")
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"kind"}
    r = api.get(f"{docs_of(case.pk)}/application", format="odt")
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"format"}
    assert CaseDocument.objects.filter(case=case).count() == 1


def test_strangers_get_404_and_a_leader_403_audited(agreed, cast, med, api_as):
    r = api_as(cast.dispatcher).get(f"{docs_of(agreed.pk)}/agreement")
    assert r.status_code == 200
    stored = CaseDocument.objects.get(case=agreed)
    for stranger in (cast.dispatcher_b, med.stranger.user, cast.handler):
        api = api_as(stranger)
        assert api.get(f"{docs_of(agreed.pk)}/agreement").status_code == 404
        assert api.get(docs_of(agreed.pk)).status_code == 404
        assert api.get(f"{docs_of(agreed.pk)}/files/{stored.pk}").status_code == 404
    leader = api_as(cast.leader)
    assert leader.get(docs_of(agreed.pk)).status_code == 200  # what exists, not what it says
    assert leader.get(f"{docs_of(agreed.pk)}/agreement").status_code == 403
    assert leader.get(f"{docs_of(agreed.pk)}/files/{stored.pk}").status_code == 403
    r = upload(leader, agreed.pk, "scan.png", png_bytes(), "image/png", kind="agreement")
    assert r.status_code == 403
    denied = AuditEntry.objects.filter(
        action="pii.unmask", object_id=str(agreed.pk), result="denied", actor=cast.leader
    )
    assert sorted(d.detail["op"] for d in denied) == ["download", "generate", "upload"]
    assert CaseDocument.objects.filter(case=agreed).count() == 1


def test_a_signed_scan_is_kept_and_a_wrong_file_refused(agreed, med, api_as):
    api = api_as(med.village_mediator.user)
    r = upload(api, agreed.pk, "signed.png", png_bytes(), "image/png", kind="agreement")
    assert r.status_code == 201, r.content
    out = r.json()
    assert (out["kind"], out["source_kind"], out["signed"]) == ("scan", "agreement", True)
    assert out["content_type"] == "image/png"
    doc = CaseDocument.objects.get(pk=out["id"])
    assert Image.open(doc.file).format == "PNG"
    upload_audit = AuditEntry.objects.get(action="mediation.document_upload")
    assert upload_audit.detail["document"] == "agreement"

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    r = upload(api, agreed.pk, "signed.pdf", pdf, "application/pdf", kind="judicial")
    assert r.status_code == 201 and r.json()["format"] == "pdf"

    # Named and declared as a PDF, but it is not one.
    r = upload(api, agreed.pk, "signed.pdf", b"<html>hello</html>", "application/pdf")
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"file"}
    r = upload(api, agreed.pk, "signed.jpg", b"\xff\xd8\xff" + b"junk" * 10, "image/jpeg")
    assert r.status_code == 422
    r = upload(api, agreed.pk, "s.png", png_bytes(), "image/png", kind="contract")
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"kind"}
    with override_settings(PINGAN_MEDIATION_SCAN_MAX_BYTES=100):
        r = upload(api, agreed.pk, "big.pdf", pdf + b" " * 200, "application/pdf")
        assert r.status_code == 422 and "不能超过" in error_of(r)["fields"]["file"]
    assert CaseDocument.objects.filter(case=agreed).count() == 2

    listed = api.get(docs_of(agreed.pk)).json()
    kinds = {k["kind"]: k for k in listed["kinds"]}
    assert kinds["agreement"]["latest_scan"] == out["id"]
    r = api.get(f"{docs_of(agreed.pk)}/files/{out['id']}")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"


def test_a_scan_photo_loses_its_metadata(agreed, med, api_as):
    img = Image.new("RGB", (50, 50), (200, 200, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    assert b"PhoneMaker" in out.getvalue()
    api = api_as(med.village_mediator.user)
    r = upload(api, agreed.pk, "p.jpg", out.getvalue(), "image/jpeg", kind="agreement")
    assert r.status_code == 201
    stored = CaseDocument.objects.get(pk=r.json()["id"]).file.read()
    assert stored.startswith(b"\xff\xd8\xff") and b"PhoneMaker" not in stored


def test_the_record_holds_the_sessions(agreed, cast, api_as):
    r = api_as(cast.dispatcher).get(f"{docs_of(agreed.pk)}/record")
    assert r.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(r.streaming_content))).paragraphs)
    assert "人民调解笔录" in text and "第1次调解" in text
    assert "城东社区调解室" in text and "双方陈述事实" in text
    assert "陈调解" in text  # the mediator and the recorder
