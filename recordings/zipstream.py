"""A zip written forward only, of stored (uncompressed) entries, ZIP64 throughout, whose large entries the kernel
copies from file to file.

`zipfile` passes every byte of an entry through Python to take its CRC-32. An export package holds recordings whose
CRC-32 is already known (taken when they were last checked), so their bytes can go straight from the stored file to
the package with `os.copy_file_range`, inside the kernel, as `shutil.copyfile` does. Entries whose CRC-32 is not
known are written through Python with a data descriptor after them. Every entry carries ZIP64 sizes (recordings of
several GB stay readable); names are UTF-8. The archive is read by `zipfile`, `unzip` and `bsdtar` alike.
"""

from __future__ import annotations

import errno
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

ZIP64_VERSION = 45
MADE_ON_UNIX = 3 << 8
UTF8_NAMES = 0x0800
DATA_DESCRIPTOR_FOLLOWS = 0x0008
REGULAR_FILE = 0o100644 << 16
UNKNOWN_32 = 0xFFFF_FFFF
UNKNOWN_16 = 0xFFFF
COPY_STEP = 1 << 30  # bytes asked of one copy_file_range call
# copy_file_range refused (another filesystem on an older kernel, a file system without it): copy through Python
KERNEL_COPY_UNAVAILABLE = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EBADF}


@dataclass
class _Entry:
    name: bytes
    offset: int
    flags: int
    crc32: int = 0
    size: int = 0


class ZipWriter:
    """Entries are added in order; `close` writes the central directory and returns the archive's size."""

    def __init__(self, out: IO[bytes], *, modified: datetime) -> None:
        self._out = out
        self._position = 0
        self._entries: list[_Entry] = []
        self._reserved_until = 0
        self._dos_time = (modified.hour << 11) | (modified.minute << 5) | (modified.second // 2)
        self._dos_date = ((modified.year - 1980) << 9) | (modified.month << 5) | modified.day

    def reserve(self, size: int) -> None:
        """Allocate `size` more bytes of the output file ahead (a file grown extent by extent as it is written is
        some 20 % slower to fill); `close` trims what was not used. Nothing happens for an output that is not a
        file, or a file system that cannot."""
        try:
            descriptor = self._out.fileno()
        except (AttributeError, OSError, ValueError):
            return
        self._out.flush()
        try:
            os.posix_fallocate(descriptor, self._position, size)
        except (AttributeError, OSError):  # not Linux, or the file system has no fallocate
            return
        self._reserved_until = max(self._reserved_until, self._position + size)

    def add_bytes(self, name: str, data: bytes) -> None:
        entry = self._begin(name, crc32=zlib.crc32(data), size=len(data))
        self._write(data)
        self._entries.append(entry)

    def add_copy(self, name: str, source: Any, *, size: int, crc32: int) -> int:
        """Copy `size` bytes of the opened `source` from its start, their CRC-32 known; returns the bytes copied
        (fewer when the file was shorter: the archive is then unusable and must be thrown away)."""
        entry = self._begin(name, crc32=crc32, size=size)
        copied = self._kernel_copy(source, size)
        if copied < size:
            copied += self._python_copy(source, size - copied, start=copied)
        self._entries.append(entry)
        return copied

    def add_streamed(self, name: str, fill: Callable[[Callable[[Any], None]], None]) -> None:
        """An entry whose bytes `fill` hands to the writer it is given, chunk by chunk; CRC-32 and size follow it."""
        entry = self._begin(name, crc32=0, size=0, streamed=True)
        crc, size = 0, 0

        def write(chunk: Any) -> None:
            nonlocal crc, size
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            self._write(chunk)

        fill(write)
        entry.crc32, entry.size = crc, size
        self._write(struct.pack("<IIQQ", 0x08074B50, crc, size, size))
        self._entries.append(entry)

    def close(self) -> int:
        directory_offset = self._position
        for entry in self._entries:
            self._write(self._central_header(entry))
        directory_size = self._position - directory_offset
        end64_offset = self._position
        count = len(self._entries)
        self._write(
            struct.pack(
                "<IQHHIIQQQQ",
                0x06064B50,
                44,
                MADE_ON_UNIX | ZIP64_VERSION,
                ZIP64_VERSION,
                0,
                0,
                count,
                count,
                directory_size,
                directory_offset,
            )
        )
        self._write(struct.pack("<IIQI", 0x07064B50, 0, end64_offset, 1))
        self._write(
            struct.pack(
                "<IHHHHIIH",
                0x06054B50,
                0,
                0,
                min(count, UNKNOWN_16),
                min(count, UNKNOWN_16),
                min(directory_size, UNKNOWN_32),
                min(directory_offset, UNKNOWN_32),
                0,
            )
        )
        self._out.flush()
        if self._reserved_until > self._position:
            os.ftruncate(self._out.fileno(), self._position)
        return self._position

    def _begin(self, name: str, *, crc32: int, size: int, streamed: bool = False) -> _Entry:
        entry = _Entry(
            name=name.encode(),
            offset=self._position,
            flags=UTF8_NAMES | (DATA_DESCRIPTOR_FOLLOWS if streamed else 0),
            crc32=crc32,
            size=size,
        )
        extra = struct.pack("<HHQQ", 0x0001, 16, size, size)
        header = struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            ZIP64_VERSION,
            entry.flags,
            0,  # stored
            self._dos_time,
            self._dos_date,
            crc32,
            UNKNOWN_32,
            UNKNOWN_32,
            len(entry.name),
            len(extra),
        )
        self._write(header + entry.name + extra)
        return entry

    def _central_header(self, entry: _Entry) -> bytes:
        extra = struct.pack("<HHQQQ", 0x0001, 24, entry.size, entry.size, entry.offset)
        header = struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            MADE_ON_UNIX | ZIP64_VERSION,
            ZIP64_VERSION,
            entry.flags,
            0,
            self._dos_time,
            self._dos_date,
            entry.crc32,
            UNKNOWN_32,
            UNKNOWN_32,
            len(entry.name),
            len(extra),
            0,
            0,
            0,
            REGULAR_FILE,
            UNKNOWN_32,
        )
        return header + entry.name + extra

    def _write(self, data: Any) -> None:
        self._out.write(data)
        self._position += len(data)

    def _kernel_copy(self, source: Any, size: int) -> int:
        """Copy inside the kernel from file to file; 0 when either side is not a file or the kernel refuses."""
        try:
            source_fd, out_fd = source.fileno(), self._out.fileno()
        except (AttributeError, OSError, ValueError):
            return 0
        if not hasattr(os, "copy_file_range"):  # not Linux
            return 0
        self._out.flush()
        copied = 0
        try:
            while copied < size:
                step = os.copy_file_range(
                    source_fd, out_fd, min(COPY_STEP, size - copied), copied, self._position + copied
                )
                if step == 0:
                    break
                copied += step
        except OSError as exc:
            if exc.errno not in KERNEL_COPY_UNAVAILABLE or copied:
                raise
        self._position += copied
        self._out.seek(self._position)
        return copied

    def _python_copy(self, source: Any, size: int, *, start: int) -> int:
        source.seek(start)
        copied = 0
        while copied < size and (chunk := source.read(min(1024 * 1024, size - copied))):
            self._write(chunk)
            copied += len(chunk)
        return copied
