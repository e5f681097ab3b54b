"""Units of input: what a shard is made of, and how to read the pages of one.

A unit is one input file, or a run of records inside a container file (WARC,
JSONL, Parquet: see ingest/containers.py). Planning turns files into units and
units into shards of about `shard_size` pages; reading a unit streams its pages
in a fixed order, so the same inputs always give the same page sequence.

Records a container holds that are not pages (WARC request and metadata
records, non-200 or non-HTML responses, blank JSONL lines) are not read as
pages; each unit says how many it skipped and why (`Unit.skipped`), and
`skipped_records` sums them per input file for the run summary.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from corpusclean.config import BuildConfig
from corpusclean.ingest import remote
from corpusclean.ingest.containers import ContainerRun, container_kind, iter_container, plan_runs
from corpusclean.ingest.files import read_page
from corpusclean.records import RawPage, Reject


@dataclass(frozen=True, slots=True)
class Unit:
    path: str  # the input file as given (a local path or an fsspec URL)
    kind: str = "page"  # "page": the file is one page; otherwise the container format: warc, jsonl, parquet
    start: int = 0  # index of the first record of the run (containers: WARC record, JSONL line, Parquet row)
    count: int = 1  # records of the run that become a page or a reject
    offset: int = 0  # byte offset of the first record, to seek without re-reading (containers)
    end: int = -1  # byte offset where the next unit of the same file starts; -1: the end of the file
    skipped: tuple[tuple[str, int], ...] = ()  # records of the run that are not pages, by reason (sorted)


def plan_units(paths: list[str], config: BuildConfig) -> list[Unit]:
    """One unit per page file; container files are scanned once and cut into runs of <= shard_size pages."""
    units: list[Unit] = []
    for path in paths:
        kind = container_kind(path)
        if kind is None:
            units.append(Unit(path))
            continue
        for run in plan_runs(path, kind, config):
            units.append(Unit(path, kind, run.start, run.count, run.offset, run.end, run.skipped))
    return units


def iter_unit(unit: Unit, config: BuildConfig) -> Iterator[RawPage | Reject]:
    """The pages of one unit, in order; bad records become rejects, never exceptions."""
    if unit.kind != "page":
        run = ContainerRun(unit.start, unit.count, unit.offset, unit.end, unit.skipped)
        yield from iter_container(unit.path, unit.kind, run, config)
    elif remote.is_url(unit.path) and remote.local_path(unit.path) is None:
        yield remote.read_page(unit.path, config.limits.max_page_bytes)
    else:
        yield read_page(unit.path, config.limits.max_page_bytes)


def skipped_records(units: Sequence[Unit]) -> dict[str, dict[str, int]]:
    """Per input file, the container records skipped as not pages, by reason (files with none left out)."""
    out: dict[str, dict[str, int]] = {}
    for unit in units:
        for reason, n in unit.skipped:
            counts = out.setdefault(unit.path, {})
            counts[reason] = counts.get(reason, 0) + n
    return out
