"""Structured logs: one JSON object per line, with personal data masked.

The JSON itself is python-json-logger's; this module adds masking of what must never be
logged in plain text (mobile and landline numbers, resident ID numbers, e-mail
addresses), applied to the message, to every extra field and to tracebacks (an
IntegrityError's detail may quote a phone number).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

_PATTERNS = [
    # Resident ID: 17 digits and a digit or X (before phones: it contains digit runs).
    (re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}\d{7}[\dXx](?![\dA-Za-z])"), "[身份证号]"),
    # Mainland mobile numbers, optionally with +86; not a digit run inside a hex token
    # (a request or worker id like "…8b18738776144eb7").
    (
        re.compile(r"(?<![\dA-Za-z])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![\dA-Za-z])"),
        "[手机号]",
    ),
    # Landlines with an area code: 0573-86123456.
    (re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"), "[电话]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[邮箱]"),
]


def redact(text: str) -> str:
    """`text` with phone numbers, ID numbers and e-mail addresses replaced by a label."""
    for pattern, label in _PATTERNS:
        text = pattern.sub(label, text)
    return text


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


class RedactFilter(logging.Filter):
    """Masks personal data in the rendered message of every record (any formatter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        return True


class JsonFormatter(_JsonFormatter):
    """python-json-logger with Chinese kept readable, short field names, and masking of
    extra fields and tracebacks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("json_ensure_ascii", False)
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        super().__init__(*args, **kwargs)

    def formatException(self, ei: Any) -> Any:
        return _redact_value(super().formatException(ei))

    def process_log_record(self, log_data: Any) -> Any:
        return {k: _redact_value(v) for k, v in log_data.items()}
