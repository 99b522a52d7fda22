"""Evidence checks run after a report photo is stored, whichever page or API added it: in
the task worker after commit (the answer to the upload does not show them), or in this
thread inside `core.mute.muted()` (the demo replaying history)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from pingan.core.mute import is_muted
from pingan.events.models import Attachment


@receiver(post_save, sender=Attachment, dispatch_uid="field_evidence_on_attachment")
def _check_new_photo(sender: Any, instance: Attachment, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    from pingan.field.evidence import evidence_check
    from pingan.field.tasks import evidence_check_photo

    pk = instance.pk
    if is_muted():
        transaction.on_commit(lambda: evidence_check(attachment_id=pk))
    else:
        transaction.on_commit(lambda: evidence_check_photo.enqueue(pk))
