"""Prefect flow `build_corpus`: the same plan -> shards -> finalize as `corpusclean build`.

A table of contents over library functions: one task per shard (never per
page), tasks pass references (plans, staging paths, counts), and finalize runs
once. The output is the same dataset the CLI writes for the same inputs.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.client.schemas.objects import State
from prefect.futures import as_completed
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from corpusclean.config import load_config
from corpusclean.errors import QualityGateError
from corpusclean.pipeline import (
    RunPlan,
    RunSummary,
    Shard,
    ShardResult,
    clear_stale_staging,
    finalize_run,
    plan_run,
    prepare_output,
    prepare_site_lines,
    process_shard,
    release_memory_promptly,
)
from corpusclean.remote import RemoteDataset, is_remote
from corpusclean.sink import dataset_lock


def _transient_io(task: Any, task_run: Any, state: State[Any]) -> bool:
    """Retry only what a retry can fix: I/O errors (a flaky mount, a bucket hiccup)."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:
        return False
    return False


@task(
    name="process-shard",
    task_run_name="shard-{shard.index}",
    retries=2,
    retry_delay_seconds=2,
    retry_condition_fn=_transient_io,
)
def process_shard_task(plan: RunPlan, shard: Shard) -> ShardResult:
    # Resumable: a shard an earlier attempt finished (completion marker) is not redone.
    return process_shard(plan, shard)


@task(name="finalize-run")
def finalize_task(plan: RunPlan, results: list[ShardResult], extract_seconds: float) -> RunSummary:
    return finalize_run(plan, results, extract_seconds=extract_seconds)


def _publish(summary: RunSummary) -> None:
    report_md = Path(summary.root) / "reports" / summary.run_id / "report.md"
    create_markdown_artifact(
        key="corpusclean-run-report",
        markdown=report_md.read_text(encoding="utf-8") if report_md.exists() else "(no report)",
        description=f"Quality report of {summary.run_id}",
    )
    rows = [{"outcome": "kept", "pages": summary.kept}]
    rows += [{"outcome": f"duplicate: {k}", "pages": v} for k, v in summary.duplicates.items()]
    rows += [{"outcome": f"rejected: {k}", "pages": v} for k, v in summary.rejects.items()]
    create_table_artifact(key="corpusclean-run-counts", table=rows, description=f"Pages of {summary.run_id}")


@flow(name="build_corpus", log_prints=False)
def build_corpus(
    inputs: list[str],
    out: str,
    config_path: str | None = None,
    workers: int | None = None,
    shard_size: int | None = None,
    incremental: bool = True,
) -> RunSummary:
    """Build or extend the dataset in `out` from `inputs` (files, directories, globs)."""
    logger = get_run_logger()
    config = load_config(config_path, workers=workers, shard_size=shard_size)
    start = time.perf_counter()
    release_memory_promptly()
    remote = RemoteDataset(out) if is_remote(out) else None
    local = remote.local if remote is not None else Path(out)
    local.mkdir(parents=True, exist_ok=True)
    with dataset_lock(local):
        if remote is not None:
            remote.push()
            remote.pull()
        recovered = prepare_output(local)
        if recovered:
            logger.info("rolled forward interrupted commits: %s", ", ".join(recovered))
        plan = plan_run(inputs, local, config, incremental=incremental)
        clear_stale_staging(plan)
        prepare_site_lines(plan)
        logger.info("%s: %d pages in %d shards", plan.run_id, plan.pages, len(plan.shards))
        t_extract = time.perf_counter()
        futures = process_shard_task.map(unmapped(plan), list(plan.shards))
        progress_id = create_progress_artifact(progress=0.0, description=f"Shards of {plan.run_id} done")
        assert isinstance(progress_id, UUID)  # the sync form of Prefect's sync/async API
        results = []
        for future in as_completed(list(futures)):
            results.append(future.result())
            update_progress_artifact(progress_id, progress=100.0 * len(results) / max(1, len(plan.shards)))
        summary = finalize_task(plan, results, time.perf_counter() - t_extract)
        if remote is not None:
            published = remote.push()
            logger.info("published %s to %s", ", ".join(published) or "nothing", remote.url)
    summary = dataclasses.replace(summary, seconds=round(time.perf_counter() - start, 3))
    logger.info(
        "%s: kept %d, duplicates %d, rejected %d",
        summary.run_id,
        summary.kept,
        summary.duplicate_total,
        summary.reject_total,
    )
    if summary.status != "unchanged":
        _publish(summary)
    if remote is not None:
        summary = dataclasses.replace(summary, root=remote.url)
    if summary.status == "failed":
        # Fails the flow run; the tables are in quarantine/ and the dataset is unchanged.
        raise QualityGateError(f"{summary.run_id} broke quality gates: " + "; ".join(summary.gate_failures))
    return summary


EXECUTORS = ("processes", "threads", "dask")


def task_runner(executor: str, workers: int, address: str | None = None) -> TaskRunner[Any]:
    """The Prefect task runner for an executor name.

    - processes: a local process pool (extraction is CPU-bound Python; threads would share one core);
    - threads: Prefect's default thread pool (for I/O-bound or debugging runs);
    - dask: prefect-dask's DaskTaskRunner on the cluster at `address`, or on a LocalCluster of
      `workers` single-threaded worker processes when no address is given.
    """
    if executor == "processes":
        return ProcessPoolTaskRunner(max_workers=workers)
    if executor == "threads":
        return ThreadPoolTaskRunner(max_workers=workers)
    if executor == "dask":
        from prefect_dask.task_runners import DaskTaskRunner

        if address:
            return DaskTaskRunner(address=address)
        # Dashboard on a free port: the usual 8787 may be taken by another cluster on the machine.
        cluster = {"n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": ":0"}
        return DaskTaskRunner(cluster_kwargs=cluster)
    raise ValueError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")


def run_build(
    inputs: list[str],
    out: str,
    *,
    executor: str = "processes",
    address: str | None = None,
    workers: int = 2,
    config_path: str | None = None,
    shard_size: int | None = None,
    incremental: bool = True,
) -> RunSummary:
    """build_corpus with the chosen task runner (what `corpusclean build --prefect` calls)."""
    runner = task_runner(executor, workers, address)
    flow_with_runner = build_corpus.with_options(task_runner=runner)
    return flow_with_runner(
        inputs, out, config_path=config_path, workers=workers, shard_size=shard_size, incremental=incremental
    )
