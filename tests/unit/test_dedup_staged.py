"""Dedup over staged shard files (what finalize_run runs) must give what the frame stages give on the whole run."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from corpusclean.dedup.chains import resolve_chains
from corpusclean.dedup.exact import ExistingIndex, exact_duplicates
from corpusclean.dedup.index import load_index, write_index
from corpusclean.dedup.minhash import NearConfig
from corpusclean.dedup.near import near_duplicates, with_signatures
from corpusclean.dedup.staged import RunDedup, _shared, deduplicate_shards
from corpusclean.dedup.urls import url_duplicates
from tests.unit.test_dedup_near import DIPLOMACY, NEGATIVE, OTHER_STORY, SITE_A, SITE_B, STORY, body, when

CONFIG = NearConfig()
URL = "https://news.example/world/floods"


def candidates(rows: list[tuple[str, str, dt.datetime | None, str | None]]) -> pl.DataFrame:
    """Candidates as stage_shard writes them: content_hash from the body, signatures included."""
    texts = [r[1] for r in rows]
    frame = pl.DataFrame(
        {
            "id": [r[0] for r in rows],
            "text": texts,
            "url": [r[3] for r in rows],
            "published": [r[2] for r in rows],
            "word_count": [len(t.split()) for t in texts],
            "source_path": [f"in/{i:03d}-{r[0]}.html" for i, r in enumerate(rows)],
            "source_type": ["html"] * len(rows),
            "content_hash": [hashlib.sha256(t.encode()).hexdigest()[:32] for t in texts],
        },
        schema={
            "id": pl.String,
            "text": pl.String,
            "url": pl.String,
            "published": pl.Datetime("us", "UTC"),
            "word_count": pl.Int32,
            "source_path": pl.String,
            "source_type": pl.String,
            "content_hash": pl.String,
        },
    )
    return with_signatures(frame, CONFIG)


def commit_index(root: Path, kept: pl.DataFrame) -> None:
    for rel in write_index(kept, root / "_staging" / "r1", "run-1", CONFIG):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "_staging" / "r1" / rel).replace(root / rel)


def whole_run(cands: pl.DataFrame, root: Path) -> tuple[list[str], pl.DataFrame]:
    """The reference: the three stages over the whole run in one frame."""
    index = load_index(root, CONFIG)
    kept, exact = exact_duplicates(cands, ExistingIndex.load(root))
    kept, by_url = url_duplicates(kept, index, CONFIG)
    kept, near = near_duplicates(kept, index, CONFIG)
    return kept.get_column("source_path").to_list(), resolve_chains(pl.concat([exact, by_url, near]))


def staged(cands: pl.DataFrame, root: Path, tmp: Path, shard_rows: int) -> tuple[list[str], RunDedup]:
    paths = []
    for i, start in enumerate(range(0, cands.height, shard_rows)):
        path = tmp / f"shards-{shard_rows}" / f"candidates-{i:05d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        cands.slice(start, shard_rows).drop("text").write_parquet(path)
        paths.append(path)
    result = deduplicate_shards(paths, root, CONFIG, tmp / "scratch")
    assert not list((tmp / "scratch").iterdir())  # the band spill is gone
    kept = cands.filter(pl.Series(result.kept)).get_column("source_path").to_list()
    return kept, result


def assert_same_as_whole_run(cands: pl.DataFrame, root: Path, tmp: Path) -> RunDedup:
    kept, duplicates = whole_run(cands, root)
    result = None
    for shard_rows in (1, 3, cands.height):
        got, result = staged(cands, root, tmp, shard_rows)
        assert got == kept
        assert result.duplicates.equals(duplicates), (result.duplicates, duplicates)
        assert len(got) + result.duplicates.height == cands.height
    assert result is not None
    return result


def family_rows() -> list[tuple[str, str, dt.datetime | None, str | None]]:
    retitled = ["Black Sea floods force hundreds from their homes", *STORY[1:]]
    return [
        ("orig", body(STORY, SITE_A), when(2), "https://a.example/floods"),
        ("orig-again", body(STORY, SITE_A), when(2), "https://mirror.example/floods"),  # exact copy of orig
        ("retitled", body(retitled, SITE_B), when(1), "https://b.example/floods"),  # earlier: keeps the family
        ("rates-v1", body(OTHER_STORY, SITE_A), when(3), URL),
        ("rates-v2", body(OTHER_STORY, SITE_A) + "\n\nUpdated with the vote.", when(4), URL),  # same URL, newer
        ("diplomacy", body(DIPLOMACY), when(2), "https://c.example/aid"),
        ("opposition", body(NEGATIVE), when(2), "https://c.example/energy"),  # shares a quote: kept
        ("empty-1", "", None, None),
        ("empty-2", "...", None, None),
        ("same-page", body(STORY[:3]), when(5), "https://d.example/x"),
        ("same-page", body(STORY[:3]), when(5), "https://d.example/x"),  # the same page twice: one article
    ]


def test_a_run_alone_matches_the_whole_run_frames(tmp_path: Path) -> None:
    result = assert_same_as_whole_run(candidates(family_rows()), tmp_path / "data", tmp_path)
    rows = {(r["id"], r["kind"]): r["duplicate_of"] for r in result.duplicates.iter_rows(named=True)}
    # orig-again's keeper (orig) is dropped as near-duplicate of retitled: the chain is followed.
    assert rows[("orig-again", "exact")] == rows[("orig", "near")] == "retitled"
    assert rows[("rates-v1", "url")] == "rates-v2"
    assert rows[("same-page", "exact")] == "same-page"


def test_a_run_against_the_dataset_matches_the_whole_run_frames(tmp_path: Path) -> None:
    root = tmp_path / "data"
    old = candidates(
        [
            ("old-aid", body(DIPLOMACY, SITE_A), when(1), "https://old.example/aid"),
            ("old-rates", body(OTHER_STORY), when(1), URL),
            ("old-exact", body(STORY[2:]), when(1), "https://old.example/exact"),
        ]
    )
    commit_index(root, old)
    new = [
        *family_rows(),
        ("aid-copy", body(DIPLOMACY, SITE_B), when(9), "https://new.example/aid"),  # near the dataset
        ("exact-copy", body(STORY[2:]), when(9), "https://new.example/exact"),  # exact copy of the dataset
    ]
    result = assert_same_as_whole_run(candidates(new), root, tmp_path)
    targets = dict(result.duplicates.select("id", "duplicate_of").iter_rows())
    assert targets["aid-copy"] == targets["diplomacy"] == "old-aid"
    assert targets["exact-copy"] == "old-exact"
    assert targets["rates-v1"] == targets["rates-v2"] == "old-rates"  # the dataset's version of the URL wins


def test_random_families_match_the_whole_run_frames(tmp_path: Path) -> None:
    rng = random.Random(11)
    words = " ".join(STORY + OTHER_STORY + DIPLOMACY + NEGATIVE).split()
    rows: list[tuple[str, str, dt.datetime | None, str | None]] = []
    for family in range(25):
        start = rng.randrange(len(words) - 120)
        base = words[start : start + rng.randint(40, 120)]
        for copy in range(rng.randint(1, 4)):
            text = [w if rng.random() > 0.05 * copy else rng.choice(words) for w in base]
            url = f"https://s{rng.randint(0, 3)}.example/{family}" if rng.random() < 0.8 else None
            day = rng.choice([None, 1, 2, 3])
            rows.append((f"f{family}-{copy}", " ".join(text), when(day), url))
    rows += rng.sample(rows, 5)  # exact copies, and pages given twice
    rng.shuffle(rows)
    cands = candidates(rows)
    committed = cands.slice(0, 6)
    commit_index(tmp_path / "data", committed)
    result = assert_same_as_whole_run(cands.slice(6), tmp_path / "data", tmp_path)
    assert set(result.duplicates.get_column("kind")) == {"exact", "url", "near"}


def test_no_shards_and_empty_shards(tmp_path: Path) -> None:
    assert deduplicate_shards([], tmp_path, CONFIG, tmp_path / "scratch").kept.size == 0
    empty = candidates([]).drop("text")
    paths = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    for path in paths:
        empty.write_parquet(path)
    result = deduplicate_shards(paths, tmp_path, CONFIG, tmp_path / "scratch")
    assert result.kept.size == 0 and result.duplicates.height == 0
    assert result.kept_in(1).size == 0


def test_only_candidates_that_share_a_key_are_selected() -> None:
    values = np.array([5, 7, 5, 9, 11, 7], dtype=np.uint64)
    live = np.array([True, True, True, True, True, False])
    indexed = np.array([9], dtype=np.uint64)
    # 5 twice among the live; 9 in the index; 7's other holder is no longer live.
    assert _shared(values, live, indexed).tolist() == [True, False, True, True, False, False]


@pytest.mark.parametrize("rows", [1, 2])
def test_kept_in_slices_by_shard(rows: int) -> None:
    result = RunDedup(np.array([True, False, True]), np.array([0, rows, 3]), pl.DataFrame())
    assert result.kept_in(0).tolist() == [True, False][:rows]
    assert result.kept_in(1).tolist() == [True, False, True][rows:]
