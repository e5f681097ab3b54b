"""The `corpusclean` command line."""

from __future__ import annotations

import os

# Set before numpy and pyarrow are imported (below), in the CLI's process only (a program that
# imports corpusclean keeps its own settings); a value already in the environment wins.
# - One OpenBLAS thread: the only matrix products are per-page vectors (language scores), and
#   OpenBLAS otherwise starts a thread pool per core at import (~0.1 s before the first worker).
# - Arrow's default pool is the system allocator from the start, for Arrow's C++ code too
#   (Parquet encoding): see pipeline.release_memory_promptly.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

import atexit
import contextlib
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

import corpusclean
from corpusclean.config import BuildConfig, default_workers, load_config
from corpusclean.errors import CorpusCleanError
from corpusclean.pipeline import RunPlan, RunSummary, build, runs

if TYPE_CHECKING:
    from tqdm import tqdm


def _print_summary(summary: RunSummary) -> None:
    if summary.status == "unchanged":
        click.echo(
            f"nothing to do: all {summary.unchanged_inputs} inputs were processed by earlier runs "
            f"of {summary.root} (--full to process them again)"
        )
        return
    click.echo(f"run {summary.run_id} -> {summary.root}")
    click.echo(f"  pages in    {summary.pages:>8}")
    click.echo(f"  kept        {summary.kept:>8}")
    dup_detail = ", ".join(f"{k} {v}" for k, v in summary.duplicates.items())
    click.echo(f"  duplicates  {summary.duplicate_total:>8}" + (f"  ({dup_detail})" if dup_detail else ""))
    click.echo(f"  rejected    {summary.reject_total:>8}")
    for reason, n in summary.rejects.items():
        click.echo(f"    {reason:<18}{n:>6}")
    if summary.unchanged_inputs:
        click.echo(f"  (skipped {summary.unchanged_inputs} inputs processed by earlier runs; --full to redo them)")
    if summary.resumed_shards:
        click.echo(f"  (resumed: {summary.resumed_shards} shards were already done by an interrupted attempt)")
    if summary.skipped_records:
        detail = ", ".join(f"{k} {v}" for k, v in summary.skipped_records.items())
        total = sum(summary.skipped_records.values())
        click.echo(f"  (skipped {total} container records that are not pages: {detail})")
    if summary.skipped_files:
        click.echo(f"  (skipped {summary.skipped_files} files in walked folders that match no input pattern)")
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in summary.stage_seconds.items())
    click.echo(f"  seconds     {summary.seconds:>8.1f}  ({stages})")
    click.echo(f"  report      {Path(summary.root) / 'reports' / summary.run_id / 'report.md'}")


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    # Not click.version_option(__version__): that reads the package metadata on every start.
    if value and not ctx.resilient_parsing:
        click.echo(f"corpusclean, version {corpusclean.__version__}")
        ctx.exit()


@click.group()
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
def main() -> None:
    """Turn raw article pages into a clean, deduplicated Parquet dataset."""


