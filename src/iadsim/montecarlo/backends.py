"""Monte Carlo stage: where chunks of replications run — serially, in local processes, on Dask.

In: a ``Work`` (the validated sweep points and the replication function, sent to each worker
once) and a list of ``Chunk``. Out: one DataFrame per chunk (one row per replication), handed to
``on_done`` in the calling process as each chunk finishes, in completion order. The rows of a
chunk depend only on the chunk (seeds are fixed per replication), never on the backend, the
number of workers or the order of completion.

* ``serial``: in this process, in order.
* ``processes`` (default): a ``ProcessPoolExecutor`` (spawn start method); the ``Work`` goes to
  each worker once, through the pool initializer. A worker that dies breaks the pool: the
  unfinished chunks are retried in a new pool, up to ``retries`` times.
* ``dask``: a ``LocalCluster`` of ``workers`` single-threaded worker processes (scheduler,
  workers and dashboard listening on loopback only, see :func:`local_cluster`), or the existing
  cluster at ``scheduler``. The ``Work`` is scattered to every worker once
  (``broadcast=True``); chunks are tasks, retried on error, and rescheduled by Dask when the
  worker running them is lost.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd

from iadsim.montecarlo.grid import SweepPoint
from iadsim.montecarlo.seeds import seed_fingerprint
from iadsim.montecarlo.store import Chunk

Replicate = Callable[[SweepPoint, int], dict[str, Any]]
LOOPBACK = "127.0.0.1"
"""``replicate(point, k) -> row``: run replication ``k`` of ``point`` and return its metrics."""

OnDone = Callable[[Chunk, pd.DataFrame], None]
BACKENDS = ("serial", "processes", "dask")


@dataclass(frozen=True, slots=True)
class Work:
    """Everything a worker needs, sent once: the validated points and the replication function."""

    points: tuple[SweepPoint, ...]
    replicate: Replicate


def run_chunk(work: Work, chunk: Chunk) -> pd.DataFrame:
    """Run the replications of one chunk; one row per replication, in replication order.

    Each row starts with ``point``, ``replication``, ``seed`` (the scenario seed),
    ``seed_fingerprint`` (see ``seeds.seed_fingerprint``) and the point's swept values, then the
    replication's metrics, then ``wall_time_s``.
    """
    point = work.points[chunk.point]
    rows = []
    for k in range(chunk.start, chunk.stop):
        start = time.perf_counter()
        metrics = work.replicate(point, k)
        wall = time.perf_counter() - start
        row: dict[str, Any] = {
            "point": chunk.point,
            "replication": k,
            "seed": point.seed,
            "seed_fingerprint": seed_fingerprint(point.seed, chunk.point, k),
        }
        row.update(point.values)
        row.update(metrics)
        row["wall_time_s"] = wall
        rows.append(row)
    return pd.DataFrame(rows)


def execute(work: Work, chunks: Sequence[Chunk], on_done: OnDone, *, backend: str = "processes",
            workers: int | None = None, scheduler: str | None = None, retries: int = 2) -> None:
    """Run every chunk on ``backend`` and call ``on_done(chunk, rows)`` as each one finishes.

    Parameters
    ----------
    backend
        ``serial``, ``processes`` or ``dask`` (``scheduler`` implies ``dask``).
    workers
        Worker processes (``processes``, or the ``LocalCluster`` of ``dask``); default: the CPUs
        this process may use.
    scheduler
        Address of an existing Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
    retries
        How many times a chunk whose worker was lost (or that raised, on Dask) is run again.
    """
    if scheduler is not None:
        backend = "dask"
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS} (got {backend!r})")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1 (got {workers})")
    if not chunks:
        return
    if backend == "serial":
        for chunk in chunks:
            on_done(chunk, run_chunk(work, chunk))
    elif backend == "processes":
        _execute_processes(work, chunks, on_done, workers or available_cpus(), retries)
    else:
        _execute_dask(work, chunks, on_done, workers or available_cpus(), scheduler, retries)


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# -- local processes -------------------------------------------------------------------------

_worker_work: dict[str, Work] = {}
"""Per-worker-process slot for the ``Work`` received once by the pool initializer."""


def _init_worker(work: Work) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the parent
    _worker_work["work"] = work
    parent = multiprocessing.parent_process()
    if parent is not None:  # exit with the parent, even if it was killed with SIGKILL
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _run_chunk_in_worker(chunk: Chunk) -> pd.DataFrame:
    return run_chunk(_worker_work["work"], chunk)


def _execute_processes(work: Work, chunks: Sequence[Chunk], on_done: OnDone, workers: int,
                       retries: int) -> None:
    pending = list(chunks)
    failures = 0
    context = multiprocessing.get_context("spawn")
    while pending:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=context,
                                   initializer=_init_worker, initargs=(work,))
        try:
            with _single_threaded_math():  # workers are spawned by the first submits
                futures: dict[Future[pd.DataFrame], Chunk] = {
                    pool.submit(_run_chunk_in_worker, chunk): chunk for chunk in pending
                }
            not_done = set(futures)
            while not_done:
                done, not_done = wait(not_done, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: futures[f]):
                    rows = future.result()  # raises BrokenProcessPool if a worker died
                    on_done(futures[future], rows)
                    pending.remove(futures[future])
        except BrokenProcessPool:
            failures += 1
            if failures > retries:
                raise
            continue
        except BaseException:
            _terminate(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _single_threaded_math() -> Iterator[None]:
    """One BLAS/OpenMP thread per worker process (as Dask does), unless the user chose.

    Worker processes inherit the environment when they are spawned; several multi-threaded
    BLAS pools on the same cores only compete. The parent's environment is restored after.
    """
    saved = {name: os.environ.get(name) for name in _THREAD_VARS}
    for name in _THREAD_VARS:
        os.environ.setdefault(name, "1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (Ctrl-C): chunks in flight are lost, finished ones are on disk."""
    processes = getattr(pool, "_processes", None) or {}
    for proc in list(processes.values()):
        if proc.is_alive():
            proc.terminate()


