"""The log scan of the test run: every log record any test produces is checked for
phone and ID numbers in plain text (docs/privacy.md). Installed by pingan/conftest.py."""

from __future__ import annotations

import logging
import traceback

from pingan.core.pii import find_in_text


class RecordingHandler(logging.Handler):
    """Keeps the full text of every record (message, arguments, traceback)."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.texts: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a badly formatted record is still scanned
            text = f"{record.msg!r} {record.args!r}"
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        self.texts.append((record.name, text))

    def findings(self) -> list[str]:
        """'logger: number' for each phone or ID number found, masked in the report."""
        out = []
        for name, text in self.texts:
            for number in find_in_text(text):
                out.append(f"{name}: {number[:3]}…{number[-2:]} in {text[:120]!r}")
        return out


HANDLER = RecordingHandler()


def install() -> None:
    """First among the root handlers: it sees each record as the code wrote it, before the
    console handler's redaction filter (pingan.ops.logs.RedactFilter) masks it in place.
    The scan proves the code does not log personal data; the filter is the second line."""
    root = logging.getLogger()
    if HANDLER not in root.handlers:
        root.handlers.insert(0, HANDLER)
