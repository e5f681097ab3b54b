"""The `corpusclean` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from corpusclean import __version__
from corpusclean.config import default_workers, load_config
from corpusclean.errors import CorpusCleanError
from corpusclean.pipeline import RunPlan, RunSummary, build, runs


def _print_summary(summary: RunSummary) -> None:
    click.echo(f"run {summary.run_id} -> {summary.root}")
    click.echo(f"  pages in    {summary.pages:>8}")
    click.echo(f"  kept        {summary.kept:>8}")
    dup_detail = ", ".join(f"{k} {v}" for k, v in summary.duplicates.items())
    click.echo(f"  duplicates  {summary.duplicate_total:>8}" + (f"  ({dup_detail})" if dup_detail else ""))
    click.echo(f"  rejected    {summary.reject_total:>8}")
    for reason, n in summary.rejects.items():
        click.echo(f"    {reason:<18}{n:>6}")
    if summary.skipped_files:
        click.echo(f"  (skipped {summary.skipped_files} files in walked folders that match no input pattern)")
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in summary.stage_seconds.items())
    click.echo(f"  seconds     {summary.seconds:>8.1f}  ({stages})")
    click.echo(f"  report      {Path(summary.root) / 'reports' / summary.run_id / 'report.md'}")


@click.group()
@click.version_option(__version__, prog_name="corpusclean")
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
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def build_command(
    inputs: tuple[str, ...],
    out: str,
    config_path: str | None,
    workers: int | None,
    shard_size: int | None,
    prefect: bool,
    quiet: bool,
) -> None:
    """Build or extend the dataset in OUT from INPUTS (files, directories, globs)."""
    try:
        config = load_config(config_path, workers=default_workers() if workers is None else workers, shard_size=shard_size)
        if prefect:
            summary = _build_with_prefect(inputs, out, config_path, config.workers, shard_size)
        else:
            summary = _build_local(inputs, out, config, quiet)
    except CorpusCleanError as exc:
        raise click.ClickException(str(exc)) from exc
    _print_summary(summary)


def _build_local(inputs: tuple[str, ...], out: str, config: object, quiet: bool) -> RunSummary:
    bar: tqdm[None] | None = None

    def on_plan(plan: RunPlan) -> None:
        nonlocal bar
        bar = tqdm(total=plan.pages, unit="page", desc=plan.run_id, disable=quiet, file=sys.stderr)

    def progress(n: int) -> None:
        if bar is not None:
            bar.update(n)

    try:
        return build(list(inputs), out, config, progress=progress, on_plan=on_plan)  # type: ignore[arg-type]
    finally:
        if bar is not None:
            bar.close()


def _build_with_prefect(
    inputs: tuple[str, ...], out: str, config_path: str | None, workers: int, shard_size: int | None
) -> RunSummary:
    try:
        from flows.build_corpus import build_corpus
    except ImportError as exc:
        raise click.ClickException(
            f"--prefect needs the flows/ package (run from the project checkout): {exc}"
        ) from exc
    return build_corpus(list(inputs), out, config_path=config_path, workers=workers, shard_size=shard_size)


@main.command("runs")
@click.argument("out", type=click.Path(file_okay=False, exists=True))
def runs_command(out: str) -> None:
    """List the committed runs of the dataset in OUT."""
    for manifest in runs(out):
        c = manifest["counts"]
        dups = sum(c["duplicates"].values())
        rej = sum(c["rejects"].values())
        click.echo(
            f"{manifest['run_id']}  {manifest['finished']}  pages {c['pages']}  kept {c['kept']}  "
            f"duplicates {dups}  rejected {rej}"
        )


if __name__ == "__main__":
    main()
