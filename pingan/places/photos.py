"""Photos of checks (a rental house's or a place's): the pixels are checked and cleaned by
`events.photos` (EXIF removed, the time taken and the coordinates kept), stored through
Django's default storage, and read back only behind the scope check."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.events import photos
from pingan.places.models import CheckPhoto, PlaceCheck, RentalCheck
from pingan.places.permissions import access_place, access_rental, can_write, places_scope_q

KINDS = ("rental", "place")


def _uuid(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid("client_uuid", gettext("不是有效的UUID")) from None


def _check(actor: Actor, kind: str, record_id: int, check_id: int) -> RentalCheck | PlaceCheck:
    if kind == "rental":
        house = access_rental(actor, record_id)
        check: RentalCheck | PlaceCheck | None = RentalCheck.objects.filter(
            house=house, pk=check_id
        ).first()
        path = house.region_path
    else:
        place = access_place(actor, record_id)
        check = PlaceCheck.objects.filter(place=place, pk=check_id).first()
        path = place.region_path
    if check is None:
        raise NotFound(gettext("检查记录不存在"))
    if not can_write(actor, path):
        raise Forbidden(gettext("当前角色不能上传检查照片"))
    return check


def check_photo_add(
    *,
    actor: Actor | Any,
    kind: str,
    record_id: int,
    check_id: int,
    upload: Any,
    client_uuid: uuid.UUID | str | None = None,
) -> tuple[CheckPhoto, bool]:
    """Add a photo to a check of a house (`kind` "rental") or a place ("place") the actor
    may check; returns (photo, created), the same `client_uuid` again the first photo.
    404 out of scope, 403 for a role that may not check, 422 not a photo or too large."""
    actor = as_actor(actor)
    key = _uuid(client_uuid)
    check = _check(actor, kind, record_id, check_id)
    if key is not None:
        found = CheckPhoto.objects.filter(client_uuid=key).first()
        if found is not None:
            if found.uploaded_by_id != actor.pk:
                raise Conflict(gettext("client_uuid 已被使用"))
            return found, False
    clean = photos.clean(photos.read_upload(upload))
    photo = CheckPhoto(
        rental_check=check if isinstance(check, RentalCheck) else None,
        place_check=check if isinstance(check, PlaceCheck) else None,
        size=clean.size,
        width=clean.width,
        height=clean.height,
        sha256=clean.sha256,
        taken_at=clean.taken_at,
        lat=clean.lat,
        lng=clean.lng,
        uploaded_by=actor.user,
        uploaded_at=clock.now(),
        client_uuid=key,
    )

    def write() -> None:
        photo.save()
        actor.audit(
            "places.photo.add",
            object_type=kind,
            object_id=record_id,
            detail={"check": check.pk, "photo": photo.pk, "sha256": clean.sha256},
        )

    return photos.store(
        photo,
        clean,
        write=write,
        again=lambda: CheckPhoto.objects.filter(client_uuid=key).first() if key else None,
    )


def check_photo_get(*, actor: Actor | Any, photo_id: int) -> CheckPhoto:
    """One photo whose house or place the actor may see; 404 for missing and out of
    scope alike."""
    actor = as_actor(actor)
    photo = (
        CheckPhoto.objects.select_related("rental_check__house", "place_check__place")
        .filter(pk=photo_id)
        .first()
    )
    if photo is not None:
        owner: Any = (
            photo.rental_check.house if photo.rental_check_id else photo.place_check.place  # type: ignore[union-attr]
        )
        if type(owner).objects.filter(places_scope_q(actor), pk=owner.pk).exists():
            return photo
    raise NotFound(gettext("照片不存在"))
