"""The build: plan -> process shards (read, sniff, extract, normalize) -> finalize (dedup, write, report, commit).

The three steps are plain functions so that the CLI (a local process pool) and
the Prefect flow (one task per shard) run exactly the same code and give the
same dataset. Shards pass references (staging file paths and counts), never
data frames.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from corpusclean import __version__
from corpusclean.config import BuildConfig
from corpusclean.dedup.exact import ExistingIndex, exact_duplicates
from corpusclean.extract.html import extract_html
from corpusclean.extract.sanity import main_content_problem
from corpusclean.extract.textdump import clean_dump
from corpusclean.ingest.files import expand_inputs, read_page
from corpusclean.ingest.sniff import Decoded, decode, looks_binary, sniff_type
from corpusclean.normalize import (
    article_id,
    canonical_url,
    clean_field,
    clean_list,
    content_hash,
    detect_language,
    domain_of,
    parse_published,
    site_name_from,
    word_count,
)
from corpusclean.quality.gates import evaluate
from corpusclean.quality.metrics import compute_report
from corpusclean.quality.report import tables_in, write_report
from corpusclean.records import Article, Extraction, RawPage, Reject, RejectReason, SourceType
from corpusclean.schema import arrow_schema
from corpusclean.sink import (
    MANIFESTS,
    QUARANTINE,
    STAGING,
    Move,
    commit,
    committed_runs,
    dataset_lock,
    recover,
    write_parquet,
)

_LANG_CODE = re.compile(r"^[a-z]{2,3}$")
RUN_COLUMNS = ("run_id", "pipeline_version")
# Staging-only columns kept next to each candidate article for the quality report.
_EXTRA_FIELDS = [pa.field("removed_lines", pa.list_(pa.string())), pa.field("published_dropped", pa.string())]


@dataclass(frozen=True, slots=True)
class Shard:
    index: int
    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RunPlan:
    root: str
    run_id: str
    sequence: int
    config: BuildConfig
    shards: tuple[Shard, ...]
    pages: int
    skipped_files: int
    started: str

    @property
    def staging(self) -> Path:
        return Path(self.root) / STAGING / self.run_id


@dataclass(frozen=True, slots=True)
class ShardResult:
    index: int
    pages: int
    candidates: int
    rejects: int
    candidates_path: str
    rejects_path: str
    seconds: float


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
    status: str = "committed"  # or "failed": a quality gate broke, the data is in quarantine/
    gate_failures: tuple[str, ...] = ()

    @property
    def duplicate_total(self) -> int:
        return sum(self.duplicates.values())

    @property
    def reject_total(self) -> int:
        return sum(self.rejects.values())


# ---------------------------------------------------------------- per page


def _reject(raw: RawPage | str, reason: RejectReason, detail: str, source_type: str | None = None) -> Reject:
    path = raw if isinstance(raw, str) else raw.source_path
    return Reject(path, reason, detail, source_type)


def process_page(raw: RawPage, config: BuildConfig, now: dt.datetime) -> Article | Reject:
    """One page to one article or one reject. Never raises for bad content."""
    data = raw.data
    if not data.strip():
        return _reject(raw, RejectReason.EMPTY, f"{len(data)} bytes, no text")
    if looks_binary(data):
        return _reject(raw, RejectReason.BINARY, f"binary content (starts {data[:8]!r})")
    decoded = decode(data)
    if not isinstance(decoded, Decoded):
        return _reject(raw, RejectReason.DECODE_ERROR, "no text encoding fits these bytes")
    source_type = sniff_type(decoded.text)
    try:
        if source_type is SourceType.HTML:
            extraction = extract_html(decoded.text, config.extract, url=raw.url)
        else:
            extraction = clean_dump(decoded.text)
    except Exception as exc:  # an extractor bug must cost one page, not the run
        return _reject(raw, RejectReason.EXTRACT_ERROR, f"{type(exc).__name__}: {exc}"[:500], source_type)
    if not extraction.text.strip():
        return _reject(raw, RejectReason.NO_MAIN_CONTENT, "no article body found", source_type)
    words = word_count(extraction.text)
    if words < config.extract.min_words:
        detail = f"{words} words, under the minimum of {config.extract.min_words}"
        return _reject(raw, RejectReason.TOO_SHORT, detail, source_type)
    if problem := main_content_problem(extraction.text, config.extract.min_words):
        return _reject(raw, RejectReason.NO_MAIN_CONTENT, problem, source_type)
    return _to_article(raw, extraction, source_type, words, config, now)


def _to_article(
    raw: RawPage, ex: Extraction, source_type: SourceType, words: int, config: BuildConfig, now: dt.datetime
) -> Article:
    limits = config.limits
    url = canonical_url(raw.url) or canonical_url(ex.url)
    language = detect_language(ex.text, ex.language)
    if not _LANG_CODE.match(language):
        language = "und"
    digest = content_hash(ex.text)
    domain = domain_of(url)
    published = parse_published(ex.published, language, now)
    return Article(
        id=article_id(url, digest),
        text=ex.text,
        title=clean_field(ex.title, limits),
        subtitle=clean_field(ex.subtitle, limits),
        authors=clean_list(ex.authors, limits),
        published=published,
        section=clean_field(ex.section, limits),
        source_agency=clean_field(ex.source_agency, limits),
        site_name=clean_field(site_name_from(ex, domain), limits),
        url=url,
        domain=domain,
        language=language,
        word_count=words,
        image_credits=clean_list(ex.image_credits, limits),
        related=clean_list(ex.related, limits),
        source_path=raw.source_path,
        source_type=source_type.value,
        content_hash=digest,
        source_chars=max(ex.input_chars, len(ex.text)),
        removed_lines=ex.removed_lines[:200],
        published_dropped=clean_field(ex.published, limits) if ex.published and published is None else None,
    )


# ---------------------------------------------------------------- plan


def _run_id(sequence: int, config: BuildConfig, paths: Sequence[str]) -> str:
    # Derived from inputs and config, not the clock, so the same build gives the same bytes.
    h = hashlib.sha256(config.fingerprint().encode())
    for p in paths:
        h.update(p.encode("utf-8", "surrogateescape") + b"\0")
    return f"run-{sequence:05d}-{h.hexdigest()[:8]}"


def plan_run(inputs: Sequence[str], out: str | Path, config: BuildConfig) -> RunPlan:
    """Expand inputs and cut them into shards. Raises InputNotFoundError for an input that matches nothing."""
    files = expand_inputs(inputs, config.include)
    root = Path(out)
    sequence = len(list((root / MANIFESTS).glob("*.json"))) + 1 if (root / MANIFESTS).is_dir() else 1
    size = config.shard_size
    shards = tuple(Shard(i, files.paths[s : s + size]) for i, s in enumerate(range(0, len(files.paths), size)))
    return RunPlan(
        root=str(root),
        run_id=_run_id(sequence, config, files.paths),
        sequence=sequence,
        config=config,
        shards=shards,
        pages=len(files.paths),
        skipped_files=files.skipped,
        started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


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
    return pa.Table.from_pylist(rows, schema=schema)


def _rejects_table(rejects: list[Reject]) -> pa.Table:
    rows = [
        {"source_path": r.source_path, "reason": r.reason.value, "detail": r.detail, "source_type": r.source_type}
        for r in rejects
    ]
    return pa.Table.from_pylist(rows, schema=_reject_schema())


def process_shard(plan: RunPlan, shard: Shard, on_page: Callable[[], None] | None = None) -> ShardResult:
    """Read and extract every page of one shard in this process; stage the results.

    No time guard here: the CLI runs pages through executor.Supervisor, which can
    kill a page that hangs. This is the in-process path (Prefect tasks, debugging).
    """
    start = time.perf_counter()
    now = dt.datetime.fromisoformat(plan.started)
    results: list[Article | Reject] = []
    for path in shard.paths:
        raw = read_page(path, plan.config.limits.max_page_bytes)
        results.append(raw if isinstance(raw, Reject) else process_page(raw, plan.config, now))
        if on_page is not None:
            on_page()
    return stage_shard(plan, shard, results, time.perf_counter() - start)


def stage_shard(plan: RunPlan, shard: Shard, results: Sequence[Article | Reject], seconds: float) -> ShardResult:
    """Write one shard's results (in input order) as staging Parquet: candidates and rejects."""
    articles = [r for r in results if isinstance(r, Article)]
    rejects = [r for r in results if isinstance(r, Reject)]
    folder = plan.staging / "shards"
    folder.mkdir(parents=True, exist_ok=True)
    cand_path = folder / f"candidates-{shard.index:05d}.parquet"
    rej_path = folder / f"rejects-{shard.index:05d}.parquet"
    # Staging files: plain writes are enough, they only become data through commit().
    pq.write_table(_articles_table(articles), cand_path, compression="zstd")
    pq.write_table(_rejects_table(rejects), rej_path, compression="zstd")
    return ShardResult(
        index=shard.index,
        pages=len(shard.paths),
        candidates=len(articles),
        rejects=len(rejects),
        candidates_path=str(cand_path),
        rejects_path=str(rej_path),
        seconds=seconds,
    )