@main.command("build")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Dataset directory.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True), help="TOML config file.")
@click.option(
    "--workers",
    "-j",
    type=click.IntRange(min=0),
    default=None,
    help="Supervised extraction processes; 0 = in this process, no time guard [default: cores].",
)
@click.option("--shard-size", type=click.IntRange(min=1), default=None, help="Pages per unit of work [default: 200].")
@click.option("--prefect", is_flag=True, help="Run as the Prefect flow build_corpus (starts or uses a Prefect server).")
@click.option(
    "--executor",
    type=click.Choice(["processes", "threads", "dask"]),
    default=None,
    help="With --prefect: where shard tasks run [default: processes]. dask implies --prefect.",
)
@click.option(
    "--address", help="With --executor dask: the scheduler, e.g. tcp://10.0.0.5:8786 [default: LocalCluster]."
)
@click.option("--full", is_flag=True, help="Process every input, also those earlier runs processed (the ledger).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def build_command(
    inputs: tuple[str, ...],
    out: str,
    config_path: str | None,
    workers: int | None,
    shard_size: int | None,
    prefect: bool,
    executor: str | None,
    address: str | None,
    full: bool,
    quiet: bool,
) -> None:
    """Build or extend the dataset in OUT from INPUTS (files, directories, globs)."""
    try:
        config = load_config(
            config_path, workers=default_workers() if workers is None else workers, shard_size=shard_size
        )
        if address and executor != "dask":
            raise click.UsageError("--address goes with --executor dask")
        if prefect or executor:
            workers_n = max(1, config.workers)
            summary = _build_with_prefect(
                inputs, out, config_path, workers_n, shard_size, not full, executor or "processes", address
            )
        else:
            summary = _build_local(inputs, out, config, quiet, not full)
    except CorpusCleanError as exc:
        raise click.ClickException(str(exc)) from exc
    _print_summary(summary)
    if summary.status == "failed":
        click.echo("quality gates failed; the run's tables are in quarantine/, the dataset is unchanged:", err=True)
        for failure in summary.gate_failures:
            click.echo(f"  - {failure}", err=True)
        sys.exit(3)


def _build_local(inputs: tuple[str, ...], out: str, config: BuildConfig, quiet: bool, incremental: bool) -> RunSummary:
    bar: tqdm[None] | None = None

    def on_plan(plan: RunPlan) -> None:
        nonlocal bar
        if quiet:
            return
        from tqdm import tqdm  # only for the progress bar (a twentieth of a second to import)

        bar = tqdm(total=plan.pages, unit="page", desc=plan.run_id, file=sys.stderr)

    def progress(n: int) -> None:
        if bar is not None:
            bar.update(n)

    try:
        return build(list(inputs), out, config, progress=progress, on_plan=on_plan, incremental=incremental)
    finally:
        if bar is not None:
            bar.close()


def _build_with_prefect(
    inputs: tuple[str, ...],
    out: str,
    config_path: str | None,
    workers: int,
    shard_size: int | None,
    incremental: bool,
    executor: str,
    address: str | None,
) -> RunSummary:
    try:
        from flows.build_corpus import run_build
    except ImportError as exc:
        raise click.ClickException(f"--prefect needs the flows package and prefect-dask: {exc}") from exc
    return run_build(
        list(inputs),
        out,
        executor=executor,
        address=address,
        workers=workers,
        config_path=config_path,
        shard_size=shard_size,
        incremental=incremental,
    )


@main.command("serve")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Dataset directory.")
@click.option("--cron", default=None, help="Schedule [default: [schedule] cron in --config, else '0 2 * * *'].")
@click.option("--name", default="nightly", show_default=True, help="Deployment name.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True), help="TOML config file.")
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None, help="Extraction processes.")
def serve_command(
    inputs: tuple[str, ...], out: str, cron: str | None, name: str, config_path: str | None, workers: int | None
) -> None:
    """Serve the build_corpus flow on this machine, scheduled with cron (needs a Prefect server)."""
    try:
        from flows.deployments import DEFAULT_CRON, serve
    except ImportError as exc:
        raise click.ClickException(f"serve needs the flows package: {exc}") from exc
    config = load_config(config_path)
    schedule = cron or config.schedule_cron or DEFAULT_CRON
    inputs_abs = [str(Path(i).resolve()) if "://" not in i else i for i in inputs]
    serve(
        inputs_abs,
        str(Path(out).resolve()),
        name=name,
        cron=schedule,
        config_path=str(Path(config_path).resolve()) if config_path else None,
        workers=workers or default_workers(),
    )


