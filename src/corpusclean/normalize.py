"""Turn an extractor's raw fields into the typed, bounded values of an articles/ row."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import courlan
import numpy as np
import numpy.typing as npt
from py3langid.langid import MODEL_DIR, MODEL_FILE, RAW_FLOOR, LanguageIdentifier

from corpusclean.config import Limits
from corpusclean.records import Extraction

# Dates before this are almost always parse errors or archive noise, not publication dates.
EARLIEST_PUBLISHED = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
# A page may carry a timestamp a little ahead of the crawler's clock (time zones).
FUTURE_SLACK = dt.timedelta(days=1)
_MIN_LANGID_CHARS = 40

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# White space is collapsed with " ".join(text.split()): str.split() and strip() split on exactly
# the characters re's \s matches in str patterns (str.isspace; checked over every code point),
# so it is the same as re.sub(r"\s+", " ", text).strip(), three times faster on a body.
_SURROGATE = re.compile("[\ud800-\udfff]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
# Where a date sits inside a longer line ("Posted on March 3, 2025 by ..."): the
# date-shaped parts, tried in turn when the whole line does not parse.
_DATE_PARTS = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[./]\s?\d{1,2}[./]\s?\d{4}"
    r"|\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,12}\.?\s+(?:de\s+)?\d{4}"
    r"|[^\W\d_]{3,12}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
)
_DATEPARSER_SETTINGS = {
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": True,
    # A bare "2025" or "March 2025" is not a publication date.
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DAY_OF_MONTH": "first",
}


def utf8_safe(text: str) -> str:
    """Lone surrogates (from JSON escapes or broken decoders) cannot be written as UTF-8: drop them."""
    return _SURROGATE.sub("", text) if _SURROGATE.search(text) else text


def clean_field(value: str | None, limits: Limits) -> str | None:
    """Single-line, trimmed, length-capped, valid UTF-8; None for empty."""
    if value is None:
        return None
    value = " ".join(utf8_safe(value).split())
    if not value:
        return None
    return value[: limits.max_field_chars]


def clean_list(values: Iterable[str], limits: Limits) -> tuple[str, ...]:
    """Cleaned, de-duplicated (first wins), capped list."""
    out: dict[str, None] = {}
    for value in values:
        cleaned = clean_field(value, limits)
        if cleaned and cleaned not in out:
            out[cleaned] = None
        if len(out) >= limits.max_list_items:
            break
    return tuple(out)


def word_count(text: str) -> int:
    """Runs of word characters, with each CJK character counted as a word."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(_WORD.findall(text))
    return cjk + len(_WORD.findall(_CJK.sub(" ", text)))


