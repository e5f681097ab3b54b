"""The build: plan -> process shards (read, extract, normalize) -> finalize (dedup, write, report, commit).

The three steps are plain functions so that the CLI (supervised worker
processes, executor.py) and the Prefect flow (one task per shard, flows/) run
exactly the same code and give the same dataset. Shards pass references
(staging file paths and counts), never data frames.

Runs are incremental and resumable:
- the input ledger (ledger/) lists the files committed runs processed; a run
  plans only new or changed files;
- the run id is derived from the sequence number, the config and the planned
  inputs, not the clock, so a run that was killed and is started again gets
  the same id, finds its staging area, and skips every shard whose completion
  marker is there.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import importlib
import itertools
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

import corpusclean
from corpusclean import sitelines
from corpusclean.config import BuildConfig
from corpusclean.ingest.files import display_path, expand_inputs
from corpusclean.ingest.ledger import LEDGER, Ledger, ledger_rows, stat_key
from corpusclean.ingest.sources import Unit, iter_unit, plan_units, skipped_records
from corpusclean.pages import process_page
from corpusclean.records import Article, RawPage, Reject
from corpusclean.schema import arrow_schema
from corpusclean.sink import (
    MANIFESTS,
    QUARANTINE,
    SMALL_TABLE_GROUP_ROWS,
    STAGING,
    Move,
    PartitionedWriter,
    RowGroupWriter,
    commit,
    committed_runs,
    dataset_lock,
    fsync_all,
    group_rows,
    recover,
    write_parquet,
)

if TYPE_CHECKING:
    import polars as pl

# Polars, deduplication and the quality report are imported where they are used (staging a
# shard, finalize), not with this module: the CLI imports it before it starts its workers,
# which start 0.2-0.3 s sooner without them. import_finalize_modules loads them ahead of time.
_FINALIZE_MODULES = (
    "polars",
    "pyarrow.compute",  # imported by the first Table.cast
    "corpusclean.dedup.index",
    "corpusclean.dedup.near",
    "corpusclean.dedup.staged",
    "corpusclean.quality.gates",
    "corpusclean.quality.metrics",
    "corpusclean.quality.report",
)

RUN_COLUMNS = ("run_id", "pipeline_version")
# Staging-only columns kept next to each candidate article for the quality report.
_EXTRA_FIELDS = [pa.field("removed_lines", pa.list_(pa.string())), pa.field("published_dropped", pa.string())]
_DONE = ".done"
_LEDGER_SLICE = SMALL_TABLE_GROUP_ROWS
_PR_SET_THP_DISABLE = 41  # linux/prctl.h
_M_MMAP_THRESHOLD = -3  # malloc.h
_MMAP_THRESHOLD_BYTES = 256 << 10


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """glibc on Linux, for malloc_trim, mallopt and prctl; None elsewhere (then they are skipped)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


@dataclass(frozen=True, slots=True)
class Shard:
    index: int
    units: tuple[Unit, ...]

    @property
    def pages(self) -> int:
        return sum(u.count for u in self.units)


@dataclass(frozen=True, slots=True)
class PlannedInputs:
    """The input files of a run, each with its (size, mtime_ns) at planning time, or None when it
    was not a readable file then.

    Arrays beside the paths rather than a dict of tuples: the plan lives as long as the run, in
    the parent and, copy-on-write, in every forked worker, and a run can have a file per page.
    """

    paths: tuple[str, ...]
    sizes: npt.NDArray[np.int64]
    mtimes: npt.NDArray[np.int64]
    known: npt.NDArray[np.bool_]

    @classmethod
    def stat(cls, paths: Sequence[str]) -> PlannedInputs:
        """The paths with their (size, mtime_ns) now."""
        sizes = np.zeros(len(paths), dtype=np.int64)
        mtimes = np.zeros(len(paths), dtype=np.int64)
        known = np.zeros(len(paths), dtype=bool)
        for i, path in enumerate(paths):
            if (key := stat_key(path)) is not None:
                sizes[i], mtimes[i] = key
                known[i] = True
        return cls(tuple(paths), sizes, mtimes, known)

    def __len__(self) -> int:
        return len(self.paths)

    def items(self) -> Iterator[tuple[str, tuple[int, int] | None]]:
        for path, size, mtime, known in zip(
            self.paths, self.sizes.tolist(), self.mtimes.tolist(), self.known.tolist(), strict=True
        ):
            yield path, ((size, mtime) if known else None)


