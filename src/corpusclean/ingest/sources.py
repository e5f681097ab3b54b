"""Units of input: what a shard is made of, and how to read the pages of one.

A unit is one input file, or a run of records inside a container file (WARC,
JSONL, Parquet: see ingest/containers.py). Planning turns files into units and
units into shards of about `shard_size` pages; reading a unit streams its pages
in a fixed order, so the same inputs always give the same page sequence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from corpusclean.config import BuildConfig
from corpusclean.ingest.files import read_page
from corpusclean.records import RawPage, Reject


@dataclass(frozen=True, slots=True)
class Unit:
    path: str  # the input file as given
    kind: str = "page"  # "page": the file is one page; otherwise a container format
    start: int = 0  # first record of the run (containers)
    count: int = 1  # records (pages) in the run
    offset: int = 0  # byte offset of the first record, to seek without re-reading (containers)


def plan_units(paths: list[str], config: BuildConfig) -> list[Unit]:
    """One unit per page file."""
    return [Unit(path) for path in paths]


def iter_unit(unit: Unit, config: BuildConfig) -> Iterator[RawPage | Reject]:
    """The pages of one unit, in order; bad records become rejects, never exceptions."""
    yield read_page(unit.path, config.limits.max_page_bytes)
