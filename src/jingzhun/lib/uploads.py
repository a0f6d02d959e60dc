"""Recognise uploaded files by their first bytes, not by the name the browser sent."""

from __future__ import annotations

from typing import BinaryIO

SIGNATURES = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"%PDF-", "pdf"),
)
IMAGE_KINDS = frozenset({"jpeg", "png", "gif", "webp"})


def sniff(head: bytes) -> str | None:
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def sniff_file(handle: BinaryIO) -> str | None:
    position = handle.tell()
    head = handle.read(16)
    handle.seek(position)
    return sniff(head)


# A photo is shown in a browser and may be thumbnailed: a small file can declare a huge canvas (a
# 60000×60000 PNG compresses to kilobytes and decodes to 10 GB), so the size is read from the header,
# before anything decodes the pixels. Phone cameras reach ~8000 px a side and 50 megapixels.
IMAGE_MAX_SIDE = 12_000
IMAGE_MAX_PIXELS = 60_000_000


def _jpeg_size(handle: BinaryIO) -> tuple[int, int] | None:
    handle.read(2)  # SOI
    for _ in range(10_000):  # markers before the frame header; a bound, not a loop on a broken file
        byte = handle.read(1)
        while byte == b"\xff":
            byte = handle.read(1)
        if not byte:
            return None
        marker = byte[0]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            continue
        length_bytes = handle.read(2)
        if len(length_bytes) < 2:
            return None
        length = int.from_bytes(length_bytes, "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # SOFn: the frame header
            frame = handle.read(5)
            if len(frame) < 5:
                return None
            return int.from_bytes(frame[3:5], "big"), int.from_bytes(frame[1:3], "big")
        if length < 2:
            return None
        handle.seek(length - 2, 1)
    return None


def _webp_size(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8X" and len(head) >= 30:
        return 1 + int.from_bytes(head[24:27], "little"), 1 + int.from_bytes(head[27:30], "little")
    if chunk == b"VP8 " and len(head) >= 30:
        return int.from_bytes(head[26:28], "little") & 0x3FFF, int.from_bytes(head[28:30], "little") & 0x3FFF
    if chunk == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def image_size(handle: BinaryIO, kind: str) -> tuple[int, int] | None:
    """(width, height) declared by an image's header, without decoding it; None when unreadable."""
    position = handle.tell()
    try:
        handle.seek(0)
        if kind == "jpeg":
            return _jpeg_size(handle)
        head = handle.read(32)
        if kind == "png" and head[12:16] == b"IHDR":
            return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        if kind == "gif" and len(head) >= 10:
            return int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
        if kind == "webp":
            return _webp_size(head)
        return None
    finally:
        handle.seek(position)


def image_size_problem(handle: BinaryIO, kind: str) -> str | None:
    """A Chinese reason to refuse the image for its dimensions, or None when they are acceptable."""
    size = image_size(handle, kind)
    if size is None:
        return "无法读取图片尺寸，文件可能已损坏"
    width, height = size
    if width <= 0 or height <= 0:
        return "图片尺寸无效"
    if width > IMAGE_MAX_SIDE or height > IMAGE_MAX_SIDE or width * height > IMAGE_MAX_PIXELS:
        return (
            f"图片尺寸过大（{width}×{height} 像素），每边不超过 {IMAGE_MAX_SIDE} 像素、"
            f"总像素不超过 {IMAGE_MAX_PIXELS // 1_000_000} 百万"
        )
    return None
