from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from corpusclean.dedup.index import INDEX_DIR, METADATA_KEY, NearIndex, band_columns, load_index, write_index
from corpusclean.dedup.minhash import NearConfig
from corpusclean.dedup.near import near_duplicates, with_signatures
from corpusclean.errors import DatasetError
from tests.unit.test_dedup_near import OTHER_STORY, SITE_A, SITE_B, STORY, body, frame, when

CONFIG = NearConfig()


def _commit_run(root: Path, run_id: str, kept: pl.DataFrame, config: NearConfig = CONFIG) -> None:
    """What finalize_run does: stage the index rows, then move them into the dataset."""
    staging = root / "_staging" / run_id
    for rel in write_index(kept, staging, run_id, config):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).replace(target)


def _first_run(root: Path) -> pl.DataFrame:
    cands = frame([("old-floods", body(STORY, SITE_A), when(5)), ("old-rates", body(OTHER_STORY, SITE_A), when(5))])
    kept, dups = near_duplicates(cands, load_index(root, CONFIG), CONFIG)
    assert dups.height == 0
    _commit_run(root, "run-00001-aaaa", kept)
    return kept


def test_index_round_trip(tmp_path: Path) -> None:
    assert load_index(tmp_path, CONFIG).size == 0
    kept = _first_run(tmp_path)
    files = sorted(p.name for p in (tmp_path / INDEX_DIR).iterdir())
    assert files == ["part-run-00001-aaaa.parquet"]
    index = load_index(tmp_path, CONFIG)
    assert index.rows.columns == ["id", "content_hash", "url", "published", "word_count", *band_columns(CONFIG)]
    assert index.rows.get_column("id").to_list() == ["old-floods", "old-rates"]
    assert index.rows.get_column("published").to_list() == [when(5), when(5)]
    stored = index.signatures_of(["old-rates", "old-floods"])
    assert stored.tolist() == kept.get_column("signature").to_numpy()[::-1].tolist()
    assert write_index(kept.head(0), tmp_path / "_staging" / "x", "x", CONFIG) == []


def test_new_copy_of_an_indexed_article_is_dropped_even_when_earlier(tmp_path: Path) -> None:
    _first_run(tmp_path)
    # The new copy is published earlier than the dataset's article, but committed rows are never removed.
    cands = frame([("new-copy", body(STORY, SITE_B), when(1)), ("new-story", body([*STORY[:1], "x"]), when(1))])
    kept, dups = near_duplicates(cands, load_index(tmp_path, CONFIG), CONFIG)
    assert kept.get_column("id").to_list() == ["new-story"]
    assert dups.select("id", "duplicate_of", "kind").rows() == [("new-copy", "old-floods", "near")]


def test_run_copies_cluster_around_the_indexed_article(tmp_path: Path) -> None:
    _first_run(tmp_path)
    cands = frame([("copy-1", body(STORY, SITE_B), when(1)), ("copy-2", body(STORY[1:], SITE_B), when(2))])
    kept, dups = near_duplicates(cands, load_index(tmp_path, CONFIG), CONFIG)
    assert kept.height == 0
    assert sorted(dups.select("id", "duplicate_of").rows()) == [("copy-1", "old-floods"), ("copy-2", "old-floods")]
    # Similarity is measured against the indexed article's stored signature.
    assert all(s > 0.6 for s in dups.get_column("similarity").to_list())


def test_index_made_with_other_signatures_is_refused(tmp_path: Path) -> None:
    _first_run(tmp_path)
    with pytest.raises(DatasetError, match="rebuild the index"):
        load_index(tmp_path, NearConfig(shingle_words=3))


def test_other_bands_are_rederived_from_stored_signatures(tmp_path: Path) -> None:
    _first_run(tmp_path)
    fineweb = NearConfig(bands=14, rows=8, threshold=0.7)
    index = load_index(tmp_path, fineweb)
    assert index.rows.columns[-1] == "band_13"
    cands = with_signatures(frame([("new-copy", body(STORY, SITE_B), when(1))]), fineweb)
    assert NearIndex.from_frame(cands, fineweb).rows.columns == index.rows.columns
    _, dups = near_duplicates(cands, index, fineweb)
    assert dups.get_column("duplicate_of").to_list() == ["old-floods"]
    meta = pq.read_schema(next((tmp_path / INDEX_DIR).iterdir())).metadata
    assert b'"bands": 28' in meta[METADATA_KEY]


def test_published_dates_survive_as_utc(tmp_path: Path) -> None:
    kept = with_signatures(frame([("a", body(STORY), dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC))]), CONFIG)
    _commit_run(tmp_path, "run-1", kept)
    index = load_index(tmp_path, CONFIG)
    assert index.rows.schema["published"] == pl.Datetime("us", "UTC")
    assert index.rows.get_column("published").item() == dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC)
