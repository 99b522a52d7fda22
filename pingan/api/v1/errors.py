"""One error shape for the whole API: `{"error": {"code", "message", "fields"}}`.

Domain errors carry their own status; ninja's validation errors become 422 with each
field named and the reason given in Chinese; authentication failures are 401. A body over
DATA_UPLOAD_MAX_MEMORY_SIZE is 413; a body that cannot be parsed (JSON or multipart) is 422
naming `body` (docs/security.md, "Input").
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from pingan.core.errors import DomainError
from pingan.core.inputs import too_big_reason
from pingan.ops.unavailable import DB_DOWN, unavailable_response

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)

# Where ninja puts a parameter; stripped from the field path shown to the client.
_PARAM_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _reason(error: dict[str, Any]) -> str:
    """A short Chinese reason for one pydantic error."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("必填")
    if kind.startswith("int_"):
        return _("应为整数")
    if kind.startswith("float_") or kind.startswith("decimal_"):
        return _("应为数字")
    if kind.startswith("bool_"):
        return _("应为是或否")
    if kind.startswith("string_too_long"):
        return _("不能超过%(n)s字") % {"n": ctx.get("max_length", "")}
    if kind.startswith("string_"):
        return _("应为文字")
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected")
        if expected:
            return _("取值不在可选范围内，可选：%(expected)s") % {"expected": expected}
        return _("取值不在可选范围内")
    if kind.startswith("datetime_"):
        return _("时间格式应为 ISO 8601，如 2026-01-01T08:30:00+08:00")
    if kind.startswith("date_"):
        return _("日期格式应为 YYYY-MM-DD")
    if kind.startswith("uuid_"):
        return _("不是有效的UUID")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("应为列表")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("应为对象")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _("超出允许范围")
    if kind == "json_invalid":
        return _("请求内容不是有效的JSON")
    return _("格式不正确")


def _field(loc: list[Any] | tuple[Any, ...], param_names: set[str]) -> str:
    """`("body", "payload", "extra", "x")` → `"extra.x"`; the request part alone → its name."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _PARAM_SOURCES:
        source = parts.pop(0)
        if parts and parts[0] in param_names and len(parts) > 1:
            parts.pop(0)
        if not parts:
            return source
    return ".".join(parts) or "body"


def validation_fields(errors: list[dict[str, Any]], param_names: set[str]) -> dict[str, str]:
    """Ninja/pydantic errors → `{field: reason}` (the first reason per field)."""
    fields: dict[str, str] = {}
    for error in errors:
        name = _field(error.get("loc", ()), param_names)
        fields.setdefault(name, _reason(error))
    return fields


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


# Names of the schema parameters of our endpoints, stripped from error locations.
BODY_PARAM_NAMES = {"payload", "body", "data", "filters"}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "throttled",
}


def input_refusal(request: HttpRequest, status: int, field: str, reason: str) -> HttpResponse:
    """Bad input refused before ninja (a NUL in the query string: pingan.core.inputs), in
    the envelope; registered for /api/ by the api app."""
    message = f"{field}: {reason}" if field else reason
    body = error_body(_HTTP_CODES.get(status, "error"), message, {field: reason} if field else {})
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api`."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, exc.status, error_body(exc.code, exc.message, exc.fields))

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = validation_fields(list(exc.errors), BODY_PARAM_NAMES)
        message = "；".join(f"{k}: {v}" for k, v in fields.items()) or _("请求参数不正确")
        return respond(request, 422, error_body("invalid", message, fields))

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(
            request,
            401,
            error_body("unauthorized", _("未登录或令牌无效，请提供有效的 Bearer 令牌")),
        )

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and "parse" in exc.message.lower():
            # Unparsable JSON body: a field-level problem, like every other invalid input.
            reason = _("请求内容不是有效的JSON")
            return respond(request, 422, error_body("invalid", f"body: {reason}", {"body": reason}))
        code = _HTTP_CODES.get(exc.status_code, "error")
        messages = {
            401: _("未登录或令牌无效"),
            403: _("无权执行此操作"),
            404: _("不存在"),
            429: _("请求过于频繁，请稍后再试"),
        }
        message = messages.get(exc.status_code, exc.message)
        return respond(request, exc.status_code, error_body(code, message))

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body("not_found", _("不存在")))

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, error_body("too_large", too_big_reason()))

    def on_unparsable(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # A multipart body without its boundary: a field-level problem, like unparsable JSON.
        reason = _("请求内容不是有效的表单")
        return respond(request, 422, error_body("invalid", f"body: {reason}", {"body": reason}))

    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # Django's refusals of a request (too many fields or files): 400, not a 500.
        return respond(request, 400, error_body("bad_request", _("请求参数不正确")))

    def on_db_down(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The database unreachable: 503 with Retry-After (pingan.ops.unavailable), not 500.
        return unavailable_response(request, exc)

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error at %s", request.path, exc_info=exc)
        return respond(request, 500, error_body("server_error", _("服务器内部错误，请稍后重试")))

    # ninja's annotation wants handlers that also accept the class; ours take instances.
    api.add_exception_handler(Exception, on_unexpected)  # type: ignore[arg-type]
    api.add_exception_handler(DomainError, on_domain)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, on_validation)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, on_http)  # type: ignore[arg-type]
    api.add_exception_handler(AuthenticationError, on_authentication)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, on_404)  # type: ignore[arg-type]
    api.add_exception_handler(SuspiciousOperation, on_suspicious)  # type: ignore[arg-type]
    api.add_exception_handler(MultiPartParserError, on_unparsable)  # type: ignore[arg-type]
    api.add_exception_handler(RequestDataTooBig, on_too_big)  # type: ignore[arg-type]
    for db_down in DB_DOWN:
        api.add_exception_handler(db_down, on_db_down)  # type: ignore[arg-type]
    document_errors(api)


# ---- the error answers in the OpenAPI schema ------------------------------------------

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Error",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}
ERROR_DESCRIPTIONS = {
    "401": "未登录或令牌无效",
    "403": "当前角色无权执行",
    "404": "不存在或不在您的范围内",
    "409": "当前状态下不能执行",
    "413": "请求内容过大",
    "422": "字段错误（fields 指出字段与原因）",
    "429": "请求过于频繁",
}


def document_errors(api: NinjaAPI) -> None:
    """Add the error envelope and the error answers every operation may give to the
    schema (ninja documents only the success answers)."""
    original = api.get_openapi_schema

    def get_openapi_schema(*args: Any, **kwargs: Any) -> Any:
        schema = original(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for methods in schema.get("paths", {}).values():
            for op in methods.values():
                responses = op.setdefault("responses", {})
                for status, description in ERROR_DESCRIPTIONS.items():
                    responses.setdefault(status, {"description": description, **ref})
        return schema

    api.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]