@dataclass(frozen=True, slots=True)
class RunPlan:
    root: str
    run_id: str
    sequence: int
    config: BuildConfig
    shards: tuple[Shard, ...]
    pages: int
    skipped_files: int  # files in walked folders that match no include pattern
    unchanged_inputs: int  # inputs the ledger says earlier runs already processed
    inputs: PlannedInputs
    started: str
    skipped_records: dict[str, int] = field(default_factory=dict)  # container records that are not pages

    @property
    def staging(self) -> Path:
        return Path(self.root) / STAGING / self.run_id

    @property
    def site_lines(self) -> sitelines.SiteLines:
        """The run's per-site line counts, as prepare_site_lines staged them (none before)."""
        return sitelines.SiteLines(self.staging / sitelines.RUN_FILE)


@dataclass(frozen=True, slots=True)
class ShardResult:
    index: int
    pages: int
    candidates: int
    rejects: int
    candidates_path: str
    rejects_path: str
    seconds: float
    pages_by_input: dict[str, int] = field(default_factory=dict)
    # SHA-256 of the page files whose bytes the extraction read whole (the ledger's digests,
    # so that finalize does not read those files again); other inputs are hashed at finalize.
    digests: dict[str, str] = field(default_factory=dict)
    resumed: bool = False  # staged by an earlier, interrupted attempt of the same run


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: str
    root: str
    pages: int
    kept: int
    duplicates: dict[str, int]
    rejects: dict[str, int]
    skipped_files: int
    seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # "committed"; "failed": a quality gate broke, the data is in quarantine/;
    # "unchanged": there was nothing new to process, nothing was written.
    status: str = "committed"
    gate_failures: tuple[str, ...] = ()
    unchanged_inputs: int = 0
    resumed_shards: int = 0
    skipped_records: dict[str, int] = field(default_factory=dict)

    @property
    def duplicate_total(self) -> int:
        return sum(self.duplicates.values())

    @property
    def reject_total(self) -> int:
        return sum(self.rejects.values())


# ---------------------------------------------------------------- plan


def _run_id(sequence: int, config: BuildConfig, inputs: PlannedInputs) -> str:
    # Derived from what the run will do, not the clock: the same build gives the same
    # bytes, and a killed run started again finds its own staging area.
    h = hashlib.sha256(config.fingerprint().encode())
    for path, stat in inputs.items():
        h.update(f"{path}\0{stat}\0".encode("utf-8", "surrogateescape"))
    return f"run-{sequence:05d}-{h.hexdigest()[:8]}"


def _shards(units: Sequence[Unit], size: int) -> tuple[Shard, ...]:
    shards: list[Shard] = []
    current: list[Unit] = []
    pages = 0
    for unit in units:
        if current and pages + unit.count > size:
            shards.append(Shard(len(shards), tuple(current)))
            current, pages = [], 0
        current.append(unit)
        pages += unit.count
    if current:
        shards.append(Shard(len(shards), tuple(current)))
    return tuple(shards)


def plan_run(inputs: Sequence[str], out: str | Path, config: BuildConfig, incremental: bool = True) -> RunPlan:
    """Expand inputs, drop those the ledger has seen, and cut the rest into shards.

    Raises InputNotFoundError for an input that matches nothing.
    """
    files = expand_inputs(inputs, config.include)
    root = Path(out)
    ledger = Ledger.load(root) if incremental else Ledger({})
    todo = [p for p in files.paths if not ledger.is_unchanged(p)]
    planned = PlannedInputs.stat(todo)
    sequence = len(list((root / MANIFESTS).glob("*.json"))) + 1 if (root / MANIFESTS).is_dir() else 1
    units = plan_units(todo, config)
    return RunPlan(
        root=str(root),
        run_id=_run_id(sequence, config, planned),
        sequence=sequence,
        config=config,
        shards=_shards(units, config.shard_size),
        pages=sum(u.count for u in units),
        skipped_files=files.skipped,
        unchanged_inputs=len(files.paths) - len(todo),
        inputs=planned,
        started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        skipped_records=_skipped_by_reason(units),
    )


