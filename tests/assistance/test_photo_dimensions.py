"""Issue 15 #13: a photo declaring a huge canvas (60000×60000 compresses to kilobytes, decodes to 10 GB)
is refused from its header, with a Chinese message; ordinary photos of each kind pass."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jingzhun.assistance import models as m
from jingzhun.assistance import services
from jingzhun.core.errors import ValidationFailed
from jingzhun.lib.uploads import image_size, image_size_problem
from tests.assistance.conftest import png_bytes


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def huge_png(width: int = 60000, height: int = 60000) -> bytes:
    """A PNG whose header declares width×height; its one IDAT row would inflate to gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + _chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = (
        b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    )
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def webp_vp8x(width: int, height: int) -> bytes:
    body = (
        b"VP8X"
        + struct.pack("<I", 10)
        + b"\x00\x00\x00\x00"
        + (width - 1).to_bytes(3, "little")
        + (height - 1).to_bytes(3, "little")
    )
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


@pytest.mark.parametrize(
    "data, kind, size",
    [
        (png_bytes(3, 2), "png", (3, 2)),
        (jpeg(4000, 3000), "jpeg", (4000, 3000)),
        (gif(640, 480), "gif", (640, 480)),
        (webp_vp8x(1920, 1080), "webp", (1920, 1080)),
        (huge_png(), "png", (60000, 60000)),
    ],
)
def test_it_reads_the_size_from_the_header(data, kind, size):
    assert image_size(io.BytesIO(data), kind) == size


@pytest.mark.parametrize(
    "data, kind",
    [
        (huge_png(), "png"),
        (jpeg(60000, 60000), "jpeg"),
        (gif(60000, 60000), "gif"),
        (webp_vp8x(16000, 16000), "webp"),
        (huge_png(12000, 9000), "png"),
    ],
)
def test_it_refuses_a_huge_canvas_of_every_kind(data, kind):
    problem = image_size_problem(io.BytesIO(data), kind)
    assert problem is not None and "图片尺寸过大" in problem


def test_a_truncated_header_is_refused_too():
    assert (
        image_size_problem(io.BytesIO(b"\xff\xd8\xff\xe0\x00"), "jpeg") == "无法读取图片尺寸，文件可能已损坏"
    )


def test_a_visit_with_a_60000_pixel_png_is_refused_with_a_chinese_message(paired, helper_actor):
    photo = SimpleUploadedFile("炸弹.png", huge_png(), content_type="image/png")
    with pytest.raises(ValidationFailed) as exc:
        services.visit_log(
            actor=helper_actor,
            household=paired["mine"],
            visited_on=date.today(),
            activities="走访",
            photos=[photo],
        )
    assert exc.value.errors["photos"].startswith("照片“炸弹.png”：图片尺寸过大（60000×60000 像素）")
    assert not m.Visit.objects.exists()


def test_the_visit_page_shows_the_refusal(client, paired, helper_user):
    client.force_login(helper_user)
    photo = SimpleUploadedFile("炸弹.png", huge_png(), content_type="image/png")
    response = client.post(
        f"/households/{paired['mine'].pk}/visits/new/",
        {"visited_on": date.today().isoformat(), "activities": "走访", "photos": [photo]},
    )
    assert response.status_code == 200
    assert "图片尺寸过大" in response.content.decode()
    assert not m.Visit.objects.exists()
