"""Domain errors. The API and the pages turn each into one answer shape.

409 impossible now, 403 the role may not, 404 missing or out of scope, 422 invalid fields.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 422
    code = "invalid"


def invalid(field: str, reason: str) -> Invalid:
    """One-field validation error: the message names the field and the reason."""
    return Invalid(f"{field}: {reason}", fields={field: reason})
