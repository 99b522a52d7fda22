"""Background work of triage: ids in, call a service."""

from __future__ import annotations

from django_tasks import task

from pingan.triage import services


@task()
def train_classifier() -> int:
    """Retrain from history (dispatchers' corrections included); returns samples used."""
    bundle = services.classifier_train()
    return bundle.category.samples if bundle.category else 0


@task()
def triage_event(event_id: int) -> None:
    services.intake(event_id=event_id)