# -- dask ------------------------------------------------------------------------------------

def _execute_dask(work: Work, chunks: Sequence[Chunk], on_done: OnDone, workers: int,
                  scheduler: str | None, retries: int) -> None:
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "the dask backend needs dask[distributed]: pip install 'iadsim[dask]'"
        ) from exc
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            scheduler = stack.enter_context(local_cluster(workers)).scheduler_address
        client = Client(scheduler)
        futures = []
        try:
            [shared] = client.scatter([work], broadcast=True, hash=False)
            futures = [client.submit(run_chunk, shared, chunk, pure=False, retries=retries)
                       for chunk in chunks]
            by_key = {f.key: chunk for f, chunk in zip(futures, chunks, strict=True)}
            for future, rows in as_completed(futures, with_results=True):
                on_done(by_key[future.key], rows)
        finally:
            for future in futures:
                future.cancel()
            client.close()


@contextmanager
def local_cluster(workers: int, *, host: str = LOOPBACK,
                  dashboard_address: str | None = None) -> Iterator[Any]:
    """A Dask ``LocalCluster`` of ``workers`` single-threaded processes, closed on exit.

    Parameters
    ----------
    host
        Address the scheduler, the workers (and their nannies) listen on: loopback unless the
        user asks for another one (the dashboard has no authentication).
    dashboard_address
        ``HOST:PORT`` of the scheduler's HTTP server (the dashboard with bokeh installed, health
        and metrics endpoints; Dask starts it even when told not to, on ``:8787``); default
        ``host`` on a free port.
    """
    from dask.distributed import LocalCluster

    if not dashboard_address:
        dashboard_address = f"{host}:0"  # a free port: never "port in use"
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host=host,
                           dashboard_address=dashboard_address)
    try:
        yield cluster
    finally:
        cluster.close()

