"""Photos are served only to users who may see their event; there is no public URL."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from pingan.accounts.services import token_issue
from pingan.events.attachments import attachment_add
from pingan.events.services import event_report


def _photo_event(cast):
    lat, lng = cast.point_a1
    event = event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description="楼道堆放杂物，邻居争吵",
        lat=lat,
        lng=lng,
    )[0]
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (120, 160, 200)).save(buf, "JPEG")
    upload = SimpleUploadedFile("IMG_1.jpg", buf.getvalue(), content_type="image/jpeg")
    photo, _ = attachment_add(actor=cast.gridworker, event_id=event.pk, upload=upload)
    return event, photo


def _get(client: Client, user, url: str):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("name", ["event_photo", "event_photo_thumb"])
def test_photo_is_served_to_the_towns_dispatcher(cast, name):
    event, photo = _photo_event(cast)
    response = _get(Client(), cast.dispatcher, reverse(name, args=[event.pk, photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    if name == "event_photo_thumb":
        assert max(image.size) < 800
    else:
        assert image.size == (800, 600)


@pytest.mark.parametrize("who", ["dispatcher_b", "handler_housing", "gridworker_b"])
def test_photo_of_an_event_out_of_scope_is_404(cast, who):
    event, photo = _photo_event(cast)
    response = _get(Client(), getattr(cast, who), reverse("event_photo", args=[event.pk, photo.pk]))
    assert response.status_code == 404


def test_photo_id_of_another_event_is_404(cast):
    _event, photo = _photo_event(cast)
    other, _ = _photo_event(cast)
    response = _get(Client(), cast.dispatcher, reverse("event_photo", args=[other.pk, photo.pk]))
    assert response.status_code == 404


def test_signed_out_visitor_is_sent_to_login(cast):
    event, photo = _photo_event(cast)
    response = Client().get(reverse("event_photo", args=[event.pk, photo.pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_stored_file_has_no_public_media_url(cast):
    _, photo = _photo_event(cast)
    client = Client()
    client.force_login(cast.dispatcher)
    assert client.get("/media/" + photo.file.name).status_code == 404


def test_api_lists_photo_urls_that_check_the_token_scope(cast):
    event, _photo = _photo_event(cast)
    own = {"Authorization": f"Bearer {token_issue(user=cast.dispatcher)}"}
    other = {"Authorization": f"Bearer {token_issue(user=cast.dispatcher_b)}"}
    listed = Client().get(f"/api/v1/events/{event.pk}/attachments", headers=own).json()
    url = listed[0]["url"]
    assert "/media/" not in url
    assert Client().get(url, headers=own).status_code == 200
    assert Client().get(url, headers=other).status_code == 404
    assert Client().get(url).status_code == 401
