"""Background tasks of the assessment: ids in, a service call, nothing else."""

from __future__ import annotations

from django_tasks import task

from pingan.access.actor import Actor
from pingan.assessment import scoring


@task()
def assessment_score(scheme_id: int, round_: str | None = None) -> dict[str, int]:
    """Score a whole scheme (both rounds unless one is named)."""
    return scoring.scheme_score(
        actor=Actor.system("assessment"), scheme_id=scheme_id, round_=round_
    )