def _skipped_by_reason(units: Sequence[Unit]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for counts in skipped_records(units).values():
        for reason, n in counts.items():
            totals[reason] = totals.get(reason, 0) + n
    return dict(sorted(totals.items()))


def clear_stale_staging(plan: RunPlan) -> None:
    """Delete staging areas of runs that will never resume (anything but this plan's run id)."""
    staging_root = Path(plan.root) / STAGING
    if staging_root.is_dir():
        for folder in staging_root.iterdir():
            if folder.name != plan.run_id:
                shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- shards


def _candidate_schema() -> pa.Schema:
    base = arrow_schema("articles")
    fields = [f for f in base if f.name not in RUN_COLUMNS]
    return pa.schema(fields + _EXTRA_FIELDS)


def _reject_schema() -> pa.Schema:
    return pa.schema([f for f in arrow_schema("rejects") if f.name not in RUN_COLUMNS])


def _articles_table(articles: list[Article]) -> pa.Table:
    schema = _candidate_schema()
    rows = [{name: getattr(a, name) for name in schema.names} for a in articles]
    for row in rows:
        row["source_path"] = display_path(row["source_path"])
    return pa.Table.from_pylist(rows, schema=schema)


def _as_frame(table: pa.Table) -> pl.DataFrame:
    import polars as pl

    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _rejects_table(rejects: list[Reject]) -> pa.Table:
    rows = [
        {
            "source_path": display_path(r.source_path),
            "reason": r.reason.value,
            "detail": r.detail,
            "source_type": r.source_type,
        }
        for r in rejects
    ]
    return pa.Table.from_pylist(rows, schema=_reject_schema())


def _shard_paths(plan: RunPlan, index: int) -> tuple[Path, Path, Path]:
    folder = plan.staging / "shards"
    return (
        folder / f"candidates-{index:05d}.parquet",
        folder / f"rejects-{index:05d}.parquet",
        folder / f"shard-{index:05d}{_DONE}",
    )


def _source_file(page: RawPage | Article | Reject) -> str:
    return page.source_path.split("#", 1)[0]


def shard_pages(plan: RunPlan, shard: Shard) -> Iterable[RawPage | Reject]:
    """Every page of the shard, in order (read errors already as rejects)."""
    for unit in shard.units:
        yield from iter_unit(unit, plan.config)


def prepare_site_lines(plan: RunPlan) -> None:
    """Count the lines of the run's text dumps per site (a bounded sample, see sitelines.py),
    add the counts earlier runs stored, and stage both for the workers and the commit.

    Call after plan_run and before any shard is extracted. Deterministic, so a resumed run
    prepares the same counts again.
    """
    if not plan.shards:
        return
    units = (unit for shard in plan.shards for unit in shard.units)
    stored = sitelines.stored_files(Path(plan.root))
    sitelines.prepare(sitelines.scan_pages(units, plan.config), stored, plan.staging, plan.run_id)


def resumed_shard(plan: RunPlan, shard: Shard) -> ShardResult | None:
    """The result an earlier attempt of this run staged for the shard, if it finished it."""
    cand, rej, done = _shard_paths(plan, shard.index)
    if not done.is_file():
        return None
    meta = json.loads(done.read_text(encoding="utf-8"))
    return ShardResult(
        index=shard.index,
        pages=meta["pages"],
        candidates=meta["candidates"],
        rejects=meta["rejects"],
        candidates_path=str(cand),
        rejects_path=str(rej),
        seconds=0.0,
        pages_by_input=meta["pages_by_input"],
        digests=meta.get("digests", {}),
        resumed=True,
    )


def process_shard(plan: RunPlan, shard: Shard, on_page: Callable[[], None] | None = None) -> ShardResult:
    """Read and extract every page of one shard in this process; stage the results.

    No time guard here: the CLI runs pages through executor.Supervisor, which can
    kill a page that hangs. This is the in-process path (Prefect tasks, debugging).
    """
    if (done := resumed_shard(plan, shard)) is not None:
        return done
    start = time.perf_counter()
    now = dt.datetime.fromisoformat(plan.started)
    site_lines = plan.site_lines
    results: list[Article | Reject] = []
    digests: dict[str, str] = {}
    for page in shard_pages(plan, shard):
        if isinstance(page, RawPage) and page.file_sha256 is not None:
            digests[page.source_path] = page.file_sha256
        results.append(page if isinstance(page, Reject) else process_page(page, plan.config, now, site_lines))
        if on_page is not None:
            on_page()
    return stage_shard(plan, shard, results, time.perf_counter() - start, digests)


def stage_shard(
    plan: RunPlan,
    shard: Shard,
    results: Sequence[Article | Reject],
    seconds: float,
    digests: dict[str, str] | None = None,
) -> ShardResult:
    """Write one shard's results (in input order) as staging Parquet, then its completion marker.

    `digests` are the SHA-256 of page files as the extraction read them (RawPage.file_sha256).
    """
    articles = [r for r in results if isinstance(r, Article)]
    rejects = [r for r in results if isinstance(r, Reject)]
    cand_path, rej_path, done = _shard_paths(plan, shard.index)
    cand_path.parent.mkdir(parents=True, exist_ok=True)
    from corpusclean.dedup.near import with_signatures

    # Staging files only become data through commit(); the marker is written last, so
    # a shard counts as done only when both files are complete.
    # MinHash signatures are computed here, in parallel per shard, and staged with the
    # candidates; finalize only compares them.
    candidates = with_signatures(_as_frame(_articles_table(articles)), plan.config.near)
    candidates.write_parquet(cand_path, compression="zstd")
    pq.write_table(_rejects_table(rejects), rej_path, compression="zstd")
    # Keyed by the plan's own path strings: results that came back from a worker process carry
    # copies of their own, and the parent keeps every shard's counts until the run is finalized.
    paths = {unit.path: unit.path for unit in shard.units}
    pages_by_input: dict[str, int] = {}
    for r in results:
        key = _source_file(r)
        key = paths.get(key, key)
        pages_by_input[key] = pages_by_input.get(key, 0) + 1
    known = {paths[path]: digest for path, digest in (digests or {}).items() if path in paths}
    meta = {
        "pages": len(results),
        "candidates": len(articles),
        "rejects": len(rejects),
        "pages_by_input": pages_by_input,
        "digests": known,
    }
    tmp = done.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, done)
    return ShardResult(
        index=shard.index,
        pages=len(results),
        candidates=len(articles),
        rejects=len(rejects),
        candidates_path=str(cand_path),
        rejects_path=str(rej_path),
        seconds=seconds,
        pages_by_input=pages_by_input,
        digests=known,
    )


