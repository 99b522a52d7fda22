"""Photos are served through the scope check, never from a public /media/ URL: a photo
of a dispute can show faces, house numbers and number plates."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from pingan.core.errors import NotFound
from pingan.events.selectors import attachment_detail


@login_required
@require_GET
def event_photo(
    request: HttpRequest, event_id: int, attachment_id: int, size: str = "full"
) -> FileResponse:
    try:
        photo = attachment_detail(user=request.user, event_id=event_id, attachment_id=attachment_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    stored = photo.thumbnail if size == "thumb" and photo.thumbnail else photo.file
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404("照片文件不存在") from exc
    response = FileResponse(handle, content_type=photo.content_type or "image/jpeg")
    # Private to the signed-in user's browser; never kept by a shared proxy.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
