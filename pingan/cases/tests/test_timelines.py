"""Every registered case kind names its timeline model, a TimelineEntry whose foreign key
`timeline_case_field` points at the kind's model: the engine's default record() writes it."""

from __future__ import annotations

from pingan.cases.kind import kinds
from pingan.cases.models import TimelineEntry


def test_every_kind_names_a_timeline_pointing_at_its_model():
    assert kinds()
    for kind in kinds():
        assert issubclass(kind.timeline, TimelineEntry), kind.name
        field = kind.timeline._meta.get_field(kind.timeline_case_field)
        assert field.related_model is kind.model, kind.name