# ---------------------------------------------------------------- finalize


def _with_run_columns(df: pl.DataFrame, run_id: str, table: str) -> pa.Table:
    import polars as pl

    df = df.with_columns(pl.lit(run_id).alias("run_id"), pl.lit(corpusclean.__version__).alias("pipeline_version"))
    schema = arrow_schema(table)
    return df.select(schema.names).to_arrow().cast(schema)


def _table_writer(table: str, staging: Path, run_id: str, row_group_bytes: int) -> RowGroupWriter:
    """A streamed writer of the run's one file of a bookkeeping table under staging/<table>/."""
    path = staging / table / f"part-{run_id}.parquet"
    rows = min(group_rows(row_group_bytes), SMALL_TABLE_GROUP_ROWS)
    return RowGroupWriter(path, arrow_schema(table), rows, table_name=table)


def _stage_ledger(plan: RunPlan, results: Sequence[ShardResult]) -> tuple[str, int]:
    """The run's ledger file under staging (path relative to it, rows): every input it read."""
    import polars as pl

    pages_by_input: dict[str, int] = {}
    digests: dict[str, str] = {}
    for r in results:
        for path, n in r.pages_by_input.items():
            pages_by_input[path] = pages_by_input.get(path, 0) + n
        digests.update(r.digests)
    writer = _table_writer("ledger", plan.staging, plan.run_id, plan.config.row_group_bytes)
    planned = plan.inputs.items()
    # A slice of inputs at a time: ledger_rows builds a Python dict per input.
    while piece := dict(itertools.islice(planned, _LEDGER_SLICE)):
        writer.add(_with_run_columns(pl.DataFrame(ledger_rows(piece, pages_by_input, digests)), plan.run_id, "ledger"))
    return f"{LEDGER}/{writer.path.name}", writer.close()


