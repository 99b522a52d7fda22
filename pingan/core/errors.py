"""Domain errors. The API and the pages turn each into one answer shape.

409 impossible now, 403 the role may not, 404 missing or out of scope, 422 invalid fields.
"""

from __future__ import annotations

from contextvars import ContextVar

# Access denials raised while serving the current request (403 / out-of-scope 404), for the
# audit trail (`pingan.core.middleware.AuditDenialsMiddleware`). None outside a request.
denials: ContextVar[list[DomainError] | None] = ContextVar("pingan_denials", default=None)


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class _Denial(DomainError):
    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message, fields=fields)
        raised = denials.get()
        if raised is not None:
            raised.append(self)


class NotFound(_Denial):
    status = 404
    code = "not_found"


class Forbidden(_Denial):
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
