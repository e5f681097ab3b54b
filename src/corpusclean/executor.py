"""Run a plan's shards in this process or in a local process pool.

Extraction is CPU-bound Python, so parallelism means processes. Results come
back in completion order and are sorted by shard index by finalize_run, so the
dataset does not depend on which worker finished first.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

from corpusclean.pipeline import RunPlan, ShardResult, process_shard


def _context() -> multiprocessing.context.BaseContext:
    # fork starts workers in milliseconds with trafilatura already imported; the
    # pool is created before any thread (progress bar) starts. Elsewhere: spawn.
    return multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")


def run_shards(plan: RunPlan, progress: Callable[[int], None] | None = None) -> list[ShardResult]:
    """Process every shard; `progress(n)` is called as n more pages are done."""
    workers = min(plan.config.workers, max(1, len(plan.shards)))
    if workers == 1:
        tick = (lambda: progress(1)) if progress is not None else None
        return [process_shard(plan, shard, tick) for shard in plan.shards]
    results = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        futures = [pool.submit(process_shard, plan, shard) for shard in plan.shards]
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            if progress is not None:
                progress(result.pages)
    return results