def _stage_ledger_timed(plan: RunPlan, results: Sequence[ShardResult]) -> tuple[tuple[str, int], float]:
    start = time.perf_counter()
    return _stage_ledger(plan, results), time.perf_counter() - start


def _month(published: pl.Expr) -> pl.Expr:
    import polars as pl

    return pl.when(published.is_null()).then(pl.lit("unknown")).otherwise(published.dt.strftime("%Y-%m"))


def finalize_run(plan: RunPlan, results: Sequence[ShardResult], extract_seconds: float = 0.0) -> RunSummary:
    """Deduplicate the staged candidates against this run and the dataset, write, report, commit."""
    import polars as pl

    from corpusclean.dedup.index import IndexWriter
    from corpusclean.dedup.staged import deduplicate_shards
    from corpusclean.quality.gates import evaluate
    from corpusclean.quality.metrics import compute_report, site_chars
    from corpusclean.quality.report import tables_in, write_report

    t0 = time.perf_counter()
    root = Path(plan.root)
    results = sorted(results, key=lambda r: r.index)
    if sorted(r.index for r in results) != [s.index for s in plan.shards]:
        raise ValueError("finalize_run needs exactly one result per planned shard")
    if not plan.shards:
        # Nothing new since the last run: no run to record, the dataset stays as it is.
        return RunSummary(
            run_id=plan.run_id,
            root=plan.root,
            pages=0,
            kept=0,
            duplicates={},
            rejects={},
            skipped_files=plan.skipped_files,
            seconds=0.0,
            status="unchanged",
            unchanged_inputs=plan.unchanged_inputs,
        )
    trim_memory()  # what extraction's bookkeeping freed, before dedup's arrays come in
    staging = plan.staging
    row_group = plan.config.row_group_bytes
    # The ledger is staged in a thread while dedup and write run (hashing the inputs is most of
    # its time, and hashlib runs without the GIL); it is committed only if the run passes its
    # gates. Its rows are built a slice of inputs at a time, so it adds little to dedup's memory.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="corpusclean-ledger") as side:
        ledger_job = side.submit(_stage_ledger_timed, plan, results)
        # Dedup holds a few bytes per candidate (hashes, flags) and reads back only the candidates
        # that share a key with another one or with the dataset (dedup/staged.py); the texts are
        # streamed from the shard files into the partitions afterwards.
        candidates = [Path(r.candidates_path) for r in results]
        dedup = deduplicate_shards(candidates, root, plan.config.near, staging / "dedup")
        trim_memory()
        t_dedup = time.perf_counter()

        # The data files are fsynced all together before the commit (sink.fsync_all), not one by one.
        writer = PartitionedWriter("articles", staging / "articles", f"part-{plan.run_id}.parquet", row_group)
        index = IndexWriter(staging, plan.run_id, plan.config.near)
        rejects = _table_writer("rejects", staging, plan.run_id, row_group)
        site_parts = []  # the report's characters per site, taken while the bodies are in hand
        for i, r in enumerate(results):
            shard = pl.read_parquet(r.candidates_path).filter(pl.Series(dedup.kept_in(i)))
            index.add(shard)
            site_parts.append(site_chars(shard.lazy()).collect())
            # One conversion to the articles table per shard (not per partition: 1-3 ms each), and
            # each partition's rows taken from it, in their order.
            rows = _with_run_columns(shard, plan.run_id, "articles")
            keys = shard.select("language", _month(pl.col("published")).alias("month")).with_row_index("row")
            for (language, month), part in keys.group_by(["language", "month"], maintain_order=True):
                writer.add(f"language={language}/month={month}", rows.take(part.get_column("row").to_arrow()))
            rejects.add(_with_run_columns(pl.read_parquet(r.rejects_path), plan.run_id, "rejects"))
        staged: list[tuple[str, int]] = [(f"articles/{rel}", rows) for rel, rows in writer.close(sync=False)]
        staged.append((f"rejects/{rejects.path.name}", rejects.close(sync=False)))
        rel = f"duplicates/part-{plan.run_id}.parquet"
        duplicates = _with_run_columns(dedup.duplicates, plan.run_id, "duplicates")
        staged.append((rel, write_parquet("duplicates", duplicates, staging / rel, row_group, sync=False)))
        if (site_part := staging / sitelines.STORE_DIR / f"part-{plan.run_id}.parquet").is_file():
            # The lines this run saw repeat per site, for the runs after it (sitelines.py).
            staged.append((f"{sitelines.STORE_DIR}/{site_part.name}", pq.read_metadata(site_part).num_rows))
        staged.sort()
        index_files = index.close(sync=False)
        trim_memory()
        t_write = time.perf_counter()
        ledger, ledger_seconds = ledger_job.result()

    stage_seconds = {
        "extract": round(extract_seconds, 3),
        "ledger": round(ledger_seconds, 3),  # beside dedup and write, not before them
        "dedup": round(t_dedup - t0, 3),
        "write": round(t_write - t_dedup, 3),
    }
    # The report is computed from the staged files, the same tables readers will see.
    tables = tables_in(staging, extras=[Path(r.candidates_path) for r in results])
    tables = dataclasses.replace(
        tables, run_ids=(plan.run_id,), stage_seconds=stage_seconds, site_chars=pl.concat(site_parts).lazy()
    )
    report = compute_report(tables)
    counts = report["counts"]
    pages_read = sum(r.pages for r in results)
    if counts["pages"] != pages_read:
        raise AssertionError(f"accounting broken: {counts} for {pages_read} pages read")  # a bug, never bad input
    failures = evaluate(report, plan.config.gates)
    status = "failed" if failures else "committed"
    report["gates"] = {"status": "failed" if failures else "passed", "failures": failures}
    report["skipped_records"] = plan.skipped_records  # container records that are not pages
    stage_seconds["report"] = round(time.perf_counter() - t_write, 3)
    report["stage_seconds"] = stage_seconds
    report_dir = f"reports/{plan.run_id}"
    names = write_report(report, staging / report_dir, f"corpusclean run {plan.run_id}")

    if not failures:
        # Only a committed run's inputs enter the ledger; a quarantined run's are taken again.
        staged.append(ledger)
    staged += index_files
    # A run that breaks a gate is committed to quarantine/, where no reader or later run looks.
    prefix = f"{QUARANTINE}/{plan.run_id}/" if failures else ""
    moves = [Move(rel, prefix + rel) for rel, _ in staged]
    moves += [Move(f"{report_dir}/{name}", f"{report_dir}/{name}") for name in names]
    summary = RunSummary(
        run_id=plan.run_id,
        root=plan.root,
        pages=pages_read,
        kept=counts["kept"],
        duplicates=counts["duplicates"],
        rejects=counts["rejects"],
        skipped_files=plan.skipped_files,
        seconds=0.0,
        stage_seconds=stage_seconds,
        status=status,
        gate_failures=tuple(failures),
        unchanged_inputs=plan.unchanged_inputs,
        resumed_shards=sum(1 for r in results if r.resumed),
        skipped_records=plan.skipped_records,
    )
    manifest = {
        "run_id": plan.run_id,
        "sequence": plan.sequence,
        "status": status,
        "gate_failures": failures,
        "started": plan.started,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "pipeline_version": corpusclean.__version__,
        "config_fingerprint": plan.config.fingerprint(),
        "schemas": {
            t: arrow_schema(t).metadata[b"corpusclean.schema"].decode() for t in ("articles", "duplicates", "rejects")
        },
        "counts": {
            **counts,
            "skipped_files": plan.skipped_files,
            "unchanged_inputs": plan.unchanged_inputs,
            "skipped_records": plan.skipped_records,
        },
        "files": [{"path": prefix + rel, "rows": rows} for rel, rows in staged],
        "reports": [f"{report_dir}/{name}" for name in names],
    }
    fsync_all(staging / rel for rel, _ in staged)  # every data file is on disk before the journal
    commit(root, plan.run_id, moves, manifest)
    return summary


