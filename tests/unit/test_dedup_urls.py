from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from corpusclean.dedup.index import NearIndex, load_index, write_index
from corpusclean.dedup.minhash import NearConfig
from corpusclean.dedup.near import with_signatures
from corpusclean.dedup.urls import url_duplicates
from tests.unit.test_dedup_near import DIPLOMACY, OTHER_STORY, SITE_A, STORY, body, frame, when

CONFIG = NearConfig()
URL = "https://news.example/world/floods"


def _run(cands: pl.DataFrame, index: NearIndex | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    return url_duplicates(cands, index or NearIndex.empty(CONFIG), CONFIG)


def test_same_url_keeps_the_newest_version() -> None:
    updated = body(STORY, SITE_A) + "\n\nUpdated with the latest figures."
    cands = frame(
        [("v1", body(STORY, SITE_A), when(1)), ("v2", updated, when(3)), ("other", body(OTHER_STORY), when(1))],
        urls=[URL, URL, "https://news.example/economy/rates"],
    )
    kept, dups = _run(cands)
    assert kept.get_column("id").to_list() == ["v2", "other"]
    row = dups.row(0, named=True)
    assert dups.height == 1
    assert (row["id"], row["duplicate_of"], row["kind"], row["url"]) == ("v1", "v2", "url", URL)
    assert row["similarity"] == pytest.approx(1.0, abs=0.15)


def test_undated_versions_lose_then_the_longest_then_the_smallest_id_wins() -> None:
    longer = body(STORY) + " Extra closing line."
    cands = frame([("a", longer, None), ("b", body(STORY), when(2)), ("c", body(STORY), when(2))], urls=[URL] * 3)
    kept, dups = _run(cands)
    assert kept.get_column("id").to_list() == ["b"]
    assert sorted(dups.select("id", "duplicate_of").rows()) == [("a", "b"), ("c", "b")]
    cands = frame([("a", body(STORY), when(2)), ("b", longer, when(2))], urls=[URL] * 2)
    assert _run(cands)[0].get_column("id").to_list() == ["b"]


def test_different_content_still_counts_and_missing_urls_never_match() -> None:
    cands = frame(
        [("x", body(STORY), when(1)), ("y", body(DIPLOMACY), when(2)), ("n1", body(STORY), None), ("n2", "b", None)],
        urls=[URL, URL, None, None],
    )
    kept, dups = _run(cands)
    assert kept.get_column("id").to_list() == ["y", "n1", "n2"]
    assert dups.select("id", "duplicate_of").rows() == [("x", "y")]
    assert dups.get_column("similarity").item() < 0.2


def test_url_already_in_the_dataset_wins(tmp_path: Path) -> None:
    old = with_signatures(frame([("old", body(STORY), when(1))], urls=[URL]), CONFIG)
    for rel in write_index(old, tmp_path / "_staging", "run-1", CONFIG):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "_staging" / rel).replace(tmp_path / rel)
    cands = frame([("newer", body(STORY) + " Update.", when(9))], urls=[URL])
    kept, dups = _run(cands, load_index(tmp_path, CONFIG))
    assert kept.height == 0
    assert dups.select("id", "duplicate_of", "kind").rows() == [("newer", "old", "url")]
    assert dups.get_column("similarity").item() > 0.8
