"""Limits of one uploaded workbook or CSV folder (上传限制, issue 15 #9).

A 535 KB xlsx whose workbook.xml inflates to 512 MB, or a 983 KB zip holding a 15-million-row CSV, must be
refused before it costs the worker gigabytes or minutes. Three limits, each with a Chinese message:

- **from the zip directory, before reading**: each member's declared inflated size (`file_size`) at most
  `JINGZHUN_UPLOAD_MAX_INFLATED_BYTES`, all members together at most `JINGZHUN_UPLOAD_MAX_INFLATED_TOTAL_BYTES`;
  parts that are parsed whole (workbook.xml, styles, relationships) at most `METADATA_MAX_BYTES`;
- **while streaming**: the bytes actually inflated are counted (`LimitedStream`), so a member whose directory
  entry lies is stopped at the same limit;
- **rows**: the data rows of all sheets of one upload at most `JINGZHUN_UPLOAD_MAX_ROWS`.

Nothing is written: the limits trip while the file is read, before the import's write pass.
"""

from __future__ import annotations

import zipfile
from typing import IO, Any

from django.conf import settings

MB = 1024 * 1024
# workbook.xml, styles.xml and the .rels parts are parsed whole; a real one is a few KB.
METADATA_MAX_BYTES = 16 * MB


class UploadLimitError(Exception):
    """The upload is over a limit; the message is Chinese and says which and what to do."""


def member_max() -> int:
    return int(getattr(settings, "JINGZHUN_UPLOAD_MAX_INFLATED_BYTES", 2048 * MB))


def total_max() -> int:
    return int(getattr(settings, "JINGZHUN_UPLOAD_MAX_INFLATED_TOTAL_BYTES", 4096 * MB))


def rows_max() -> int:
    return int(getattr(settings, "JINGZHUN_UPLOAD_MAX_ROWS", 3_000_000))


def _mb(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= MB else f"{size / 1024:.0f} KB"


def check_archive(archive: zipfile.ZipFile, *, small: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Refuse from the zip directory alone: a member (or, for `small` parts, a parsed-whole part) or the
    whole archive inflating past its limit."""
    per_member, total_limit = member_max(), total_max()
    total = 0
    for info in archive.infolist():
        limit = METADATA_MAX_BYTES if info.filename in small else per_member
        if info.file_size > limit:
            raise UploadLimitError(
                f"文件中的 {info.filename} 解压后有 {_mb(info.file_size)}，超过单个部分的上限 {_mb(limit)}："
                "可能是异常或被篡改的文件，未导入任何内容。请检查文件，或拆分后分批导入。"
            )
        total += info.file_size
    if total > total_limit:
        raise UploadLimitError(
            f"文件解压后共有 {_mb(total)}，超过上限 {_mb(total_limit)}，未导入任何内容。请拆分后分批导入。"
        )


class LimitedStream:
    """A binary stream that refuses to give more than `limit` inflated bytes (the directory may lie)."""

    def __init__(self, raw: IO[bytes], limit: int, name: str):
        self.raw = raw
        self.limit = limit
        self.name = name
        self.seen = 0

    def _count(self, data: bytes) -> bytes:
        self.seen += len(data)
        if self.seen > self.limit:
            raise UploadLimitError(
                f"文件中的 {self.name} 解压后超过上限 {_mb(self.limit)}：可能是异常或被篡改的文件，"
                "未导入任何内容。请检查文件，或拆分后分批导入。"
            )
        return data

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            # never inflate everything at once: read in bounded pieces, counting as we go
            parts = []
            while chunk := self.read(1 << 20):
                parts.append(chunk)
            return b"".join(parts)
        return self._count(self.raw.read(n))

    def read1(self, n: int = -1) -> bytes:
        return self.read(n if n and n > 0 else 1 << 16)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return bool(getattr(self.raw, "closed", False))

    def flush(self) -> None:
        """A read-only stream has nothing to flush."""

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> LimitedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def rows_message(limit: int) -> str:
    return (
        f"文件的数据行超过上限 {limit:,} 行，未导入任何内容。请按乡镇拆分后分批导入"
        "（上限可由管理员通过 JINGZHUN_UPLOAD_MAX_ROWS 调整）。"
    )
