"""Where the input of a request enters (docs/security.md, "Input").

`InputMiddleware` reads each request's query string, and the body of every request but the
API's, once, before any view or the CSRF check does:

- every query-string and form value (and name) passes `pingan.core.text.clean_input`:
  NUL refused with 422 naming the field, other control characters dropped, invisible text
  emptied; a NUL in the path is refused too. Uploaded files are left to their own checks.
  The API's query strings too: some endpoints read filters ninja does not declare.
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused with 413 (Django's
  RequestDataTooBig would otherwise be a 400 or, inside a view, a 500);
- a form body that cannot be parsed (multipart without a boundary, too many fields) is
  refused with 400.

The API parses its own bodies where ninja reads them (`pingan.api.v1.errors` answers the
same 413 and 422, `pingan.api.v1.inputs` checks every value it validated).

Refusals are plain Chinese text, or the shape an application registered for its paths with
`answer_under` (the API's error envelope, Open311's error list).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext

from pingan.core.errors import Invalid
from pingan.core.text import clean_input

# Refusal = (request, status, field or "", reason) → the answer.
Refusal = Callable[[HttpRequest, int, str, str], HttpResponse]
_SHAPES: list[tuple[str, Refusal]] = []
API_PREFIX = "/api/"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def answer_under(prefix: str, refusal: Refusal) -> None:
    """Refuse bad input under `prefix` with `refusal` (an application's error shape)."""
    _SHAPES[:] = [s for s in _SHAPES if s[0] != prefix] + [(prefix, refusal)]


def too_big_reason() -> str:
    mb = max(1, settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024))
    return gettext("提交的内容过大（不能超过 %(mb)s MB）") % {"mb": mb}


def plain_refusal(request: HttpRequest, status: int, field: str, reason: str) -> HttpResponse:
    text = f"{field}：{reason}" if field else reason
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def cleaned(data: QueryDict) -> QueryDict:
    """`data` with every name and value through `clean_input` (the same object when nothing
    changed). Raises Invalid naming the field that holds a NUL."""
    lists = []
    changed = False
    for key, values in data.lists():
        name = clean_input(key, key.replace("\x00", ""))
        new = [clean_input(v, name) if isinstance(v, str) else v for v in values]
        changed = changed or name != key or new != values
        lists.append((name, new))
    if not changed:
        return data
    out = QueryDict(mutable=True, encoding=data.encoding)
    for name, new in lists:
        out.setlistdefault(name, []).extend(new)
    out._mutable = False
    return out


class InputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            clean_input(request.path_info, "path")  # a NUL in the path reaches lookups too
            request.GET = cleaned(request.GET)  # type: ignore[assignment]
            if not request.path.startswith(API_PREFIX):  # the API reads its own body
                self.read_body(request)
        except RequestDataTooBig:
            return self.refuse(request, 413, "", too_big_reason())
        except MultiPartParserError:
            return self.refuse(request, 400, "", gettext("请求内容不是有效的表单"))
        except SuspiciousOperation:  # too many fields or files
            return self.refuse(request, 400, "", gettext("请求参数不正确"))
        except Invalid as exc:
            field, reason = next(iter(exc.fields.items()))
            return self.refuse(request, 422, field, reason)
        return self.get_response(request)

    @staticmethod
    def read_body(request: HttpRequest) -> None:
        """Parse the form now (its values cleaned), or read another body now."""
        if request.method == "POST" and request.content_type in FORM_TYPES:
            request.POST = cleaned(request.POST)  # type: ignore[assignment]
        elif request.method in ("POST", "PUT", "PATCH", "DELETE"):
            request.body  # noqa: B018 - too big → RequestDataTooBig

    @staticmethod
    def refuse(request: HttpRequest, status: int, field: str, reason: str) -> HttpResponse:
        for prefix, refusal in _SHAPES:
            if request.path.startswith(prefix):
                return refusal(request, status, field, reason)
        return plain_refusal(request, status, field, reason)