def normalize_body(text: str) -> str:
    """The form exact-duplicate hashing sees: NFKC, case-folded, white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_body(text).encode("utf-8")).hexdigest()[:32]


def article_id(url: str | None, digest: str) -> str:
    return hashlib.sha256(f"{url or ''}\n{digest}".encode()).hexdigest()[:32]


def canonical_url(url: str | None) -> str | None:
    """Normalized absolute http(s) URL without fragment or tracking parameters, or None."""
    if not url:
        return None
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return None
    try:
        normalized = courlan.normalize_url(url, strict=True)
    except ValueError:
        return None
    parts = urllib.parse.urlsplit(normalized)
    if not parts.netloc:
        return None
    return urllib.parse.urlunsplit(parts._replace(fragment=""))


def domain_of(url: str | None) -> str | None:
    """Registered domain (courlan), or the bare host for hosts it does not know (e.g. .example)."""
    if not url:
        return None
    domain = courlan.extract_domain(url)
    if domain:
        return str(domain)
    host = urllib.parse.urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _iso_date(raw: str) -> dt.datetime | None:
    if not _ISO_DATE.match(raw):
        return None
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def date_needs_language(raw: str | None) -> bool:
    """Whether parse_published reads `raw` with dateparser, in the language it is given
    (an ISO date, or a text without a year, is read the same in any language)."""
    if not raw:
        return False
    raw = raw.strip()[:200]
    return _iso_date(raw) is None and _YEAR.search(raw) is not None


def parse_published(raw: str | None, language: str | None, now: dt.datetime) -> dt.datetime | None:
    """A full date (day, month, year) in UTC, or None: never a bare year, never the future."""
    if not raw:
        return None
    raw = raw.strip()[:200]
    parsed = _iso_date(raw)
    if parsed is None:
        if not _YEAR.search(raw):
            return None  # "3 hours ago": relative to a crawl time we do not know
        languages = [language, "en"] if language and language != "en" else ["en"]
        for candidate in [raw, *_DATE_PARTS.findall(raw)]:
            parsed = _dateparser(candidate, languages)
            if parsed is not None:
                break
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    parsed = parsed.astimezone(dt.UTC)
    if parsed < EARLIEST_PUBLISHED or parsed > now + FUTURE_SLACK:
        return None
    return parsed


def _dateparser(text: str, languages: list[str]) -> dt.datetime | None:
    # Imported here: only dates that are not in ISO form need it (text dumps, few HTML
    # pages), and a build's processes start faster without it.
    import dateparser

    try:
        result = dateparser.parse(text, languages=languages, settings=_DATEPARSER_SETTINGS)
    except (ValueError, OverflowError, TypeError, RecursionError):
        return None
    return result if isinstance(result, dt.datetime) else None


# py3langid walks its byte-n-gram automaton (an Aho-Corasick DFA) over the text one byte at
# a time in Python, with a cache miss per byte into a 40 MB table. The state after a byte
# is the longest suffix of the text so far that is a node of the automaton's trie, so it
# depends only on the last _LANGID_WINDOW bytes (the trie's depth: 6 in py3langid 0.4's
# model, checked by tests/unit/test_normalize.py): the states of all positions can be
# computed at once, as _LANGID_WINDOW array lookups from the root. Scores are then
# computed exactly as py3langid computes them, so the result is the same; it is 1.5-2x
# faster, and language identification was a tenth of the time of a page.
_LANGID_WINDOW = 6
# Unpacking py3langid's model (LZMA) costs half a second per process, a tenth of a small
# build: the unpacked arrays are kept under the cache folder and memory-mapped, which also
# lets all processes share one copy of them. The class weights are kept as float32: numpy
# turns py3langid's float16 into float32 (exactly) for every product anyway, and that
# conversion was a third of the time of a classification. Bump the version when the files
# change.
_LANGID_CACHE_VERSION = 2
_LANGID_ARRAYS = ("next_state", "row_start", "feature", "class_weights", "prior", "labels")


def _langid_cache_dir() -> Path | None:
    model = Path(MODEL_DIR) / MODEL_FILE
    try:
        stat = model.stat()
    except OSError:
        return None
    key = f"{_LANGID_CACHE_VERSION}\0{model}\0{stat.st_size}\0{stat.st_mtime_ns}"
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "corpusclean"
    return base / f"langid-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


@dataclass(frozen=True, slots=True)
class LanguageModel:
    """py3langid's model (the one `py3langid.classify` uses), classifying in numpy."""

    next_state: npt.NDArray[np.unsignedinteger[Any]]  # DFA rows, 256 entries each
    row_start: npt.NDArray[np.int64]  # state -> offset of its row in next_state
    feature: npt.NDArray[np.int64]  # state -> feature it emits, or -1
    class_weights: npt.NDArray[np.float32]  # feature x language (py3langid's nb_ptc)
    prior: npt.NDArray[np.float32]  # per language (nb_pc)
    labels: npt.NDArray[np.str_]  # language codes, some listed twice (script variants)
    # (first, other) columns of a label listed twice: py3langid scores the label by the
    # better of the two (its _alias_pairs).
    aliases: tuple[tuple[int, int], ...]

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[Any]]) -> LanguageModel:
        """From the arrays named in _LANGID_ARRAYS."""
        first: dict[str, int] = {}
        aliases = []
        for i, label in enumerate(arrays["labels"].tolist()):
            if label in first:
                aliases.append((first[label], i))
            else:
                first[label] = i
        return cls(
            next_state=arrays["next_state"],
            row_start=arrays["row_start"],
            feature=arrays["feature"],
            class_weights=arrays["class_weights"],
            prior=arrays["prior"],
            labels=arrays["labels"],
            aliases=tuple(aliases),
        )

    @classmethod
    def load(cls) -> LanguageModel:
        """From the cache folder when it holds the unpacked model, else from py3langid (and cache it)."""
        folder = _langid_cache_dir()
        if folder is not None and folder.is_dir():
            try:
                # Plain ndarray views of the maps: np.memmap indexes through a Python method.
                arrays = {n: np.load(folder / f"{n}.npy", mmap_mode="r").view(np.ndarray) for n in _LANGID_ARRAYS}
                return cls.from_arrays(arrays)
            except (OSError, ValueError):
                pass  # a damaged cache: unpack again
        identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
        model = cls.from_arrays(
            {
                "next_state": np.frombuffer(identifier.tk_nextmove, dtype=f"u{identifier.tk_nextmove.itemsize}"),
                "row_start": np.asarray(identifier.tk_row, dtype=np.int64) << 8,
                "feature": np.asarray(identifier.tk_output, dtype=np.int64),
                "class_weights": np.asarray(identifier.nb_ptc, dtype=np.float32),
                "prior": np.asarray(identifier.nb_pc, dtype=np.float32),
                "labels": np.asarray(identifier.nb_classes, dtype=np.str_),
            }
        )
        if folder is not None:
            model.save(folder)
        return model

    def save(self, folder: Path) -> None:
        """Write the arrays to `folder` atomically; a cache that cannot be written is no error."""
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        except OSError:
            return  # a read-only cache folder
        try:
            for name in _LANGID_ARRAYS:
                np.save(tmp / f"{name}.npy", getattr(self, name), allow_pickle=False)
            os.rename(tmp, folder)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # the disk is full, or another process cached it first

    def feature_counts(self, data: bytes) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
        """The features the DFA emits over `data` and their counts, in order of first emission
        (py3langid's `visit_counts`, whose order the score's float sums follow)."""
        text = np.frombuffer(data, dtype=np.uint8)
        n = text.size
        states = np.zeros(n, dtype=np.int64)
        for back in range(_LANGID_WINDOW - 1, -1, -1):
            if back < n:
                states[back:] = self.next_state[self.row_start[states[back:]] + text[: n - back]]
        emitted = self.feature[states]
        emitted = emitted[emitted >= 0]
        features, first, counts = np.unique(emitted, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        return features[order].astype(np.intp), counts[order].astype(np.float32)

    def classify(self, text: str) -> str:
        """The language code `py3langid.classify(text)` gives (its LanguageIdentifier.classify)."""
        if text.isupper():
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")
        features, counts = self.feature_counts(data)
        if not features.size:
            return str(self.labels[0])  # py3langid: every score is RAW_FLOOR, the first label wins
        scores = np.log1p(counts) @ self.class_weights[features] + self.prior  # py3langid's _sparse_score
        for first, other in self.aliases:
            scores[first] = max(scores[first], scores[other])
            scores[other] = RAW_FLOOR
        return str(self.labels[int(scores.argmax())])


_language_model: LanguageModel | None = None


def language_model() -> LanguageModel:
    """The language model, loaded on first use (warm_up loads it before workers fork)."""
    global _language_model
    if _language_model is None:
        _language_model = LanguageModel.load()
    return _language_model


def detect_language(text: str, declared: str | None) -> str:
    """py3langid on the body; the page's declared language only when the body is too short."""
    # 2,000 characters identify a language as well as 5,000 do, and cost 2.5x less
    # (py3langid was a sixth of the per-page time on HTML; benchmarks/html.py).
    sample = text[:2000]
    if len(sample.strip()) < _MIN_LANGID_CHARS:
        return declared.lower() if declared else "und"
    return language_model().classify(sample)


def site_name_from(extraction: Extraction, domain: str | None) -> str | None:
    return extraction.site_name or domain
