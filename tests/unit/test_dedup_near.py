from __future__ import annotations

import datetime as dt
import random

import numpy as np
import polars as pl
import pytest

from corpusclean.dedup.index import NearIndex
from corpusclean.dedup.minhash import NearConfig, estimated_jaccard, minhash_signatures, shingle_hashes, signatures
from corpusclean.dedup.near import connected_labels, near_duplicates
from corpusclean.errors import ConfigError

CONFIG = NearConfig()

QUOTE = (
    '"We will not accept any arrangement that leaves civilians without water, electricity and medicine '
    "during the winter months, and we call on every party to open the crossings immediately and without "
    'conditions," the foreign minister told reporters after the meeting in Ankara.'
)

STORY = [
    "Floods hit the Black Sea region",
    "ANKARA (AA) - Heavy rain caused flash floods in several provinces along Turkey's Black Sea coast on "
    "Tuesday, forcing the evacuation of hundreds of residents and closing a main coastal highway for hours.",
    "The Disaster and Emergency Management Authority said rescue teams had reached 14 villages cut off by "
    "landslides in Rize and Artvin, and that helicopters were dropping food and blankets where roads were gone.",
    "Local officials said more than 300 homes were flooded in the town of Arhavi, where the river burst its "
    "banks shortly after midnight. Two bridges collapsed and dozens of cars were swept into the sea.",
    "Meteorologists warned that more rain was expected until Thursday and urged people living near rivers to "
    "move to higher ground. Schools in six districts will remain closed for the rest of the week.",
    "The governor of Rize said damage to tea plantations was still being assessed, adding that farmers would "
    "be compensated once the water receded and engineers had inspected the damaged terraces.",
]

OTHER_STORY = [
    "Central bank holds rates steady",
    "LONDON (Reuters) - The central bank kept its main interest rate unchanged on Thursday, saying inflation "
    "was cooling more slowly than expected and that it needed more evidence before cutting borrowing costs.",
    "Policymakers voted seven to two to hold the rate, with the two dissenters favouring an immediate cut of "
    "a quarter point to support a weakening housing market and slowing consumer spending.",
    "The governor told a news conference that wage growth remained too strong for comfort, though recent "
    "surveys pointed to easing pressure in the services sector over the coming months.",
    "Sterling fell half a cent against the dollar after the decision, while government bond yields edged "
    "lower as traders added to bets on a first cut in the autumn.",
]

DIPLOMACY = [
    "Minister urges aid access in the region",
    "The foreign minister met his counterparts on Monday to discuss humanitarian access after weeks of "
    "fighting had cut supply routes to several cities in the north of the country.",
    QUOTE,
    "Officials said the talks would continue next week in Geneva, where a technical committee is due to "
    "present a plan for monitoring the crossings and for the delivery of fuel to hospitals.",
]

NEGATIVE = [
    "Opposition leader criticises energy plan",
    "The leader of the main opposition party on Wednesday attacked the government's new energy plan, saying "
    "it would raise household bills and do little to secure supplies before the cold season begins.",
    "Speaking to party members in parliament, she read out a statement issued by the foreign ministry a day "
    "earlier and said the government should apply the same standard at home.",
    QUOTE,
    "The energy minister rejected the criticism, saying the plan would cut imports by a fifth within three "
    "years and that subsidies for low-income families would be extended into next year.",
]

SITE_A = ("Home | World | Turkey | Economy | Sports | Culture", "Follow us on Twitter and Facebook for breaking news.")
SITE_B = ("Daily Herald - Latest news, weather and sport", "(c) Daily Herald. All rights reserved. Subscribe today.")


def body(paragraphs: list[str], site: tuple[str, str] | None = None) -> str:
    parts = [site[0], *paragraphs, site[1]] if site else paragraphs
    return "\n\n".join(parts)


def when(day: int | None) -> dt.datetime | None:
    return None if day is None else dt.datetime(2024, 3, day, 12, tzinfo=dt.UTC)


