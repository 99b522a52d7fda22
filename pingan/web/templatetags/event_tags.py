"""Template helpers of the event pages and lists: the deadline state's one word."""

from __future__ import annotations

from django import template

from pingan.events.choices import DeadlineState

register = template.Library()


@register.filter
def deadline_word(state: str | None) -> str:
    """正常 / 临期 / 超期 for a deadline state (translated), "" for none or an unknown one:
    the word every page, list and export shows beside the light (DeadlineState's label)."""
    if not state or state not in DeadlineState.values:
        return ""
    return str(DeadlineState(state).label)
