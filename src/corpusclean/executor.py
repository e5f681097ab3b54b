"""Run a plan's shards in supervised worker processes.

trafilatura has no size or time limit of its own, and lxml's C code cannot be
interrupted from Python, so the only reliable guard against a page that hangs
or explodes is a process we can kill. The parent hands out one page at a time
to each worker, watches the clock, and when a page runs past
`limits.page_timeout_s` kills that worker, records the page as a `timeout`
reject, and starts a fresh worker; a worker that dies (out of memory, a crash
in C code) costs only its current page (`extract_error`). The parent collects
results per shard in input order and stages each shard when it is complete, so
the dataset does not depend on which worker finished first or on how many
workers there were.

With `workers == 0` pages are processed in this process, without guards
(for debugging and profiling).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

from corpusclean.pages import process_page, warm_up
from corpusclean.pipeline import RunPlan, Shard, ShardResult, process_shard, resumed_shard, shard_pages, stage_shard
from corpusclean.records import Article, RawPage, Reject, RejectReason

_IDLE_POLL_S = 1.0
_PR_SET_PDEATHSIG = 1
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _context() -> multiprocessing.context.DefaultContext:
    # fork starts a worker in milliseconds with trafilatura already imported; the
    # pool starts before any thread of ours. Elsewhere (macOS, Windows): spawn.
    return multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")  # type: ignore[return-value]


def _rss_bytes(pid: int | None) -> int:
    """Resident memory of a worker (Linux /proc); 0 where it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


def _die_with_parent() -> None:
    """Linux: have the kernel kill this worker when the parent dies (SIGKILL leaves no orphans)."""
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # best effort: the worker still exits when its pipe closes


def _worker_main(conn: Connection, plan: RunPlan) -> None:
    _die_with_parent()
    # The parent owns Ctrl-C: a worker must not die of SIGINT mid-page and be miscounted.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    now = dt.datetime.fromisoformat(plan.started)
    while True:
        try:
            page = conn.recv()
        except (EOFError, OSError):
            return
        if page is None:
            return
        try:
            result: Article | Reject = process_page(page, plan.config, now)
        except Exception as exc:  # process_page already catches extractor errors; this is a last net
            result = Reject(page.source_path, RejectReason.EXTRACT_ERROR, f"{type(exc).__name__}: {exc}"[:500])
        except MemoryError:
            result = Reject(page.source_path, RejectReason.EXTRACT_ERROR, "out of memory while processing the page")
        conn.send(result)


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    job: tuple[int, int, RawPage] | None = None  # (shard index, position in shard, page)
    started: float = 0.0
    pages: int = 0  # pages this process has extracted


@dataclass
class _ShardBuffer:
    size: int | None = None  # known once the shard's pages have all been read
    results: dict[int, Article | Reject] = field(default_factory=dict)
    seconds: float = 0.0


