"""Read a corpusclean dataset the safe way: only the files committed runs list in their manifests.

Globbing articles/ works too (files under final names are always complete), but
during the few milliseconds of a commit a glob can see part of a run; reading
through the manifests never does.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from corpusclean.errors import DatasetError
from corpusclean.schema import TABLES, polars_schema
from corpusclean.sink import MANIFESTS


def committed_files(root: str | Path, table: str) -> list[Path]:
    """Files of `table` listed by committed (not failed) runs, in run order."""
    if table not in TABLES:
        raise DatasetError(f"unknown table {table!r}; tables are {', '.join(TABLES)}")
    root = Path(root)
    folder = root / MANIFESTS
    if not folder.is_dir():
        return []
    manifests = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")]
    files = []
    for manifest in sorted(manifests, key=lambda m: m.get("sequence", 0)):
        if manifest.get("status") != "committed":
            continue
        files += [root / f["path"] for f in manifest["files"] if f["path"].split("/", 1)[0] == table]
    return files


def scan(root: str | Path, table: str) -> pl.LazyFrame:
    """A lazy frame over every committed row of `table` (empty, with the declared schema, if none)."""
    files = committed_files(root, table)
    if not files:
        return pl.LazyFrame(schema=polars_schema(table))
    return pl.scan_parquet(files, hive_partitioning=False)
