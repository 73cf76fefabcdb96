"""Freed memory handed back between batches: the parse workers' allocator, and what `release_freed` returns."""

from __future__ import annotations

import gc

import psutil
import pyarrow as pa

from flows import memory, parse_pool


def _arrow_allocator() -> str:
    return pa.default_memory_pool().backend_name


def test_parse_workers_put_arrow_buffers_in_the_system_allocator() -> None:
    try:
        assert parse_pool.run(_arrow_allocator, workers=2) == "system"
    finally:
        parse_pool.shutdown()


def test_a_batch_runs_without_the_cyclic_collector_and_the_worker_gets_it_back() -> None:
    try:
        assert [parse_pool.run(gc.isenabled, workers=2) for _ in range(3)] == [False, False, False]
    finally:
        parse_pool.shutdown()
    assert parse_pool._batch_in_worker(gc.isenabled) is False
    assert gc.isenabled()


def test_release_freed_hands_a_freed_heap_back() -> None:
    """200 MB in 100 KB pieces (malloc's heap, not mmap), freed but for the last piece, which keeps
    malloc from shrinking the heap by itself."""
    process = psutil.Process()
    pieces = [bytearray(100_000) for _ in range(2_000)]
    last = pieces[-1]
    del pieces
    before = process.memory_info().rss
    memory.release_freed()
    after = process.memory_info().rss
    assert before - after > 150 * 2**20
    assert len(last) == 100_000
