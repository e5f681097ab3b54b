"""Post-extraction sanity: is what an extractor returned an article at all?

Extractors return *something* for most pages; on a page that is only a menu or a
list of links, trafilatura returns the links as "paragraphs". An article body is
mostly prose: long lines that read as sentences. This check runs on every
extraction, HTML or text dump, before a row is written.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?;:…。！？।॥؟۔։።။»”\"')\]]\s*$")
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")

# A paragraph counts as prose from this many words (CJK: characters / 2) with a sentence ending.
PROSE_MIN_WORDS = 10
# Below this share of words in prose paragraphs, the "body" is a menu or a link list.
MIN_PROSE_SHARE = 0.4


def _words(paragraph: str) -> int:
    cjk = len(_CJK.findall(paragraph))
    return len(_WORD.findall(paragraph)) + cjk // 2


def _is_prose(paragraph: str, words: int) -> bool:
    return (words >= PROSE_MIN_WORDS and bool(_SENTENCE_END.search(paragraph))) or words >= 3 * PROSE_MIN_WORDS


def main_content_problem(text: str, min_words: int) -> str | None:
    """None when `text` reads as an article body; otherwise why not, for the reject detail."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    counts = [_words(p) for p in paragraphs]
    total = sum(counts)
    if total == 0:
        return "no words in the extracted text"
    prose = sum(n for p, n in zip(paragraphs, counts, strict=True) if _is_prose(p, n))
    if prose < min_words or prose / total < MIN_PROSE_SHARE:
        n_prose = sum(1 for p, n in zip(paragraphs, counts, strict=True) if _is_prose(p, n))
        return (
            f"no prose: {n_prose} of {len(paragraphs)} blocks read as sentences "
            f"({prose} of {total} words); a menu, link list or banner"
        )
    return None
