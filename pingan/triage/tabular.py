"""Reading CSV and Excel files as rows of strings (shared by the classifier command, the
importer and the leads upload)."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()  # type: ignore[call-arg,attr-defined]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(path: str | Path, *, data: IO[bytes] | None = None) -> Iterator[dict[str, str]]:
    """Rows as {header: text}. CSV in UTF-8 (with or without BOM) or GB18030; Excel's
    first sheet. `data` reads from an open binary stream instead of the path."""
    name = str(path).lower()
    if any(name.endswith(s) for s in EXCEL_SUFFIXES):
        yield from _excel(data or open(path, "rb"))  # noqa: SIM115 (closed by openpyxl)
        return
    stream = data if data is not None else open(path, "rb")  # noqa: SIM115 (closed below)
    try:
        encoding = _encoding(stream)
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            for row in csv.DictReader(text):
                yield {k.strip(): (v or "") for k, v in row.items() if k is not None}
        finally:
            text.detach()  # leave the caller's stream open
    finally:
        if data is None:
            stream.close()


def _encoding(stream: IO[bytes]) -> str:
    """UTF-8 (BOM or not) when the whole file decodes as UTF-8, else GB18030; reads the
    file once in chunks (nothing kept) and rewinds it, so big files stream."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "gb18030"
    stream.seek(0)
    return encoding


def _excel(stream: IO[bytes]) -> Iterator[dict[str, str]]:
    from openpyxl import load_workbook

    wb = load_workbook(stream, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        names = [_cell(h).strip() for h in header]
        for values in rows:
            if values is None or all(v is None for v in values):
                continue
            yield {n: _cell(v) for n, v in zip(names, values, strict=False) if n}
    finally:
        wb.close()
