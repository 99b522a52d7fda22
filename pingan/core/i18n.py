"""Translation helpers the project adds to Django's."""

from __future__ import annotations


def pgettext_noop(context: str, message: str) -> str:
    """Mark `message` for translation in `context` without translating it now.

    The message stays the Chinese msgid (for code, docs and stored data); translate it
    where it is shown with `pgettext(context, message)`. Our `makemessages` (in
    pingan/core/management/commands) extracts these marks; Django's alone does not.
    """
    return message
