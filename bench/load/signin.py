"""What the load scenarios share for signing in on the web page."""

from __future__ import annotations

import re
from typing import Any

_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(client: Any, page: Any) -> str:
    """The CSRF token for a sign-in form: the cookie's, else the form's hidden field."""
    token = client.cookies.get("csrftoken")
    if token:
        return str(token)
    found = _FIELD.search(page.text)
    if found is None:
        raise RuntimeError(f"no CSRF token on /login/ ({page.status_code})")
    return found.group(1)
