"""`{% evidence_flags event %}`: the doubts about an event's report photos, for the
dispatcher's event page."""

from __future__ import annotations

from typing import Any

from django import template

from pingan.field.evidence import event_flags

register = template.Library()


@register.inclusion_tag("field/evidence_flags.html")
def evidence_flags(event: Any) -> dict[str, Any]:
    return {"flags": event_flags(event)}
