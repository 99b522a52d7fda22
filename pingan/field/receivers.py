"""Evidence checks run after a report photo is stored, whichever page or API added it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from pingan.events.models import Attachment


@receiver(post_save, sender=Attachment, dispatch_uid="field_evidence_on_attachment")
def _check_new_photo(sender: Any, instance: Attachment, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    from pingan.field.evidence import evidence_check

    pk = instance.pk
    transaction.on_commit(lambda: evidence_check(attachment_id=pk))
