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
