"""Synthetic news corpus with known duplicate families, for benchmarks/dedup.py.

Nothing is downloaded: words come from a seeded syllable vocabulary with Zipf
frequencies, so common short n-grams recur across unrelated stories as in real text.
Each story is an article of ~500 words (headline, 6-9 paragraphs) on one of 300
sites, whose header and footer lines (boilerplate) wrap the body. A story may get
copies of these kinds (ground truth in the `story` and `kind` columns):

  exact        the same text (a re-crawl)
  boilerplate  the body on another site (different header/footer lines)
  retitled     another site, and a new headline
  trimmed      another site, one body paragraph dropped
  edited       another site, 1-5% of the words replaced, deleted or inserted
  truncated    another site, the body cut to 60-80% of its words
  negative     a different story that quotes the same ~40-word statement (hard negative;
               `neg_of` names the story it must not be merged with)

Copies are published 1-72 h after the original (5% have no date), so the keep rule
(earliest first) keeps the original. Output: Parquet shards written as they are made.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

KINDS = ("exact", "boilerplate", "retitled", "trimmed", "edited", "truncated")
SITES = 300


def drop_script_dir() -> None:
    """Run as a script, benchmarks/ is first on sys.path and holds modules named like the standard
    library (html.py); drop it so `import html` (courlan, trafilatura) finds the real one."""
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]


_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


@dataclass(frozen=True, slots=True)
class CorpusSpec:
    docs: int
    seed: int = 7
    family_rate: float = 0.35  # share of stories that get copies
    max_copies: int = 4
    negative_rate: float = 0.05  # share of stories that get a hard negative
    vocabulary: int = 30_000
    shard_docs: int = 50_000


class _Writer:
    def __init__(self, rng: np.random.Generator, spec: CorpusSpec) -> None:
        self.rng = rng
        self.spec = spec
        vocab: set[str] = set()
        while len(vocab) < spec.vocabulary:
            parts = rng.integers(0, len(_SYLLABLES), size=rng.integers(1, 5))
            vocab.add("".join(_SYLLABLES[p] for p in parts))
        self.vocab = np.array(sorted(vocab), dtype=object)
        rng.shuffle(self.vocab)
        weights = 1.0 / np.arange(1, spec.vocabulary + 1) ** 1.05
        self.cdf = np.cumsum(weights) / weights.sum()
        self.headers = [self.sentence(12, capital=True).rstrip(".") for _ in range(SITES)]
        self.footers = [self.sentence(18, capital=True) for _ in range(SITES)]

    def words(self, n: int) -> list[str]:
        idx = np.searchsorted(self.cdf, self.rng.random(n))
        return list(self.vocab[np.minimum(idx, self.cdf.size - 1)])

    def sentence(self, n: int, capital: bool = True) -> str:
        w = self.words(n)
        if capital:
            w[0] = w[0].capitalize()
        return " ".join(w) + "."

    def paragraph(self, words: int) -> str:
        out, left = [], words
        while left > 0:
            n = min(left, int(self.rng.integers(8, 26)))
            out.append(self.sentence(n))
            left -= n
        return " ".join(out)

    def article(self) -> tuple[str, list[str]]:
        headline = self.sentence(int(self.rng.integers(7, 13))).rstrip(".")
        paragraphs = [self.paragraph(int(self.rng.integers(50, 80))) for _ in range(int(self.rng.integers(6, 9)))]
        return headline, paragraphs

    def edit(self, paragraphs: list[str], rate: float) -> list[str]:
        out = []
        for p in paragraphs:
            words = p.split(" ")
            hits = self.rng.random(len(words)) < rate
            new: list[str] = []
            for word, hit in zip(words, hits, strict=True):
                if not hit:
                    new.append(word)
                    continue
                op = self.rng.integers(0, 3)
                if op == 0:
                    new.append(self.words(1)[0])
                elif op == 2:
                    new.extend([word, self.words(1)[0]])
            out.append(" ".join(new))
        return out


def _text(site: int, headline: str, paragraphs: list[str], w: _Writer) -> str:
    return "\n\n".join([w.headers[site], headline, *paragraphs, w.footers[site]])


def _truncate(paragraphs: list[str], share: float) -> list[str]:
    words = sum(len(p.split(" ")) for p in paragraphs)
    budget = int(words * share)
    out = []
    for p in paragraphs:
        parts = p.split(" ")
        if budget <= 0:
            break
        out.append(" ".join(parts[:budget]))
        budget -= len(parts)
    return out


def generate(out: Path, spec: CorpusSpec) -> list[Path]:
    """Write ceil(docs / shard_docs) Parquet shards under out/; returns their paths."""
    from corpusclean.normalize import content_hash  # imports courlan, hence `html`: see drop_script_dir

    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(spec.seed)
    w = _Writer(rng, spec)
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    rows: list[dict[str, object]] = []
    paths: list[Path] = []
    made = 0
    story = 0

    def add(text: str, site: int, kind: str, published: dt.datetime | None, neg_of: int | None) -> None:
        nonlocal made
        key = f"{spec.seed}:{made}"
        url = f"https://site{site}.example/news/{story}-{made}"
        rows.append(
            {
                "id": hashlib.sha256(key.encode()).hexdigest()[:32],
                "text": text,
                "url": url,
                "published": published,
                "word_count": len(text.split()),
                "source_path": f"synthetic/{made:08d}.txt",
                "source_type": "text",
                "content_hash": content_hash(text),
                "story": story,
                "kind": kind,
                "neg_of": neg_of,
            }
        )
        made += 1
        if len(rows) >= spec.shard_docs:
            flush()

    def flush() -> None:
        if not rows:
            return
        path = out / f"part-{len(paths):05d}.parquet"
        frame = pl.DataFrame(
            rows,
            schema={
                "id": pl.String,
                "text": pl.String,
                "url": pl.String,
                "published": pl.Datetime("us", "UTC"),
                "word_count": pl.Int32,
                "source_path": pl.String,
                "source_type": pl.String,
                "content_hash": pl.String,
                "story": pl.Int64,
                "kind": pl.String,
                "neg_of": pl.Int64,
            },
        )
        frame.write_parquet(path, compression="zstd")
        paths.append(path)
        rows.clear()

    while made < spec.docs:
        headline, paragraphs = w.article()
        site = int(rng.integers(0, SITES))
        when = base + dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 365)))
        negative = rng.random() < spec.negative_rate
        if negative:
            quote = '"' + w.paragraph(40).rstrip(".") + '," the minister said.'
            paragraphs.insert(int(rng.integers(1, len(paragraphs))), quote)
        add(_text(site, headline, paragraphs, w), site, "original", when, None)
        original = story
        if rng.random() < spec.family_rate:
            for _ in range(int(rng.integers(1, spec.max_copies + 1))):
                if made >= spec.docs:
                    break
                kind = KINDS[int(rng.integers(0, len(KINDS)))]
                other = int((site + rng.integers(1, SITES)) % SITES)
                published = None if rng.random() < 0.05 else when + dt.timedelta(hours=int(rng.integers(1, 73)))
                if kind == "exact":
                    add(_text(site, headline, paragraphs, w), site, kind, published, None)
                    continue
                title, body = headline, list(paragraphs)
                if kind == "retitled":
                    title = w.sentence(int(rng.integers(7, 13))).rstrip(".")
                elif kind == "trimmed":
                    body.pop(int(rng.integers(0, len(body))))
                elif kind == "edited":
                    body = w.edit(body, float(rng.uniform(0.01, 0.05)))
                elif kind == "truncated":
                    body = _truncate(body, float(rng.uniform(0.6, 0.8)))
                add(_text(other, title, body, w), other, kind, published, None)
        if negative and made < spec.docs:
            story += 1
            n_headline, n_paragraphs = w.article()
            n_paragraphs.insert(int(rng.integers(1, len(n_paragraphs))), quote)
            n_site = int(rng.integers(0, SITES))
            add(_text(n_site, n_headline, n_paragraphs, w), n_site, "negative", when, original)
        story += 1
    flush()
    return paths


def main() -> None:
    drop_script_dir()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="documents to generate")
    parser.add_argument("--out", type=Path, required=True, help="directory for the Parquet shards (under /tmp)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    paths = generate(args.out, CorpusSpec(docs=args.n, seed=args.seed))
    print(f"wrote {len(paths)} shards under {args.out}")


if __name__ == "__main__":
    main()
