"""One page in, one article or one reject out: sniff, decode, extract, check, normalize.

Never raises for bad content: every problem becomes a Reject with a reason code.

`process_page` is two steps, `extract_page` and `finish_article`, so that the supervised
worker processes (executor.py) do the first, which needs their guards, and hand the
second to the supervising process: it is bounded, cheap work on the extracted text
(language identification on 2,000 characters, hashing, URL normalization) and the
supervisor has the time to spare. The result is the same either way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from corpusclean.config import BuildConfig
from corpusclean.extract.html import extract_html
from corpusclean.extract.sanity import main_content_problem
from corpusclean.extract.textdump import clean_dump
from corpusclean.ingest.sniff import Decoded, decode, looks_binary, sniff_type
from corpusclean.normalize import (
    article_id,
    canonical_url,
    clean_field,
    clean_list,
    content_hash,
    date_needs_language,
    detect_language,
    domain_of,
    parse_published,
    site_name_from,
    utf8_safe,
    word_count,
)
from corpusclean.records import Article, Extraction, RawPage, Reject, RejectReason, SourceType
from corpusclean.sitelines import SiteLines

_LANG_CODE = re.compile(r"^[a-z]{2,3}$")
_REMOVED_LINES = 200  # removed lines an article keeps, for the report


def _reject(raw: RawPage | str, reason: RejectReason, detail: str, source_type: str | None = None) -> Reject:
    path = raw if isinstance(raw, str) else raw.source_path
    return Reject(path, reason, detail, source_type)


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """A page whose body passed the checks, before its article fields are worked out."""

    source_path: str
    url: str | None  # the container's URL for the page (RawPage.url)
    extraction: Extraction  # text made UTF-8 safe, removed lines cut to what an Article keeps
    source_type: SourceType
    words: int
    published: dt.datetime | None
    language: str | None  # already identified when reading the date needed it, else None


def process_page(
    raw: RawPage, config: BuildConfig, now: dt.datetime, site_lines: SiteLines | None = None
) -> Article | Reject:
    """One page to one article or one reject. Never raises for bad content.

    `site_lines` gives the text-dump cleaner the run's per-site line counts (sitelines.py).
    """
    page = extract_page(raw, config, now, site_lines)
    return page if isinstance(page, Reject) else finish_article(page, config)


def extract_page(
    raw: RawPage, config: BuildConfig, now: dt.datetime, site_lines: SiteLines | None = None
) -> ExtractedPage | Reject:
    """The part of process_page that reads the page's bytes (the part a worker process guards)."""
    data = raw.data
    if not data.strip():
        return _reject(raw, RejectReason.EMPTY, f"{len(data)} bytes, no text")
    if looks_binary(data):
        return _reject(raw, RejectReason.BINARY, f"binary content (starts {data[:8]!r})")
    decoded = decode(data)
    if not isinstance(decoded, Decoded):
        return _reject(raw, RejectReason.DECODE_ERROR, "no text encoding fits these bytes")
    source_type = sniff_type(decoded.text)
    try:
        if source_type is SourceType.HTML:
            extraction = extract_html(decoded.text, config.extract, url=raw.url)
        else:
            stats = site_lines.for_page(raw) if site_lines is not None else None
            extraction = clean_dump(decoded.text, site_lines=stats)
    except Exception as exc:  # an extractor bug must cost one page, not the run
        return _reject(raw, RejectReason.EXTRACT_ERROR, f"{type(exc).__name__}: {exc}"[:500], source_type)
    if not extraction.text.strip():
        return _reject(raw, RejectReason.NO_MAIN_CONTENT, "no article body found", source_type)
    words = word_count(extraction.text)
    if words < config.extract.min_words:
        detail = f"{words} words, under the minimum of {config.extract.min_words}"
        return _reject(raw, RejectReason.TOO_SHORT, detail, source_type)
    if problem := main_content_problem(extraction.text, config.extract.min_words):
        return _reject(raw, RejectReason.NO_MAIN_CONTENT, problem, source_type)
    if (safe := utf8_safe(extraction.text)) is not extraction.text or len(extraction.removed_lines) > _REMOVED_LINES:
        extraction = dataclasses.replace(extraction, text=safe, removed_lines=extraction.removed_lines[:_REMOVED_LINES])
    # The page's own date first; a container's date field (JSONL, Parquet) only when the page has none.
    # Dates dateparser reads are read in the page's language (dateparser can be slow: this
    # stays in the guarded step).
    stated = extraction.published or raw.published
    language = _language(extraction) if date_needs_language(stated) else None
    published = parse_published(stated, language, now)
    return ExtractedPage(raw.source_path, raw.url, extraction, source_type, words, published, language)


def _language(ex: Extraction) -> str:
    language = detect_language(ex.text, ex.language)
    return language if _LANG_CODE.match(language) else "und"


def finish_article(page: ExtractedPage, config: BuildConfig) -> Article:
    """The article row of an extracted page: language, hashes, id, normalized URL and fields."""
    limits = config.limits
    ex = page.extraction
    url = canonical_url(page.url) or canonical_url(ex.url)
    language = page.language if page.language is not None else _language(ex)
    digest = content_hash(ex.text)
    domain = domain_of(url)
    published = page.published
    return Article(
        id=article_id(url, digest),
        text=ex.text,
        title=clean_field(ex.title, limits),
        subtitle=clean_field(ex.subtitle, limits),
        authors=clean_list(ex.authors, limits),
        published=published,
        section=clean_field(ex.section, limits),
        source_agency=clean_field(ex.source_agency, limits),
        site_name=clean_field(site_name_from(ex, domain), limits),
        url=url,
        domain=domain,
        language=language,
        word_count=page.words,
        image_credits=clean_list(ex.image_credits, limits),
        related=clean_list(ex.related, limits),
        source_path=page.source_path,
        source_type=page.source_type.value,
        content_hash=digest,
        source_chars=max(ex.input_chars, len(ex.text)),
        removed_lines=ex.removed_lines,
        published_dropped=clean_field(ex.published, limits) if ex.published and published is None else None,
    )


_WARM_PAGE = (
    b"<html lang='en'><head><title>Warm up</title></head><body><article><h1>Warm up</h1>"
    b"<p>The council approved a plan to rebuild the bridge after months of public consultation, "
    b"officials said on Tuesday, citing rising costs and staff shortages.</p>"
    b"<p>The work is expected to start next spring and to take about two years to complete.</p>"
    b"</article></body></html>"
)


def warm_up(config: BuildConfig) -> None:
    """Load what the HTML path loads lazily (the language model, trafilatura's and htmldate's
    tables) in this process.

    Called in the parent before workers fork, so every worker starts warm and shares the
    loaded models copy-on-write instead of paying for them on its first page. The text-dump
    path and the date parser are left out: an HTML build never needs them (nearly every
    HTML page states its date in ISO form), and a worker pays for them (0.17 s and 6 MB,
    0.15 s and 5 MB) on its first page that does.
    """
    process_page(RawPage("warm-up.html", _WARM_PAGE), config, dt.datetime.now(dt.UTC))
