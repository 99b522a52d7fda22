"""Open311 output: JSON as is, XML by the spec's element names (UTF-8, no namespace)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse

# A list under this key is written as a container of these elements.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if item is None:
                ET.SubElement(element, key)
                continue
            if isinstance(item, list):
                container = ET.SubElement(element, key)
                for entry in item:
                    _fill(ET.SubElement(container, ITEM_NAMES.get(key, "item")), entry)
            else:
                _fill(ET.SubElement(element, key), item)
    else:
        element.text = _text(value)


def xml_bytes(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _fill(ET.SubElement(element, ITEM_NAMES.get(root, "item")), entry)
    else:
        _fill(element, data)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="utf-8")


def respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """`root` names the XML root element (e.g. "services"); JSON is `data` itself."""
    if fmt == "xml":
        return HttpResponse(
            xml_bytes(root, data), status=status, content_type="text/xml; charset=utf-8"
        )
    body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def error(fmt: str, status: int, description: str, code: int | None = None) -> HttpResponse:
    return respond(fmt, "errors", [{"code": code or status, "description": description}], status)


def input_refusal(request: HttpRequest, status: int, field: str, reason: str) -> HttpResponse:
    """Bad input refused before the view (pingan.core.inputs): the spec's error list, in the
    format the path asks for; 400 as for every other bad request, 413 for a body too big."""
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return error(fmt, 413 if status == 413 else 400, f"{field}：{reason}" if field else reason)
