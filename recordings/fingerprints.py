"""What identifies a stored file's bytes without reading them: the basis for trusting a recent SHA-256 check.

On local storage a file's bytes cannot change without its inode's change time moving (every write, truncate or
rename-over does it, and no system call sets it back), so (device, inode, size, modification and change times, in
nanoseconds) taken from the open file stands for "the same bytes as when they were checked", as git's index and
rsync's quick check rely on. It does not catch a disk silently corrupting a block: the integrity walk
(`verify_due_recordings`) re-reads every file on its schedule for that, and the package's verifier checks every byte
at the regulator's end. Other storages give no such identity here: their files are always hashed at export.
"""

from __future__ import annotations

import os
from typing import Any


def open_file_identity(opened: Any) -> str:
    """The identity of an opened stored file, or "" when its storage gives none (not a local file)."""
    try:
        descriptor = opened.fileno()
    except (AttributeError, OSError, ValueError):
        return ""
    found = os.fstat(descriptor)
    return f"{found.st_dev}:{found.st_ino}:{found.st_size}:{found.st_mtime_ns}:{found.st_ctime_ns}"
