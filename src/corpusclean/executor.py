"""Run a plan's shards in supervised worker processes.

trafilatura has no size or time limit of its own, and lxml's C code cannot be
interrupted from Python, so the only reliable guard against a page that hangs
or explodes is a process we can kill. The parent hands out pages to the
workers, watches the clock, and when a page runs past `limits.page_timeout_s`
kills that worker, records the page as a `timeout` reject, and starts a fresh
worker; a worker that dies (out of memory, a crash in C code) costs only its
current page (`extract_error`). The parent collects results per shard in input
order and stages each shard when it is complete, so the dataset does not depend
on which worker finished first or on how many workers there were.

What crosses the pipe is kept small: a page file is sent as its name and read
by the worker (reading is part of the page's time limit), and only records of
container files (WARC, JSONL, Parquet), which the parent reads in order, are
sent as bytes. Each worker holds the page after its current one, so it never
waits for the parent between pages; a page that has not started when its
worker is stopped goes to another worker. Workers return extracted pages
(pages.extract_page) and the parent finishes the article rows
(pages.finish_article: bounded work on the extracted text, which the parent,
otherwise idle, does while the workers extract).

The parent's other work runs in a thread beside the loop that serves the workers, so a
worker never waits for it: staging each complete shard (Arrow tables, MinHash signatures,
Parquet; 80-100 ms per 200 pages), and, while the first shard is extracted, importing what
staging and finalize use (polars, deduplication, the report; 0.2-0.3 s that would otherwise
come before the first worker starts or in the serial finalize). One task at a time, in
order, and none while a worker is forked.

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
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

from corpusclean.config import BuildConfig
from corpusclean.ingest.sources import Unit, iter_unit
from corpusclean.pages import ExtractedPage, extract_page, finish_article, warm_up
from corpusclean.pipeline import (
    RunPlan,
    Shard,
    ShardResult,
    import_finalize_modules,
    process_shard,
    resumed_shard,
    stage_shard,
)
from corpusclean.records import Article, RawPage, Reject, RejectReason
from corpusclean.sitelines import SiteLines

_IDLE_POLL_S = 1.0
# A busy worker's memory is read at most this often (reading /proc costs 0.1 ms, and a
# result from the other worker wakes the parent every few milliseconds).
_MEMORY_CHECK_S = 0.25
_PR_SET_PDEATHSIG = 1
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# Pages a worker holds: the one it extracts and the next one.
_QUEUE_DEPTH = 2
# A page read by the parent is queued behind a busy worker's current page only when it is
# this small: the pipe's buffer then takes it without blocking the parent, so the parent
# never waits on a worker that is itself waiting to send a result.
_QUEUED_PAGE_MAX_BYTES = 64 << 10

# What a worker is given: a page file to read itself, or a page the parent read.
Payload = Unit | RawPage
Result = Article | Reject


@dataclass(frozen=True, slots=True)
class _Job:
    shard: int  # shard index
    position: int  # position of the page in the shard
    payload: Payload

    @property
    def source_path(self) -> str:
        return self.payload.path if isinstance(self.payload, Unit) else self.payload.source_path


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
    # A parent killed between the fork and the prctl above sends no signal: this worker has
    # been handed to another process already. Seen as an orphan worker holding the dead
    # build's stderr open (tests/e2e/test_incremental.py, kills at random moments).
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(0)


def _read_page(payload: Payload, config: BuildConfig) -> RawPage | Reject:
    if isinstance(payload, RawPage):
        return payload
    return next(iter(iter_unit(payload, config)))  # a page file is one page (or one read error)


def _extract(
    payload: Payload, config: BuildConfig, now: dt.datetime, site_lines: SiteLines
) -> tuple[ExtractedPage | Reject, str | None]:
    """The page's result, and the SHA-256 of its file when the worker read a whole page file
    (RawPage.file_sha256; None for the container records the parent reads)."""
    page = _read_page(payload, config)
    if isinstance(page, Reject):
        return page, None
    return extract_page(page, config, now, site_lines), page.file_sha256


def _worker_main(conn: Connection, config: BuildConfig, started: str, site_lines: SiteLines) -> None:
    _die_with_parent()
    # The parent owns Ctrl-C: a worker must not die of SIGINT mid-page and be miscounted.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    now = dt.datetime.fromisoformat(started)
    while True:
        try:
            payload = conn.recv()
        except (EOFError, OSError):
            return
        if payload is None:
            return
        path = payload.path if isinstance(payload, Unit) else payload.source_path
        result: tuple[ExtractedPage | Reject, str | None]
        try:
            result = _extract(payload, config, now, site_lines)
        except Exception as exc:  # extract_page already catches extractor errors; this is a last net
            result = Reject(path, RejectReason.EXTRACT_ERROR, f"{type(exc).__name__}: {exc}"[:500]), None
        except MemoryError:
            result = Reject(path, RejectReason.EXTRACT_ERROR, "out of memory while processing the page"), None
        conn.send(result)


class _Background:
    """The parent's work beside the loop that serves the workers: one task at a time in a thread,
    each started after the previous one ended; a task's error is raised by the next join."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def submit(self, task: Callable[[], None]) -> None:
        self.join()
        self._thread = threading.Thread(target=self._run, args=(task,), name="corpusclean-parent", daemon=True)
        self._thread.start()

    def _run(self, task: Callable[[], None]) -> None:
        try:
            task()
        except BaseException as exc:  # raised in the supervising thread by join()
            self._error = exc

    def join(self, raise_error: bool = True) -> None:
        """Wait for the running task; raise its error (or drop it when the run already failed)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None and raise_error:
            raise error


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    queue: deque[_Job] = field(default_factory=deque)  # sent, in order; the first one is being extracted
    started: float = 0.0  # when the first job of the queue started
    pages: int = 0  # pages this process has extracted
    memory_checked: float = 0.0  # when its memory was last read

    @property
    def busy(self) -> bool:
        return bool(self.queue)


@dataclass
class _ShardBuffer:
    size: int | None = None  # known once the shard's pages have all been listed
    results: dict[int, Result] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # page files the workers hashed
    seconds: float = 0.0


class Supervisor:
    """Hands out pages to worker processes and enforces the per-page limits."""

    def __init__(self, plan: RunPlan, workers: int, progress: Callable[[int], None] | None) -> None:
        self.plan = plan
        self.workers = workers
        self.progress = progress
        self.timeout = plan.config.limits.page_timeout_s
        self.memory_limit = plan.config.limits.worker_memory_mb << 20
        self.recycle_after = plan.config.limits.worker_max_pages
        self.ctx = _context()
        self.pool: list[_Worker] = []
        self.results: list[ShardResult] = []  # appended to by the background thread too
        self.background = _Background()
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
        # Jobs taken from `jobs` but not sent yet: pages of stopped workers that had not
        # started, and a big page held back until a worker is free.
        self.waiting: deque[_Job] = deque()

    def _jobs(self, shards: list[Shard]) -> Iterator[_Job]:
        """Pages to extract, in input order. Page files are read by the workers; container
        records are read here, and their read errors are recorded without a worker."""
        for shard in shards:
            position = 0
            for unit in shard.units:
                if unit.kind == "page":
                    yield _Job(shard.index, position, unit)
                    position += 1
                    continue
                for page in iter_unit(unit, self.plan.config):
                    if isinstance(page, Reject):
                        self._record(shard.index, position, page, 0.0)
                    else:
                        yield _Job(shard.index, position, page)
                    position += 1
            self.buffers[shard.index].size = position
            self._maybe_stage(shard.index)

    def _next_job(self) -> _Job | None:
        if self.waiting:
            return self.waiting.popleft()
        return next(self.jobs, None)

    def _spawn(self) -> _Worker:
        # No thread of ours runs while a worker is forked (a fork copies only the forking thread,
        # and whatever locks the others held at that moment).
        self.background.join()
        parent, child = self.ctx.Pipe()
        args = (child, self.plan.config, self.plan.started, self.plan.site_lines)
        process = self.ctx.Process(target=_worker_main, args=args, daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _fill(self, worker: _Worker, depth: int = _QUEUE_DEPTH) -> None:
        """Send the worker jobs until it holds `depth` (fewer when it is due for recycling)."""
        while len(worker.queue) < depth and worker.pages + len(worker.queue) < self.recycle_after:
            job = self._next_job()
            if job is None:
                return
            payload = job.payload
            if worker.queue and isinstance(payload, RawPage) and len(payload.data) > _QUEUED_PAGE_MAX_BYTES:
                self.waiting.appendleft(job)  # sent when a worker is free
                return
            try:
                worker.conn.send(payload)
            except OSError:  # the worker died on its current page; _step finds out and replaces it
                self.waiting.appendleft(job)
                return
            if not worker.queue:
                worker.started = time.monotonic()
            worker.queue.append(job)

    def _record(self, shard_index: int, position: int, result: Result, seconds: float) -> None:
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
        seconds = buffer.seconds
        digests = buffer.digests
        del self.buffers[shard_index]
        self.background.submit(lambda: self.results.append(stage_shard(self.plan, shard, ordered, seconds, digests)))

    def _finish(self, job: _Job, result: ExtractedPage | Reject) -> Result:
        if isinstance(result, Reject):
            return result
        try:
            return finish_article(result, self.plan.config)
        except Exception as exc:  # a bug must cost one page, as it would in a worker
            return Reject(job.source_path, RejectReason.EXTRACT_ERROR, f"{type(exc).__name__}: {exc}"[:500])

    def _stop(self, worker: _Worker, reason: RejectReason, detail: str) -> _Worker:
        """Kill a worker over its current page, which becomes a reject; its queued pages go to others."""
        job = worker.queue.popleft()
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        self.waiting.extendleft(reversed(worker.queue))
        self._record(
            job.shard, job.position, Reject(job.source_path, reason, detail), time.monotonic() - worker.started
        )
        return self._spawn()

    def run(self) -> list[ShardResult]:
        if _context().get_start_method() == "fork":
            warm_up(self.plan.config)
        try:
            # One page each first, so that a handful of pages still spreads over all workers.
            for _ in range(self.workers):
                if (job := self._next_job()) is None:
                    break
                self.waiting.appendleft(job)
                worker = self._spawn()
                self.pool.append(worker)
                self._fill(worker, depth=1)
            for worker in self.pool:
                self._fill(worker)
            self.background.submit(import_finalize_modules)
            while self.waiting or any(w.busy for w in self.pool):
                self._step()
            failed = False
        except BaseException:
            failed = True
            raise
        finally:
            self._shutdown()
            self.background.join(raise_error=not failed)
        if self.buffers:
            raise AssertionError(f"shards left unstaged: {sorted(self.buffers)}")  # a bug, never bad input
        return sorted(self.results, key=lambda r: r.index)

    def _step(self) -> None:
        busy = [w for w in self.pool if w.busy]
        now = time.monotonic()
        deadline = min((w.started + self.timeout for w in busy), default=now)
        ready = wait([w.conn for w in busy], timeout=max(0.0, min(deadline - now, _IDLE_POLL_S))) if busy else []
        for i, worker in enumerate(self.pool):
            if not worker.busy:
                continue
            if worker.conn in ready:
                try:
                    result = worker.conn.recv()
                except (EOFError, OSError):
                    code = worker.process.exitcode if worker.process.is_alive() is False else None
                    detail = f"worker process died (exit code {code}) while extracting this page"
                    worker = self.pool[i] = self._stop(worker, RejectReason.EXTRACT_ERROR, detail)
                else:
                    job = worker.queue.popleft()
                    finished = time.monotonic()
                    extracted, digest = result
                    if digest is not None:
                        self.buffers[job.shard].digests[job.source_path] = digest
                    self._record(job.shard, job.position, self._finish(job, extracted), finished - worker.started)
                    worker.started = finished  # the next queued page starts now
                    worker.pages += 1
                    if not worker.queue and worker.pages >= self.recycle_after:
                        # A fresh process now and then: a long-lived one keeps every page's heap
                        # fragmentation, and memory would creep up with the size of the run.
                        worker = self.pool[i] = self._retire(worker)
            elif time.monotonic() - worker.started > self.timeout:
                detail = f"extraction took over {self.timeout:g} s; the worker was stopped"
                worker = self.pool[i] = self._stop(worker, RejectReason.TIMEOUT, detail)
            elif time.monotonic() - worker.memory_checked >= _MEMORY_CHECK_S:
                worker.memory_checked = time.monotonic()
                if (rss := _rss_bytes(worker.process.pid)) > self.memory_limit:
                    detail = f"extraction used {rss >> 20} MB, over the limit of {self.memory_limit >> 20} MB"
                    worker = self.pool[i] = self._stop(worker, RejectReason.TOO_LARGE, detail)
            self._fill(worker)
        # Pages of a stopped worker, or held back, go to any worker with room.
        for i, worker in enumerate(self.pool):
            if not self.waiting:
                break
            if not worker.busy and not worker.process.is_alive():  # killed from outside while idle
                worker.conn.close()
                worker = self.pool[i] = self._spawn()
            if len(worker.queue) < _QUEUE_DEPTH:
                self._fill(worker)

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
