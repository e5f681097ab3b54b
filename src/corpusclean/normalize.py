"""Turn an extractor's raw fields into the typed, bounded values of an articles/ row."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable

import courlan
import dateparser
import py3langid

from corpusclean.config import Limits
from corpusclean.records import Extraction

# Dates before this are almost always parse errors or archive noise, not publication dates.
EARLIEST_PUBLISHED = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
# A page may carry a timestamp a little ahead of the crawler's clock (time zones).
FUTURE_SLACK = dt.timedelta(days=1)
_MIN_LANGID_CHARS = 40

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SPACE = re.compile(r"\s+")
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
    value = _SPACE.sub(" ", utf8_safe(value)).strip()
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
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


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


def parse_published(raw: str | None, language: str | None, now: dt.datetime) -> dt.datetime | None:
    """A full date (day, month, year) in UTC, or None: never a bare year, never the future."""
    if not raw:
        return None
    raw = raw.strip()[:200]
    parsed: dt.datetime | None = None
    if _ISO_DATE.match(raw):
        try:
            parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
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
    try:
        result = dateparser.parse(text, languages=languages, settings=_DATEPARSER_SETTINGS)
    except (ValueError, OverflowError, TypeError, RecursionError):
        return None
    return result if isinstance(result, dt.datetime) else None


def detect_language(text: str, declared: str | None) -> str:
    """py3langid on the body; the page's declared language only when the body is too short."""
    # 2,000 characters identify a language as well as 5,000 do, and cost 2.5x less
    # (py3langid was a sixth of the per-page time on HTML; benchmarks/html.py).
    sample = text[:2000]
    if len(sample.strip()) < _MIN_LANGID_CHARS:
        return declared.lower() if declared else "und"
    lang, _score = py3langid.classify(sample)
    return str(lang)


def site_name_from(extraction: Extraction, domain: str | None) -> str | None:
    return extraction.site_name or domain