def import_finalize_modules() -> None:
    """Import what staging shards and finalize_run use (0.2-0.3 s), e.g. in a thread while
    workers extract, rather than on the way to the first worker or in the serial finalize."""
    for name in _FINALIZE_MODULES:
        importlib.import_module(name)


# ---------------------------------------------------------------- one call


def trim_memory() -> None:
    """Return free pages to the system: the C heap's (glibc keeps them after big frames are freed)
    and those of Arrow's mimalloc pool, where its C++ code (Parquet encoding) allocates."""
    if (libc := _glibc()) is not None:
        libc.malloc_trim(0)
    with contextlib.suppress(NotImplementedError):  # a pyarrow built without mimalloc
        pa.mimalloc_memory_pool().release_unused()


def release_memory_promptly() -> None:
    """Have Arrow allocate with the system allocator, have that allocator give big blocks back
    when they are freed, and have this process (and the workers it forks) do without
    transparent huge pages.

    Arrow's default pool (mimalloc here) keeps what finalize's frames free, so a run's
    peak memory grew with its size (measured: benchmarks/memory.py, RESULTS-scale.md).
    glibc serves blocks under its mmap threshold from the heap and keeps them there once
    freed, and it raises that threshold to the biggest block freed so far (up to 32 MB): fixed,
    the arrays of finalize's steps go back to the system as each is freed (measured: 17 MB
    less held after the near-duplicate stage of a 50,000-page run).
    Arrow's C++ code (Parquet encoding, compression) still allocates from mimalloc whatever
    pyarrow's default is, and mimalloc asks for huge pages: 2 MB resident for every 2 MB
    region it touches, measured at +20 to +36 MB in the parent while it writes Parquet.
    """
    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())
    if (libc := _glibc()) is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)
        libc.prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0)


