"""HTML pages: trafilatura with explicit options, then our residual-boilerplate pass.

trafilatura's cross-document `deduplicate` cache is never used: it makes the
output depend on the order pages arrive in, which breaks determinism.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import trafilatura

from corpusclean.config import ExtractConfig
from corpusclean.extract.residual import strip_residual
from corpusclean.records import Extraction

_HTML_LANG = re.compile(rb"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_INVISIBLE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)


def _date_params() -> dict[str, Any]:
    # extensive_search off: it reads dates out of free text, which is how a footer's
    # "Copyright 2025" becomes a publication date. Metadata, JSON-LD and URL only.
    return {
        "original_date": True,
        "extensive_search": False,
        "max_date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
    }


def declared_language(html: str) -> str | None:
    match = _HTML_LANG.search(html[:20_000].encode("utf-8", "ignore"))
    return match.group(1).decode().lower() if match else None


def _visible_chars(html: str) -> int:
    """Rough size of the page's text, for the boilerplate-removed ratio in reports."""
    return len(" ".join(_TAG.sub(" ", _INVISIBLE.sub(" ", html)).split()))


def extract_html(html: str, config: ExtractConfig, url: str | None = None) -> Extraction:
    """The article body and metadata of one HTML page; empty text when none is found."""
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=config.include_comments,
        include_tables=config.include_tables,
        include_images=False,
        include_links=False,
        include_formatting=False,
        favor_precision=config.favor_precision,
        favor_recall=config.favor_recall,
        deduplicate=False,
        with_metadata=True,
        date_extraction_params=_date_params(),
        output_format="python",
    )
    if doc is None:
        return Extraction(text="", input_chars=_visible_chars(html), language=declared_language(html))
    meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    raw_text: str = meta.get("text") or ""
    paragraphs = [" ".join(line.split()) for line in raw_text.split("\n")]
    paragraphs = [p for p in paragraphs if p]
    title = meta.get("title") or None
    subtitle = meta.get("description") or None
    residual = strip_residual(paragraphs, title=title, subtitle=subtitle)
    authors = tuple(a.strip() for a in (meta.get("author") or "").split(";") if a.strip())
    categories = meta.get("categories") or []
    section = categories[0] if isinstance(categories, list) and categories else None
    return Extraction(
        text="\n\n".join(residual.kept),
        title=title,
        subtitle=subtitle,
        authors=authors,
        published=meta.get("date") or None,
        section=section,
        source_agency=residual.source_agency,
        site_name=meta.get("sitename") or None,
        url=meta.get("url") or url,
        language=declared_language(html),
        image_credits=residual.image_credits,
        related=residual.related,
        input_chars=_visible_chars(html),
        removed_lines=residual.removed,
    )