@main.command("show")
@click.argument("out", type=click.Path(file_okay=False, exists=True))
@click.option("--limit", "-n", type=click.IntRange(min=1), default=20, help="Rows per table.")
def show_command(out: str, limit: int) -> None:
    """Print what the dataset in OUT holds: articles, duplicates and rejects."""
    import polars as pl

    root = Path(out)
    files = sorted((root / "articles").glob("**/*.parquet"))
    if not files:
        raise click.ClickException(f"{out} holds no articles yet (run `corpusclean build ... --out {out}`)")
    articles = pl.scan_parquet(files, hive_partitioning=False)
    cols = ["published", "language", "site_name", "word_count", "title"]
    frame = articles.select(cols).sort(["published", "title"], nulls_last=True).collect()
    click.echo(f"articles: {frame.height}")
    for published, lang, site, words, title in frame.head(limit).iter_rows():
        day = published.date().isoformat() if published else "----------"
        click.echo(f"  {day}  {lang:<3} {str(site or '-')[:22]:<22} {words:>6} words  {str(title or '-')[:70]}")
    for table, fields in (
        ("duplicates", ["source_path", "kind", "duplicate_of"]),
        ("rejects", ["source_path", "reason"]),
    ):
        parts = sorted((root / table).glob("*.parquet"))
        rows = pl.read_parquet(parts).select(fields) if parts else pl.DataFrame()
        click.echo(f"{table}: {rows.height}")
        for row in rows.head(limit).iter_rows():
            click.echo("  " + "  ".join(str(v) for v in row))


@main.command("report")
@click.argument("out", type=click.Path(file_okay=False, exists=True))
@click.option("--run", "run_ids", multiple=True, help="Only this run (repeatable) [default: all runs].")
@click.option("--compare", nargs=2, metavar="RUN_A RUN_B", help="Show how RUN_B drifted from RUN_A.")
@click.option("--to", "to", type=click.Path(file_okay=False), help="Write report.{json,md,html} here.")
def report_command(out: str, run_ids: tuple[str, ...], compare: tuple[str, str] | None, to: str | None) -> None:
    """Build the quality report of the dataset in OUT (all runs, or --run), or compare two runs."""
    from corpusclean.quality.report import compare as compare_reports
    from corpusclean.quality.report import dataset_report, render_markdown, write_report

    root = Path(out)
    known = {m["run_id"] for m in runs(root)}
    for run_id in (*run_ids, *(compare or ())):
        if run_id not in known:
            raise click.ClickException(f"no run {run_id!r} in {out}; `corpusclean runs {out}` lists them")
    try:
        if compare:
            a, b = (dataset_report(root, [r]) for r in compare)
            click.echo(compare_reports(a, b, *compare), nl=False)
            return
        report = dataset_report(root, run_ids)
    except CorpusCleanError as exc:
        raise click.ClickException(str(exc)) from exc
    title = f"corpusclean dataset {out}" + (f" (runs {', '.join(run_ids)})" if run_ids else "")
    folder = Path(to) if to else root / "reports" / ("dataset" if not run_ids else "-".join(run_ids) + "-recomputed")
    write_report(report, folder, title)
    click.echo(render_markdown(report, title))
    click.echo(f"written: {folder}/report.html", err=True)


@main.command("runs")
@click.argument("out", type=click.Path(file_okay=False, exists=True))
def runs_command(out: str) -> None:
    """List the committed runs of the dataset in OUT."""
    for manifest in runs(out):
        c = manifest["counts"]
        dups = sum(c["duplicates"].values())
        rej = sum(c["rejects"].values())
        click.echo(
            f"{manifest['run_id']}  {manifest['finished']}  {manifest.get('status', 'committed'):<9}  "
            f"pages {c['pages']}  kept {c['kept']}  duplicates {dups}  rejected {rej}"
        )


def run() -> None:
    """`python -m corpusclean.cli`: main(), then end the process without the interpreter's teardown.

    Freeing every module and object at exit (polars, pyarrow, trafilatura, lxml and their
    tables) took 0.2-0.25 s after a build, serial time added to every run; nothing in it is
    needed: the dataset is written, fsynced and committed, and its lock released, before
    main() returns. Exit handlers (atexit) still run and the standard streams are flushed;
    when a thread that is not a daemon is still running (e.g. a Prefect client), the
    ordinary exit waits for it as usual.
    """
    try:
        main()
        code: int | str | None = 0
    except SystemExit as exc:
        code = exc.code
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    if isinstance(code, str):  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    run()