def frame(rows: list[tuple[str, str, dt.datetime | None]], urls: list[str | None] | None = None) -> pl.DataFrame:
    """Candidates (id, text, published) with the other columns the pipeline stages."""
    texts = [r[1] for r in rows]
    return pl.DataFrame(
        {
            "id": [r[0] for r in rows],
            "text": texts,
            "url": urls if urls is not None else [f"https://example.com/{r[0]}" for r in rows],
            "published": [r[2] for r in rows],
            "word_count": [len(t.split()) for t in texts],
            "source_path": [f"in/{r[0]}.html" for r in rows],
            "source_type": ["html"] * len(rows),
            "content_hash": [f"hash-{r[0]}" for r in rows],
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


def run(cands: pl.DataFrame, index: NearIndex | None = None) -> tuple[list[str], list[tuple[str, str]]]:
    kept, dups = near_duplicates(cands, index or NearIndex.empty(CONFIG), CONFIG)
    return sorted(kept.get_column("id")), sorted(dups.select("id", "duplicate_of").iter_rows())


# ---------------------------------------------------------------- families


def test_syndicated_copy_with_other_boilerplate_is_a_near_duplicate() -> None:
    cands = frame(
        [
            ("aa-original", body(STORY, SITE_A), when(1)),
            ("herald-copy", body(STORY, SITE_B), when(2)),
            ("rates", body(OTHER_STORY, SITE_A), when(1)),
        ]
    )
    kept, dups = near_duplicates(cands, NearIndex.empty(CONFIG), CONFIG)
    assert kept.get_column("id").to_list() == ["aa-original", "rates"]  # input order kept
    row = dups.row(0, named=True)
    assert dups.height == 1
    assert (row["id"], row["duplicate_of"], row["kind"], row["source_path"]) == (
        "herald-copy",
        "aa-original",
        "near",
        "in/herald-copy.html",
    )
    assert 0.6 < row["similarity"] <= 1.0
    assert row["source_type"] == "html"


def test_retitled_and_trimmed_copies_join_the_family() -> None:
    retitled = ["Black Sea floods force hundreds from their homes", *STORY[1:]]
    trimmed = STORY[:3] + STORY[4:]
    cands = frame(
        [
            ("orig", body(STORY, SITE_A), when(1)),
            ("retitled", body(retitled, SITE_B), when(2)),
            ("trimmed", body(trimmed, SITE_B), when(3)),
        ]
    )
    assert run(cands) == (["orig"], [("retitled", "orig"), ("trimmed", "orig")])


def test_hard_negative_sharing_a_quote_is_kept() -> None:
    cands = frame([("diplomacy", body(DIPLOMACY), when(1)), ("opposition", body(NEGATIVE), when(2))])
    assert run(cands) == (["diplomacy", "opposition"], [])


def test_transitive_cluster_points_every_copy_at_the_keeper() -> None:
    words = " ".join(p for p in STORY + OTHER_STORY + DIPLOMACY).split()
    a, b, c = (" ".join(words[s : s + 300]) for s in (0, 60, 120))  # J(a,b) ~ J(b,c) ~ 0.65, J(a,c) ~ 0.4
    cands = frame([("c", c, when(3)), ("a", a, when(1)), ("b", b, when(2))])
    kept, dups = near_duplicates(cands, NearIndex.empty(CONFIG), CONFIG)
    assert kept.get_column("id").to_list() == ["a"]
    rows = {r["id"]: r for r in dups.iter_rows(named=True)}
    assert rows["b"]["duplicate_of"] == rows["c"]["duplicate_of"] == "a"
    assert rows["c"]["similarity"] < CONFIG.threshold  # linked through b, not similar to a itself


# ---------------------------------------------------------------- keep rule


def test_keep_rule_earliest_then_longest_then_smallest_id() -> None:
    longer = body(STORY, SITE_A) + "\n\nAdditional reporting by the regional desk."
    copies = [("z-late", body(STORY, SITE_A), when(5)), ("y-early", body(STORY, SITE_B), when(2))]
    assert run(frame([*copies, ("x-undated", longer, None)]))[0] == ["y-early"]
    # Same date: the longer copy wins.
    same_day = [("b-short", body(STORY, SITE_A), when(2)), ("c-long", longer, when(2))]
    assert run(frame(same_day))[0] == ["c-long"]
    # Same date and length: the smallest id wins.
    tie = [("n2", body(STORY, SITE_A), when(2)), ("n1", body(STORY, SITE_A) + " ", when(2))]
    assert run(frame(tie))[0] == ["n1"]
    # Unknown dates go last.
    assert run(frame([("a-undated", longer, None), ("b-dated", body(STORY, SITE_B), when(9))]))[0] == ["b-dated"]


def test_result_does_not_depend_on_input_order() -> None:
    rows = [
        ("orig", body(STORY, SITE_A), when(1)),
        ("copy", body(STORY, SITE_B), when(1)),
        ("undated", body(STORY[1:], SITE_B), None),
        ("rates", body(OTHER_STORY, SITE_A), when(4)),
        ("rates-copy", body(OTHER_STORY, SITE_B), when(3)),
        ("diplomacy", body(DIPLOMACY), when(2)),
        ("opposition", body(NEGATIVE), when(2)),
    ]
    expected = run(frame(rows))
    assert expected == (
        ["diplomacy", "opposition", "orig", "rates-copy"],
        [("copy", "orig"), ("rates", "rates-copy"), ("undated", "orig")],
    )
    for seed in range(3):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        assert run(frame(shuffled)) == expected


def test_empty_bodies_never_match() -> None:
    assert run(frame([("e1", "", when(1)), ("e2", "...", when(1))])) == (["e1", "e2"], [])


def test_precomputed_signatures_give_the_same_result() -> None:
    cands = frame([("orig", body(STORY, SITE_A), when(1)), ("copy", body(STORY, SITE_B), when(2))])
    sigs = signatures(cands.get_column("text"), CONFIG)
    sketched = cands.drop("text").with_columns(pl.Series("signature", sigs, dtype=pl.Array(pl.UInt32, 112)))
    assert run(sketched) == run(cands)


# ---------------------------------------------------------------- minhash


def test_config_states_bands_rows_and_threshold() -> None:
    fineweb = NearConfig(bands=14, rows=8, threshold=0.7)
    assert fineweb.lsh_threshold == pytest.approx((1 / 14) ** (1 / 8))
    assert "14 bands x 8 rows (implied threshold 0.719)" in fineweb.describe()
    assert CONFIG.candidate_probability(0.6) > 0.95 > CONFIG.candidate_probability(0.2)
    with pytest.raises(ConfigError):
        NearConfig(num_perm=100, bands=14, rows=8)


def test_shingles_ignore_case_punctuation_and_spacing() -> None:
    a = shingle_hashes(["Hello, World! It’s a “fine” day — isn't it?"], 3)
    b = shingle_hashes(["hello world it s a fine  day isn t it"], 3)
    assert a.hashes.tolist() == b.hashes.tolist()
    assert a.offsets.tolist() == [0, 8]
    # A text shorter than the shingle is one shingle; the same n-gram hashes the same anywhere.
    short = shingle_hashes(["two words", "x y z a b c", "a b c"], 3)
    assert short.offsets.tolist() == [0, 1, 5, 6]
    assert short.hashes[4] == short.hashes[5]


def test_signature_estimates_jaccard_with_the_ideal_spread() -> None:
    rng = np.random.default_rng(3)
    errors = []
    for _ in range(150):
        tokens = [f"t{v}" for v in rng.choice(1_000_000, size=300, replace=False)]
        left, right = tokens[:200], tokens[100:]  # Jaccard 100 / 300
        sh = shingle_hashes([" ".join(left), " ".join(right)], 1)
        sig = minhash_signatures(sh, CONFIG.num_perm)
        errors.append(float(estimated_jaccard(sig[:1], sig[1:])[0]) - 1 / 3)
    spread = np.sqrt((1 / 3) * (2 / 3) / CONFIG.num_perm)
    assert abs(float(np.mean(errors))) < 0.015
    assert 0.75 * spread < float(np.std(errors)) < 1.25 * spread


def test_connected_labels_are_the_smallest_node_of_each_component() -> None:
    left = np.array([5, 3, 7, 1], dtype=np.int64)
    right = np.array([4, 5, 8, 2], dtype=np.int64)
    assert connected_labels(9, left, right).tolist() == [0, 1, 1, 3, 3, 3, 6, 7, 7]
