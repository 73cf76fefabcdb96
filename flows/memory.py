"""Handing freed memory back to the system, so a long run's processes stay at the size of the work at hand.

glibc's malloc keeps freed memory for reuse, and pyarrow's own allocator (mimalloc) keeps what it
frees too, so a process's memory stayed at the size of its largest batch. Arrow buffers are put in
the system allocator (`use_system_allocator`) and `release_freed` returns what is free between
batches. Where the C library is not glibc, `release_freed` does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable

import pyarrow as pa


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def use_system_allocator() -> None:
    pa.set_memory_pool(pa.system_memory_pool())


def release_freed() -> None:
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