class Supervisor:
    """Hands out pages to worker processes and enforces the per-page time limit."""

    def __init__(self, plan: RunPlan, workers: int, progress: Callable[[int], None] | None) -> None:
        self.plan = plan
        self.workers = workers
        self.progress = progress
        self.timeout = plan.config.limits.page_timeout_s
        self.memory_limit = plan.config.limits.worker_memory_mb << 20
        self.recycle_after = plan.config.limits.worker_max_pages
        self.ctx = _context()
        self.pool: list[_Worker] = []
        self.results: list[ShardResult] = []
        self.buffers: dict[int, _ShardBuffer] = {}
        todo = []
        for shard in plan.shards:
            if (done := resumed_shard(plan, shard)) is not None:
                self.results.append(done)
                if progress is not None:
                    progress(done.pages)
            else:
                todo.append(shard)
                self.buffers[shard.index] = _ShardBuffer()
        self.jobs = self._jobs(todo)
        self.exhausted = False

    def _jobs(self, shards: list[Shard]) -> Iterator[tuple[int, int, RawPage]]:
        """Pages to extract, read here in input order; read errors are recorded without a worker."""
        for shard in shards:
            position = 0
            for page in shard_pages(self.plan, shard):
                if isinstance(page, Reject):
                    self._record((shard.index, position, page.source_path), page, 0.0)
                else:
                    yield shard.index, position, page
                position += 1
            self.buffers[shard.index].size = position
            self._maybe_stage(shard.index)

    def _spawn(self) -> _Worker:
        parent, child = self.ctx.Pipe()
        process = self.ctx.Process(target=_worker_main, args=(child, self.plan), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _dispatch(self, worker: _Worker) -> None:
        job = None if self.exhausted else next(self.jobs, None)
        if job is None:
            self.exhausted = True
            worker.job = None
            return
        worker.job = job
        worker.started = time.monotonic()
        worker.conn.send(job[2])

    def _record(self, job: tuple[int, int, str], result: Article | Reject, seconds: float) -> None:
        shard_index, position, _path = job
        buffer = self.buffers[shard_index]
        buffer.results[position] = result
        buffer.seconds += seconds
        if self.progress is not None:
            self.progress(1)
        self._maybe_stage(shard_index)

    def _maybe_stage(self, shard_index: int) -> None:
        buffer = self.buffers.get(shard_index)
        if buffer is None or buffer.size is None or len(buffer.results) != buffer.size:
            return
        ordered = [buffer.results[i] for i in range(buffer.size)]
        shard = self.plan.shards[shard_index]
        self.results.append(stage_shard(self.plan, shard, ordered, buffer.seconds))
        del self.buffers[shard_index]

    def _job_key(self, worker: _Worker) -> tuple[int, int, str]:
        assert worker.job is not None
        shard_index, position, page = worker.job
        return shard_index, position, page.source_path

    def _replace(self, worker: _Worker, reason: RejectReason, detail: str) -> _Worker:
        key = self._job_key(worker)
        self._record(key, Reject(key[2], reason, detail), time.monotonic() - worker.started)
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        fresh = self._spawn()
        self._dispatch(fresh)
        return fresh

    def run(self) -> list[ShardResult]:
        if _context().get_start_method() == "fork":
            warm_up(self.plan.config)
        try:
            for _ in range(self.workers):
                if self.exhausted:
                    break
                worker = self._spawn()
                self.pool.append(worker)
                self._dispatch(worker)
            while any(w.job is not None for w in self.pool):
                self._step()
        finally:
            self._shutdown()
        if self.buffers:
            raise AssertionError(f"shards left unstaged: {sorted(self.buffers)}")  # a bug, never bad input
        return sorted(self.results, key=lambda r: r.index)

    def _step(self) -> None:
        busy = [w for w in self.pool if w.job is not None]
        now = time.monotonic()
        deadline = min(w.started + self.timeout for w in busy)
        ready = wait([w.conn for w in busy], timeout=max(0.0, min(deadline - now, _IDLE_POLL_S)))
        for i, worker in enumerate(self.pool):
            if worker.job is None:
                continue
            if worker.conn in ready:
                try:
                    result = worker.conn.recv()
                except (EOFError, OSError):
                    code = worker.process.exitcode if worker.process.is_alive() is False else None
                    detail = f"worker process died (exit code {code}) while extracting this page"
                    self.pool[i] = self._replace(worker, RejectReason.EXTRACT_ERROR, detail)
                    continue
                self._record(self._job_key(worker), result, time.monotonic() - worker.started)
                worker.pages += 1
                if worker.pages >= self.recycle_after:
                    # A fresh process now and then: a long-lived one keeps every page's heap
                    # fragmentation, and memory would creep up with the size of the run.
                    worker = self.pool[i] = self._retire(worker)
                self._dispatch(worker)
            elif time.monotonic() - worker.started > self.timeout:
                detail = f"extraction took over {self.timeout:g} s; the worker was stopped"
                self.pool[i] = self._replace(worker, RejectReason.TIMEOUT, detail)
            elif (rss := _rss_bytes(worker.process.pid)) > self.memory_limit:
                detail = f"extraction used {rss >> 20} MB, over the limit of {self.memory_limit >> 20} MB"
                self.pool[i] = self._replace(worker, RejectReason.TOO_LARGE, detail)

    def _retire(self, worker: _Worker) -> _Worker:
        with contextlib.suppress(OSError, ValueError):
            worker.conn.send(None)
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
        return self._spawn()

    def _shutdown(self) -> None:
        for worker in self.pool:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        for worker in self.pool:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()


def run_shards(plan: RunPlan, progress: Callable[[int], None] | None = None) -> list[ShardResult]:
    """Process every shard; `progress(n)` is called as n more pages are done."""
    if plan.config.workers == 0:
        tick = (lambda: progress(1)) if progress is not None else None
        return [process_shard(plan, shard, tick) for shard in plan.shards]
    if not plan.shards:
        return []
    return Supervisor(plan, plan.config.workers, progress).run()
