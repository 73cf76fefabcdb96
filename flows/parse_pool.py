"""Local parallelism for the CPU-bound parse stage: a pool of worker processes.

Prefect tasks (one per batch) run in threads; each hands its batch to this pool, so batches
are parsed on every core. The pool starts from a forkserver that has imported the parsing
code once and warmed it up, so a worker costs a fork, not a fresh interpreter. A run whose only
batch is small never starts the pool.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import multiprocessing.forkserver
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from flows import memory

T = TypeVar("T")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
PRELOAD = ["flows.warm_batch"]  # what the forkserver imports before it forks a worker


def _context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start_forkserver() -> None:
    """Start the forkserver now, without waiting for it: its imports and warm-up (a second) then
    overlap whatever this process does next instead of delaying the first batch."""
    _context()
    multiprocessing.forkserver.ensure_running()


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_tune_worker)
            atexit.register(shutdown)
        return _pool


def _tune_worker() -> None:
    """A worker allocates millions of short-lived objects per batch, so the cyclic collector ran a
    hundred times per batch over the whole imported heap. Frozen, the imported heap is no longer
    traversed; with a higher threshold the youngest generation is collected a tenth as often.
    Arrow buffers (the batch's frames) come from the system allocator, so that they can be handed back."""
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
    memory.use_system_allocator()


def _batch_in_worker(fn: Callable[..., T], *args: object) -> T:
    """fn(*args), after the memory the previous batch freed is handed back to the system, and without the
    cyclic collector. Without the hand-back a worker's heap stays at its largest batch's: in a
    100,000-document run the two workers and their forkserver took a median of 0.63 GB instead of 0.84,
    at no measurable cost. A batch's parse leaves six objects in reference cycles, so collecting once per
    batch, here, frees the same memory as collecting while it runs, and parsing takes 2% less CPU."""
    gc.collect()
    memory.release_freed()
    gc.disable()
    try:
        return fn(*args)
    finally:
        gc.enable()


def shutdown() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(cancel_futures=True)
            _pool = None


def run_later(fn: Callable[..., T], *args: object, in_worker: bool = False) -> Callable[[], T]:
    """Start fn(*args) in a fresh worker process, and return what gives its result. The parse pool,
    idle by then, is shut down first: each of its workers still holds the heap its largest batch grew
    (300 to 400 MB), where a fresh fork from the forkserver starts from the warmed-up imports. Without
    a running pool (a small run, or one on Dask) fn runs here, when its result is asked for, unless
    `in_worker` says it is worth a process of its own."""
    with _lock:
        started = _pool is not None
    if not started and not in_worker:
        return lambda: fn(*args)
    shutdown()
    executor = ProcessPoolExecutor(max_workers=1, mp_context=_context(), initializer=_tune_worker)
    try:
        future = executor.submit(fn, *args)
    except BrokenProcessPool:
        return lambda: fn(*args)
    finally:
        executor.shutdown(wait=False)  # the worker exits once fn is done

    def result() -> T:
        try:
            return future.result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): do it here
            return fn(*args)

    return result


def run(fn: Callable[..., T], *args: object, workers: int, inline: bool = False) -> T:
    """fn(*args) in a worker process, or here when one worker is asked for or `inline` is set."""
    if workers <= 1 or (inline and _pool is None):
        return fn(*args)
    try:
        return _get_pool(workers).submit(_batch_in_worker, fn, *args).result()
    except BrokenProcessPool:
        shutdown()  # a worker died (killed, out of memory): a retry starts a fresh pool
        raise
