"""Visit photos get a real downscaled thumbnail on upload (lists load it, not the original); tapping
opens the original; both are served only within scope."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from jingzhun.assistance import models as m
from jingzhun.assistance import services
from jingzhun.lib.thumbnails import THUMB_SIDE, make_thumbnail

pytestmark = pytest.mark.django_db


def _image(width: int, height: int, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.radial_gradient("L").resize((width, height)).convert("RGB").save(out, fmt)
    return out.getvalue()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_make_thumbnail_downscales_keeping_the_aspect_and_never_upscales():
    thumb = Image.open(io.BytesIO(make_thumbnail(_image(1600, 900))))
    assert thumb.format == "JPEG" and thumb.size == (THUMB_SIDE, 180)
    small = Image.open(io.BytesIO(make_thumbnail(_image(40, 20))))
    assert small.size == (40, 20)
    assert make_thumbnail(b"\x89PNG\r\n\x1a\n not really a png") is None


def test_it_stores_a_thumbnail_on_upload_and_serves_it_apart_from_the_original(
    paired, admin_actor, helper_user, other_village_cadre
):
    original = _image(1600, 1200)
    visit = services.visit_log(
        actor=admin_actor,
        household=paired["mine"],
        visited_on=date(2018, 6, 1),
        activities="走访",
        photos=[SimpleUploadedFile("门前.png", original, content_type="image/png")],
    )
    photo = visit.photos.get()
    assert photo.thumbnail.name.endswith(".jpg")
    with photo.thumbnail.open("rb") as handle:
        stored = handle.read()
    assert Image.open(io.BytesIO(stored)).size == (THUMB_SIDE, 240)
    assert len(stored) < len(original)

    client = _client(helper_user)
    thumb = client.get(f"/visits/photos/{photo.pk}/thumb/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert b"".join(thumb.streaming_content) == stored
    full = client.get(f"/visits/photos/{photo.pk}/")
    assert full["Content-Type"] == "image/png" and b"".join(full.streaming_content) == original
    # lists show the thumbnail and link it to the original (tap to enlarge)
    page = client.get(f"/households/{paired['mine'].pk}/").content.decode()
    assert f'href="/visits/photos/{photo.pk}/"' in page and f'src="/visits/photos/{photo.pk}/thumb/"' in page
    detail = client.get(f"/visits/{visit.pk}/").content.decode()
    assert (
        f'src="/visits/photos/{photo.pk}/thumb/"' in detail and f'href="/visits/photos/{photo.pk}/"' in detail
    )
    # out of scope: the same 404 as a missing photo
    assert _client(other_village_cadre).get(f"/visits/photos/{photo.pk}/thumb/").status_code == 404


def test_an_image_pillow_cannot_read_keeps_no_thumbnail_and_the_list_shows_the_original(
    paired, admin_actor, helper_user
):
    # A PNG whose header (size 10×10) passes the upload checks, with no image data after it: Pillow
    # cannot decode it. (A file whose header cannot be read at all is refused at upload.)
    ihdr = struct.pack(">IIBBBBB", 10, 10, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    broken = b"\x89PNG\r\n\x1a\n" + chunk + b"\x00" * 64
    visit = services.visit_log(
        actor=admin_actor,
        household=paired["mine"],
        visited_on=date(2018, 6, 1),
        activities="走访",
        photos=[SimpleUploadedFile("x.png", broken, content_type="image/png")],
    )
    photo = m.VisitPhoto.objects.get(visit=visit)
    assert not photo.thumbnail
    served = _client(helper_user).get(f"/visits/photos/{photo.pk}/thumb/")
    assert served["Content-Type"] == "image/png" and b"".join(served.streaming_content) == broken
