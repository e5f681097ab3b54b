"""Property-based: no input string or byte sequence makes a stage raise; cleaning is idempotent."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpusclean.config import BuildConfig
from corpusclean.extract.residual import strip_residual
from corpusclean.ingest.sniff import Decoded, decode, sniff_type
from corpusclean.pages import process_page
from corpusclean.records import Article, RawPage, Reject

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
CONFIG = BuildConfig(workers=0)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_TAGS = st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<h1>", "</h1>", "<script>", "<!--", "<html>", "&amp;"])
_HTMLISH = st.lists(st.one_of(_TAGS, st.text(max_size=40)), max_size=40).map("".join)


@given(st.binary(max_size=2000))
def test_decode_never_raises_and_leaves_no_control_characters(data: bytes) -> None:
    result = decode(data)
    if isinstance(result, Decoded):
        assert not _CONTROL.search(result.text)
        sniff_type(result.text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=3000), _HTMLISH.map(str.encode)))
def test_process_page_never_raises(data: bytes) -> None:
    result = process_page(RawPage("x.html", data), CONFIG, NOW)
    assert isinstance(result, Article | Reject)
    if isinstance(result, Article):
        result.text.encode("utf-8")
        assert result.word_count >= CONFIG.extract.min_words


@given(st.lists(st.text(max_size=120), max_size=12), st.one_of(st.none(), st.text(max_size=60)))
def test_residual_pass_is_idempotent(paragraphs: list[str], title: str | None) -> None:
    once = strip_residual(paragraphs, title=title).kept
    assert strip_residual(list(once), title=title).kept == once
