"""Background work of the emergency app: ids in, call a service, nothing else."""

from __future__ import annotations

from django_tasks import task

from pingan.emergency import notify
from pingan.emergency.models import Activation, ActivationTransition


def _activation(activation_id: int) -> Activation | None:
    return (
        Activation.objects.select_related("plan", "event", "region", "commander", "created_by")
        .filter(pk=activation_id)
        .first()
    )


@task()
def activation_notify(activation_id: int) -> None:
    """The call-up of a new activation: duty officers first, then the groups."""
    activation = _activation(activation_id)
    if activation is not None:
        notify.activated(activation)


@task()
def activation_changed(activation_id: int, transition_id: int) -> None:
    """A level change, a new task or the stand-down, told to those concerned."""
    activation = _activation(activation_id)
    row = ActivationTransition.objects.filter(pk=transition_id).first()
    if activation is not None and row is not None:
        notify.changed(activation, row)
