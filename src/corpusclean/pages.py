"""One page in, one article or one reject out: sniff, decode, extract, check, normalize.

Never raises for bad content: every problem becomes a Reject with a reason code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

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
    detect_language,
    domain_of,
    parse_published,
    site_name_from,
    utf8_safe,
    word_count,
)
from corpusclean.records import Article, Extraction, RawPage, Reject, RejectReason, SourceType

_LANG_CODE = re.compile(r"^[a-z]{2,3}$")


def _reject(raw: RawPage | str, reason: RejectReason, detail: str, source_type: str | None = None) -> Reject:
    path = raw if isinstance(raw, str) else raw.source_path
    return Reject(path, reason, detail, source_type)


def process_page(raw: RawPage, config: BuildConfig, now: dt.datetime) -> Article | Reject:
    """One page to one article or one reject. Never raises for bad content."""
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
            extraction = clean_dump(decoded.text)
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
    return _to_article(raw, extraction, source_type, words, config, now)


def _to_article(
    raw: RawPage, ex: Extraction, source_type: SourceType, words: int, config: BuildConfig, now: dt.datetime
) -> Article:
    limits = config.limits
    if (safe := utf8_safe(ex.text)) is not ex.text:
        ex = dataclasses.replace(ex, text=safe)
    url = canonical_url(raw.url) or canonical_url(ex.url)
    language = detect_language(ex.text, ex.language)
    if not _LANG_CODE.match(language):
        language = "und"
    digest = content_hash(ex.text)
    domain = domain_of(url)
    # The page's own date first; a container's date field (JSONL, Parquet) only when the page has none.
    published = parse_published(ex.published or raw.published, language, now)
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
        word_count=words,
        image_credits=clean_list(ex.image_credits, limits),
        related=clean_list(ex.related, limits),
        source_path=raw.source_path,
        source_type=source_type.value,
        content_hash=digest,
        source_chars=max(ex.input_chars, len(ex.text)),
        removed_lines=ex.removed_lines[:200],
        published_dropped=clean_field(ex.published, limits) if ex.published and published is None else None,
    )


_WARM_PAGE = (
    b"<html lang='en'><head><title>Warm up</title></head><body><article><h1>Warm up</h1>"
    b"<p>Published on June 3, 2025. The council approved a plan to rebuild the bridge after months "
    b"of public consultation, officials said on Tuesday, citing rising costs and staff shortages.</p>"
    b"<p>The work is expected to start next spring and to take about two years to complete.</p>"
    b"</article></body></html>"
)


def warm_up(config: BuildConfig) -> None:
    """Load what extractors load lazily (language model, date parser, line model) in this process.

    Called in the parent before workers fork, so every worker starts warm and shares the
    loaded models copy-on-write instead of paying for them on its first page.
    """
    now = dt.datetime.now(dt.UTC)
    process_page(RawPage("warm-up.html", _WARM_PAGE), config, now)
    process_page(RawPage("warm-up.txt", _WARM_PAGE.replace(b"<", b"\n<")), config, now)
    parse_published("3. Juni 2025", "de", now)