def prepare_output(out: str | Path) -> list[str]:
    """Roll forward commits an interrupted run journaled. Call with the lock held."""
    return recover(Path(out))


def build(
    inputs: Sequence[str],
    out: str | Path,
    config: BuildConfig | None = None,
    progress: Callable[[int], None] | None = None,
    on_plan: Callable[[RunPlan], None] | None = None,
    incremental: bool = True,
) -> RunSummary:
    """The whole build with supervised worker processes (config.workers; 0 = in this process).

    `out` may be a local folder or an fsspec URL (s3://bucket/corpus): a remote dataset is
    built in a local working copy and published file by file, manifest last (remote.py).
    """
    from corpusclean.executor import run_shards
    from corpusclean.remote import RemoteDataset, is_remote

    config = config or BuildConfig()
    start = time.perf_counter()
    release_memory_promptly()
    remote = RemoteDataset(str(out)) if is_remote(out) else None
    local = remote.local if remote is not None else Path(out)
    local.mkdir(parents=True, exist_ok=True)
    with dataset_lock(local):
        if remote is not None:
            remote.push()  # a run whose upload was cut short is published first
            remote.pull()
        prepare_output(local)
        plan = plan_run(inputs, local, config, incremental=incremental)
        clear_stale_staging(plan)
        prepare_site_lines(plan)
        if on_plan is not None:
            on_plan(plan)
        t_extract = time.perf_counter()
        # Extraction workers are forked from this process. Frozen, the plan's objects (a unit per
        # input file) are never visited by a worker's garbage collector, which writes to each one
        # and so gives every worker a private copy of the pages they sit on.
        gc.freeze()
        try:
            results = run_shards(plan, progress)
        finally:
            gc.unfreeze()
        summary = finalize_run(plan, results, extract_seconds=time.perf_counter() - t_extract)
        if remote is not None:
            remote.push()
            summary = dataclasses.replace(summary, root=remote.url)
    return dataclasses.replace(summary, seconds=round(time.perf_counter() - start, 3))


def runs(out: str | Path) -> list[dict[str, Any]]:
    return committed_runs(Path(out))
