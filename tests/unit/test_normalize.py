from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from corpusclean.config import Limits
from corpusclean.normalize import (
    _LANGID_WINDOW,
    LanguageModel,
    article_id,
    canonical_url,
    clean_field,
    clean_list,
    content_hash,
    detect_language,
    domain_of,
    language_model,
    parse_published,
    word_count,
)

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@functools.cache
def language_model_reference() -> LanguageIdentifier:
    """py3langid's own identifier, which LanguageModel must agree with."""
    return LanguageIdentifier.from_model_file(MODEL_FILE)


@pytest.mark.parametrize(
    ("raw", "language", "expected"),
    [
        ("June 3, 2025", "en", dt.datetime(2025, 6, 3, tzinfo=dt.UTC)),
        ("2025-06-03", "en", dt.datetime(2025, 6, 3, tzinfo=dt.UTC)),
        ("2025-06-03T10:22:00+03:00", "en", dt.datetime(2025, 6, 3, 7, 22, tzinfo=dt.UTC)),
        ("2025-06-03T10:22:00Z", "en", dt.datetime(2025, 6, 3, 10, 22, tzinfo=dt.UTC)),
        ("3. Juni 2025", "de", dt.datetime(2025, 6, 3, tzinfo=dt.UTC)),
        ("14 de mayo de 2025", "es", dt.datetime(2025, 5, 14, tzinfo=dt.UTC)),
        ("Posted on March 3, 2025 by Mara Lindqvist", "en", dt.datetime(2025, 3, 3, tzinfo=dt.UTC)),
        ("Updated: 14.04.2025, 10:12", "de", dt.datetime(2025, 4, 14, tzinfo=dt.UTC)),
        ("Publicado el 14 de mayo de 2025 a las 10:12", "es", dt.datetime(2025, 5, 14, tzinfo=dt.UTC)),
    ],
)
def test_dates_parse_to_utc(raw: str, language: str, expected: dt.datetime) -> None:
    assert parse_published(raw, language, NOW) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2025",
        "Copyright 2025",
        "© 2025 Daily Meridian",
        "March 2025",
        "3 hours ago",
        "2031-01-01",
        "1899-05-01",
        "",
        None,
    ],
)
def test_not_a_publication_date(raw: str | None) -> None:
    assert parse_published(raw, "en", NOW) is None


def test_canonical_url_strips_fragment_and_tracking() -> None:
    url = "HTTPS://www.Example.com/news/a-story/?utm_source=x&id=3#comments"
    assert canonical_url(url) == "https://www.example.com/news/a-story/?id=3"
    assert canonical_url("/relative/path") is None
    assert canonical_url("mailto:a@b.c") is None
    assert canonical_url(None) is None


def test_domain() -> None:
    assert domain_of("https://www.bbc.co.uk/news/x") == "bbc.co.uk"
    assert domain_of("https://www.dailymeridian.example/x") == "dailymeridian.example"
    assert domain_of(None) is None


def test_word_count_counts_cjk_characters() -> None:
    assert word_count("Kremlin spokesman Dmitry Peskov said") == 5
    assert word_count("東京都は今日") == 6
    assert word_count("東京 is big") == 4


def test_hash_ignores_case_width_and_spacing_but_not_words() -> None:
    assert content_hash("Hello  World\n\nAgain") == content_hash("hello world again")
    assert content_hash("ＡＢＣ") == content_hash("abc")
    assert content_hash("hello world") != content_hash("hello there")


def test_id_is_stable_and_depends_on_url_and_content() -> None:
    digest = content_hash("body")
    assert article_id("https://a.example/x", digest) == article_id("https://a.example/x", digest)
    assert article_id("https://a.example/x", digest) != article_id("https://b.example/x", digest)
    assert len(article_id(None, digest)) == 32


def test_language() -> None:
    text = "Kremlin spokesman Dmitry Peskov said on Tuesday that agreements reached were important."
    assert detect_language(text, None) == "en"
    assert detect_language("Die Fähre fährt ab Montag wieder über den See, teilte die Gemeinde mit.", None) == "de"
    assert detect_language("short", "fr") == "fr"
    assert detect_language("", None) == "und"


def test_fields_are_single_line_and_capped() -> None:
    limits = Limits(max_field_chars=10, max_list_items=2)
    assert clean_field("  a\n  b  ", limits) == "a b"
    assert clean_field("x" * 50, limits) == "x" * 10
    assert clean_field("   ", limits) is None
    assert clean_list(["AP", "AP", " Reuters ", "AFP"], limits) == ("AP", "Reuters")


@given(st.text())
def test_normalizers_never_raise(value: str) -> None:
    limits = Limits()
    clean_field(value, limits)
    word_count(value)
    content_hash(value)
    canonical_url(value)
    parse_published(value[:60], "en", NOW)


def _sample_texts() -> list[str]:
    """Text in several languages and scripts: the sample pages, cut at different places."""
    texts = []
    for path in sorted(SAMPLES.rglob("*")):
        if path.suffix in (".html", ".txt") and path.is_file():
            content = path.read_text("utf-8", errors="replace")
            texts += [content[:2000], content[len(content) // 2 :][:2000], content[:300].upper()]
    return texts


def test_language_model_classifies_as_py3langid() -> None:
    model = language_model()
    texts = [*_sample_texts(), "", "\x00\x01", "Ünïcödé ĀĒĪ", "Новости дня", "東京で会議が開かれた", "\ud800 x"]
    assert [model.classify(t) for t in texts] == [language_model_reference().classify(t)[0] for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_language_model_classifies_any_text_as_py3langid(text: str) -> None:
    identifier = language_model_reference()
    assert language_model().classify(text) == identifier.classify(text)[0]


def test_language_model_window_covers_the_automaton() -> None:
    # The window must be at least the depth of the automaton's trie: the most bytes a
    # state can stand for (its breadth-first distance from the start state).
    model = language_model()
    states = model.row_start.size
    depth = np.full(states, -1)
    depth[0] = 0
    frontier = np.array([0])
    level = 0
    while frontier.size:
        level += 1
        reached = np.unique(model.next_state[(model.row_start[frontier][:, None] + np.arange(256)).ravel()])
        frontier = reached[depth[reached] < 0]
        depth[frontier] = level
    assert (depth >= 0).all()
    assert depth.max() <= _LANGID_WINDOW


def test_language_model_is_cached_unpacked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh = LanguageModel.load()  # from py3langid, written to the cache
    cached = LanguageModel.load()  # memory-mapped from the cache
    assert len(list((tmp_path / "corpusclean").glob("langid-*/*.npy"))) == 6
    for name in ("next_state", "row_start", "feature", "class_weights", "prior", "labels"):
        assert np.array_equal(getattr(fresh, name), getattr(cached, name))
    assert fresh.aliases == cached.aliases and fresh.aliases
    text = "Die Fähre fährt ab Montag wieder über den See, teilte die Gemeinde mit."
    assert cached.classify(text) == fresh.classify(text) == "de"