# ---------------------------------------------------------------- finalize


def _with_run_columns(df: pl.DataFrame, run_id: str, table: str) -> pa.Table:
    df = df.with_columns(pl.lit(run_id).alias("run_id"), pl.lit(__version__).alias("pipeline_version"))
    schema = arrow_schema(table)
    return df.select(schema.names).to_arrow().cast(schema)


def _month(published: pl.Expr) -> pl.Expr:
    return pl.when(published.is_null()).then(pl.lit("unknown")).otherwise(published.dt.strftime("%Y-%m"))


def finalize_run(plan: RunPlan, results: Sequence[ShardResult], extract_seconds: float = 0.0) -> RunSummary:
    """Deduplicate the staged candidates against this run and the dataset, write, report, commit."""
    t0 = time.perf_counter()
    root = Path(plan.root)
    results = sorted(results, key=lambda r: r.index)
    if sorted(r.index for r in results) != [s.index for s in plan.shards]:
        raise ValueError("finalize_run needs exactly one result per planned shard")
    cand_schema = pl.from_arrow(_candidate_schema().empty_table()).schema  # type: ignore[union-attr]
    candidates = pl.concat(
        [pl.read_parquet(r.candidates_path) for r in results] or [pl.DataFrame(schema=cand_schema)],
        how="vertical",
    )
    rejects = pl.concat(
        [pl.read_parquet(r.rejects_path) for r in results]
        or [pl.DataFrame(schema=pl.from_arrow(_reject_schema().empty_table()).schema)],  # type: ignore[union-attr]
        how="vertical",
    )
    index = ExistingIndex.load(root)
    kept, duplicates = exact_duplicates(candidates, index)
    t_dedup = time.perf_counter()

    staging = plan.staging
    row_group = plan.config.row_group_bytes
    staged: list[tuple[str, int]] = []
    kept = kept.with_columns(_month(pl.col("published")).alias("month"))
    for (language, month), part in kept.group_by(["language", "month"], maintain_order=True):
        rel = f"articles/language={language}/month={month}/part-{plan.run_id}.parquet"
        rows = write_parquet("articles", _with_run_columns(part, plan.run_id, "articles"), staging / rel, row_group)
        staged.append((rel, rows))
    for table, df in (("duplicates", duplicates), ("rejects", rejects)):
        rel = f"{table}/part-{plan.run_id}.parquet"
        staged.append((rel, write_parquet(table, _with_run_columns(df, plan.run_id, table), staging / rel, row_group)))
    staged.sort()
    t_write = time.perf_counter()

    stage_seconds = {
        "extract": round(extract_seconds, 3),
        "dedup": round(t_dedup - t0, 3),
        "write": round(t_write - t_dedup, 3),
    }
    # The report is computed from the staged files, the same tables readers will see.
    tables = tables_in(staging, extras=[Path(r.candidates_path) for r in results])
    report = compute_report(dataclasses.replace(tables, run_ids=(plan.run_id,), stage_seconds=stage_seconds))
    counts = report["counts"]
    if counts["pages"] != plan.pages:
        raise AssertionError(f"accounting broken: {counts} for {plan.pages} pages")  # a bug, never bad input
    failures = evaluate(report, plan.config.gates)
    status = "failed" if failures else "committed"
    report["gates"] = {"status": "failed" if failures else "passed", "failures": failures}
    stage_seconds["report"] = round(time.perf_counter() - t_write, 3)
    report["stage_seconds"] = stage_seconds
    report_dir = f"reports/{plan.run_id}"
    names = write_report(report, staging / report_dir, f"corpusclean run {plan.run_id}")

    # A run that breaks a gate is committed to quarantine/, where no reader or later run looks.
    prefix = f"{QUARANTINE}/{plan.run_id}/" if failures else ""
    moves = [Move(rel, prefix + rel) for rel, _ in staged]
    moves += [Move(f"{report_dir}/{name}", f"{report_dir}/{name}") for name in names]
    summary = RunSummary(
        run_id=plan.run_id,
        root=plan.root,
        pages=plan.pages,
        kept=counts["kept"],
        duplicates=counts["duplicates"],
        rejects=counts["rejects"],
        skipped_files=plan.skipped_files,
        seconds=0.0,
        stage_seconds=stage_seconds,
        status=status,
        gate_failures=tuple(failures),
    )
    manifest = {
        "run_id": plan.run_id,
        "sequence": plan.sequence,
        "status": status,
        "gate_failures": failures,
        "started": plan.started,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "pipeline_version": __version__,
        "config_fingerprint": plan.config.fingerprint(),
        "schemas": {
            t: arrow_schema(t).metadata[b"corpusclean.schema"].decode() for t in ("articles", "duplicates", "rejects")
        },
        "counts": {**counts, "skipped_files": plan.skipped_files},
        "files": [{"path": prefix + rel, "rows": rows} for rel, rows in staged],
        "reports": [f"{report_dir}/{name}" for name in names],
    }
    commit(root, plan.run_id, moves, manifest)
    return summary


# ---------------------------------------------------------------- one call


def prepare_output(out: str | Path) -> list[str]:
    """Roll forward or clean up what an interrupted run left. Call with the lock held."""
    return recover(Path(out))


def build(
    inputs: Sequence[str],
    out: str | Path,
    config: BuildConfig | None = None,
    progress: Callable[[int], None] | None = None,
    on_plan: Callable[[RunPlan], None] | None = None,
) -> RunSummary:
    """The whole build in this process or a local process pool (config.workers)."""
    from corpusclean.executor import run_shards

    config = config or BuildConfig()
    start = time.perf_counter()
    Path(out).mkdir(parents=True, exist_ok=True)
    with dataset_lock(Path(out)):
        prepare_output(out)
        plan = plan_run(inputs, out, config)
        if on_plan is not None:
            on_plan(plan)
        t_extract = time.perf_counter()
        results = run_shards(plan, progress)
        summary = finalize_run(plan, results, extract_seconds=time.perf_counter() - t_extract)
    return dataclasses.replace(summary, seconds=round(time.perf_counter() - start, 3))


def runs(out: str | Path) -> list[dict[str, Any]]:
    return committed_runs(Path(out))
