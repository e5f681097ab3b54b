"""Run configuration: frozen dataclasses built once (defaults, TOML file, CLI flags) and passed down."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpusclean.dedup.params import NearConfig
from corpusclean.errors import ConfigError

# File name patterns taken when walking a directory. Files named explicitly on the
# command line are always read, whatever their name; their type comes from their bytes.
DEFAULT_INCLUDE = (
    "*.html",
    "*.htm",
    "*.xhtml",
    "*.txt",
    "*.text",
    "*.gz",
    "*.warc",
    "*.warc.gz",
    "*.jsonl",
    "*.jsonl.gz",
    "*.parquet",
)


@dataclass(frozen=True, slots=True)
class Limits:
    """Guards that keep one hostile page from costing the run more than this."""

    max_page_bytes: int = 5_000_000  # larger pages are rejected as too_large before parsing
    page_timeout_s: float = 20.0  # a page still extracting after this is rejected as timeout
    worker_memory_mb: int = 2_048  # a worker growing past this mid-page is stopped; the page is too_large
    worker_max_pages: int = 2_000  # a worker is replaced by a fresh process after this many pages
    max_field_chars: int = 2_000  # title, subtitle, section, ... are cut to this length
    max_list_items: int = 50  # authors, image_credits, related keep at most this many


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    """How bodies are extracted; the trafilatura options are chosen explicitly, never left to defaults."""

    min_words: int = 30  # a shorter body is rejected as too_short
    include_comments: bool = False  # reader comments are not article text
    include_tables: bool = True
    favor_precision: bool = False
    # Recall mode: keeps lists that balanced mode drops (a press release's bullet points);
    # our residual pass removes what it adds, and it scores the same on the tune halves
    # (benchmarks/RESULTS-html.md).
    favor_recall: bool = True
    # Skip trafilatura's readability/jusText comparison: as accurate on our gold sets
    # (benchmarks/RESULTS-html.md) and a quarter faster.
    fast: bool = True


@dataclass(frozen=True, slots=True)
class Gates:
    """Quality gates; None disables a gate. A run that breaks one is committed to quarantine/, not articles/."""

    max_reject_rate: float | None = None  # e.g. 0.05: more than 5% of pages rejected
    max_duplicate_rate: float | None = None
    min_kept: int | None = None
    min_median_words: int | None = None  # e.g. 80
    min_date_completeness: float | None = None  # e.g. 0.6: published known for 60% of articles


@dataclass(frozen=True, slots=True)
class IngestConfig:
    """Where the fields of a page are in JSONL and Parquet records (column or key names)."""

    url_field: str = "url"  # the page's URL: becomes articles.url (normalized)
    html_field: str = "html"  # raw HTML: goes down the HTML path
    text_field: str = "text"  # a text dump: used when a record has no HTML
    date_field: str = "date"  # a publication date, used only when the page shows none


@dataclass(frozen=True, slots=True)
class BuildConfig:
    limits: Limits = field(default_factory=Limits)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    gates: Gates = field(default_factory=Gates)
    near: NearConfig = field(default_factory=NearConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    include: tuple[str, ...] = DEFAULT_INCLUDE
    shard_size: int = 200  # pages per unit of work (one process task, one Prefect task)
    workers: int = 1  # supervised extraction processes; 0 runs in this process, without guards
    row_group_bytes: int = 128 * 1024 * 1024  # target uncompressed size of a Parquet row group
    schedule_cron: str | None = None  # `corpusclean serve` schedule, e.g. "0 2 * * *"

    def __post_init__(self) -> None:
        if self.shard_size < 1:
            raise ConfigError(f"shard_size must be >= 1, got {self.shard_size}")
        if self.workers < 0:
            raise ConfigError(f"workers must be >= 0, got {self.workers}")
        if self.limits.max_page_bytes < 1:
            raise ConfigError("limits.max_page_bytes must be >= 1")
        if self.limits.page_timeout_s <= 0:
            raise ConfigError("limits.page_timeout_s must be > 0")

    def fingerprint(self) -> str:
        """A short hash of everything that changes output (not workers or shard size, which never do)."""
        data = dataclasses.asdict(self)
        for runtime_only in ("workers", "shard_size", "schedule_cron"):
            data.pop(runtime_only)
        blob = json.dumps(data, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def replace(self, **changes: Any) -> BuildConfig:
        return dataclasses.replace(self, **changes)


def default_workers() -> int:
    """One extraction process per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _section(cls: type[Any], raw: dict[str, Any], where: str) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(raw) - names
    if unknown:
        raise ConfigError(f"unknown key(s) in [{where}]: {', '.join(sorted(unknown))}")
    return cls(**raw)


def load_config(path: str | Path | None = None, **overrides: Any) -> BuildConfig:
    """Defaults, then the TOML file's values, then explicit overrides (None values ignored)."""
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config {path}: {exc}") from exc
    limits = _section(Limits, raw.pop("limits", {}), "limits")
    extract = _section(ExtractConfig, raw.pop("extract", {}), "extract")
    gates = _section(Gates, raw.pop("gates", {}), "gates")
    ingest = _section(IngestConfig, raw.pop("ingest", {}), "ingest")
    near = _section(NearConfig, raw.pop("near", {}), "near")
    if "include" in raw:
        raw["include"] = tuple(raw["include"])
    top = {k: v for k, v in overrides.items() if v is not None}
    try:
        return BuildConfig(limits=limits, extract=extract, gates=gates, near=near, ingest=ingest, **{**raw, **top})
    except TypeError as exc:
        raise ConfigError(f"bad config: {exc}") from exc
