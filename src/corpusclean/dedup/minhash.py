"""MinHash signatures and LSH band keys, computed for a whole batch of bodies at once.

The work per batch is columnar: the bodies are normalized (NFKC, lower case) and
joined into one byte buffer, numpy finds the words (runs of letters/digits) in the
concatenated bytes, hashes each word from 8-byte gathers and each word n-gram
from its words' hashes (no Python per word or shingle), then one a*x mod 2**32
permutation per signature slot is applied to all shingles of a block and
reduced per document with ``np.minimum.reduceat``. Only the signature (num_perm uint32 per document) is
kept; texts and shingles are dropped after each batch.

Every hash here is defined by this module's arithmetic (no library hash whose
output may change between versions), because signatures and band keys are
stored in the dataset's index and compared with those of later runs.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

# NearConfig lives in params.py (config.py imports it without numpy and polars); re-exported here.
from corpusclean.dedup.params import HASH_SCHEME as HASH_SCHEME
from corpusclean.dedup.params import NearConfig as NearConfig

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

EMPTY_SLOT = np.uint32(0xFFFFFFFF)  # the minimum over no shingles; such documents never match
_POLY_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_CHUNK_SHINGLES = 8192  # shingles per permutation block: (num_perm x chunk) uint32 stays in L2 cache
_M64 = (1 << 64) - 1


# ---------------------------------------------------------------- hashing primitives


def _splitmix64(z: U64) -> U64:
    """The SplitMix64 finalizer: a bijection on uint64 that spreads every input bit over the output."""
    z = z ^ (z >> np.uint64(30))
    z = z * np.uint64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> np.uint64(27))
    z = z * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _splitmix_sequence(seed: int, count: int) -> list[int]:
    """Deterministic 64-bit constants from a seed, in plain Python (independent of numpy's RNG streams)."""
    out = []
    state = seed & _M64
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & _M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
        out.append(z ^ (z >> 31))
    return out


@functools.lru_cache(maxsize=8)
def _multipliers(num_perm: int, seed: int) -> U32:
    """Odd a_i of the permutations x -> a_i * x mod 2**32 (odd makes each a bijection on uint32).

    The textbook (a*x + b) mod p needs p prime only to turn structured keys into uniform
    values; our x are already uniform 32-bit hashes, so a bijection per slot is enough and
    the "+ b" pass (a third of the signature time) is dropped. The estimator's measured
    spread matches the ideal sqrt(J(1-J)/num_perm) (tests/unit/test_dedup_near.py).
    """
    return np.array([(c >> 32) | 1 for c in _splitmix_sequence(seed, num_perm)], dtype=np.uint32)


# Non-ASCII punctuation that separates words (typographic quotes and dashes, NBSP, CJK marks):
# (lead byte, allowed second bytes, sequence length) of its UTF-8 encoding.
_PUNCT_SEQUENCES = (
    (0xC2, (0xA0, 0xA1, 0xA7, 0xAB, 0xB6, 0xB7, 0xBB, 0xBF), 2),  # NBSP ¡ § « ¶ · » ¿
    (0xE2, (0x80, 0x81), 3),  # U+2000-U+207F: spaces, dashes, quotes, bullets, ellipsis
    (0xE3, (0x80,), 3),  # U+3000-U+303F: CJK spaces and punctuation
)
_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [(1 << 64) - 1], dtype=np.uint64)
_WORD_SALT = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5)


def _encode_normalized(texts: pl.Series) -> tuple[bytes, I64]:
    """NFKC, lower-cased UTF-8 of every text joined by one space, and each text's start offset (n + 1)."""
    # A Python pass per document: unicodedata's quick check makes NFKC nearly free on
    # already-normal text, which polars' str.normalize is not (it costs more than the hashing).
    parts = [unicodedata.normalize("NFKC", t).lower().encode("utf-8") if t else b"" for t in texts.to_list()]
    starts = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter((len(p) + 1 for p in parts), dtype=np.int64, count=len(parts)), out=starts[1:])
    return b" ".join(parts) + b" ", starts


def _word_mask(buf: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Bytes that belong to words: ASCII digits and (lower-case) letters, and non-ASCII characters
    other than the punctuation in _PUNCT_SEQUENCES. Byte arithmetic, not a table lookup (a gather
    per byte costs 4x more)."""
    is_word = buf >= 0x80
    is_word |= (buf - np.uint8(0x30)) < 10  # uint8 wraps, so one compare is the range test
    is_word |= (buf - np.uint8(0x61)) < 26
    leads = np.flatnonzero((buf == 0xC2) | (buf == 0xE2) | (buf == 0xE3))
    if leads.size:
        for lead, seconds, length in _PUNCT_SEQUENCES:
            at = leads[buf[leads] == lead]
            at = at[np.isin(buf[at + 1], seconds)]  # valid UTF-8: a lead byte has its continuation bytes
            for j in range(length):
                is_word[at + j] = False
    return is_word


def _word_hashes(blob: bytes, word_start: I64, word_end: I64) -> U64:
    """A 64-bit hash per word from its first, middle and last 8 bytes and its length.

    Words of up to 24 bytes are hashed whole; a longer word is identified by those
    24 bytes and its length, which is plenty for similarity (not for identity).
    """
    padded = blob + bytes(16)
    # Overlapping little-endian uint64 windows at every byte offset: 8-byte gathers, no per-byte pass.
    window = np.ndarray((len(blob) + 8,), dtype="<u8", buffer=padded, strides=(1,))
    length = word_end - word_start
    acc = window[word_start]
    acc &= _MASKS[np.minimum(length, 8)]
    acc *= np.uint64(_WORD_SALT[0])
    acc += length.astype(np.uint64) * np.uint64(_WORD_SALT[3])
    # Most words fit in 8 bytes: only the longer ones pay for the extra gathers.
    long = np.flatnonzero(length > 8)
    acc[long] += window[word_end[long] - 8] * np.uint64(_WORD_SALT[1])
    longer = long[length[long] > 16]
    acc[longer] += window[word_start[longer] + (length[longer] - 8) // 2] * np.uint64(_WORD_SALT[2])
    return _splitmix64(acc)


@dataclass(frozen=True, slots=True)
class Shingles:
    """The shingle hashes of a batch, document after document: doc i owns hashes[offsets[i]:offsets[i+1]]."""

    hashes: U32
    offsets: I64


def _as_series(texts: pl.Series | Sequence[str]) -> pl.Series:
    return texts.cast(pl.String) if isinstance(texts, pl.Series) else pl.Series(list(texts), dtype=pl.String)


def shingle_hashes(texts: pl.Series | Sequence[str], shingle_words: int, seed: int = 1) -> Shingles:
    """Non-zero 32-bit hashes of every word n-gram of every text (a text of fewer words is one shingle).

    Words are runs of letters and digits after NFKC and lower-casing, so case, punctuation
    and spacing never make two copies differ.
    """
    blob, doc_start = _encode_normalized(_as_series(texts))
    n = doc_start.size - 1
    buf = np.frombuffer(blob, dtype=np.uint8)
    is_word = _word_mask(buf)
    # blob ends with a space, so word starts and ends alternate in the list of changes.
    change = np.flatnonzero(is_word[1:] != is_word[:-1]) + 1
    if is_word[0]:
        change = np.concatenate(([0], change))
    word_start, word_end = change[0::2], change[1::2]
    word_off = np.searchsorted(word_start, doc_start).astype(np.int64)
    words = np.diff(word_off)

    k = shingle_words
    per_doc = np.where(words >= k, words - k + 1, np.minimum(words, 1))
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_doc, out=offsets[1:])
    count = int(offsets[-1])
    if count == 0:
        return Shingles(np.empty(0, dtype=np.uint32), offsets)
    # Hash of the n-gram starting at every word (contiguous slices, no gathers); windows that run
    # into the next document are simply never selected below.
    word_hash = np.concatenate((_word_hashes(blob, word_start, word_end), np.zeros(k - 1, dtype=np.uint64)))
    salts = _splitmix_sequence(seed ^ 0x5348494E, k + 1)
    m = word_start.size
    at_word = word_hash[:m] * np.uint64(salts[0] | 1)
    for j in range(1, k):
        # Position-dependent multipliers make the n-gram hash order-sensitive.
        at_word += word_hash[j : m + j] * np.uint64(salts[j] | 1)
    first = np.repeat(word_off[:-1], per_doc) + (np.arange(count, dtype=np.int64) - np.repeat(offsets[:-1], per_doc))
    acc = at_word[first]
    short = np.flatnonzero((words > 0) & (words < k))
    if short.size:
        # A document of fewer than k words is one shingle of all its words.
        acc[offsets[short]] = [
            sum(int(word_hash[w + j]) * (salts[j] | 1) for j in range(int(words[d]))) & _M64
            for d, w in zip(short, word_off[short], strict=True)
        ]
    acc += np.uint64(salts[k])
    # The top half of a sum of odd multiples of mixed word hashes is already uniform: no final mix.
    top = (acc >> np.uint64(32)).astype(np.uint32)
    top[top == 0] = 1  # 0 is a fixed point of every x -> a*x permutation; keep it out of the sets
    return Shingles(top, offsets)


def minhash_signatures(shingles: Shingles, num_perm: int, seed: int = 1) -> U32:
    """(documents x num_perm) MinHash signatures; a document without shingles gets EMPTY_SLOT everywhere."""
    a = _multipliers(num_perm, seed)
    offsets = shingles.offsets
    n = offsets.size - 1
    out = np.full((num_perm, n), EMPTY_SLOT, dtype=np.uint32)
    nonempty = np.flatnonzero(np.diff(offsets) > 0)
    starts = offsets[nonempty]
    width = _CHUNK_SHINGLES
    scratch = np.empty((num_perm, width), dtype=np.uint32)
    d0 = 0
    while d0 < nonempty.size:
        # Docs [d0, d1) whose shingles fit one block (a longer doc is a block on its own).
        limit = starts[d0] + _CHUNK_SHINGLES
        d1 = max(d0 + 1, int(np.searchsorted(starts, limit, side="right")) - 1)
        lo = int(starts[d0])
        hi = int(offsets[nonempty[d1 - 1] + 1])
        # (num_perm x block) uint32 products wrap, which is the mod 2**32; one scratch buffer for all blocks.
        if hi - lo <= width:
            block = np.multiply.outer(a, shingles.hashes[lo:hi], out=scratch[:, : hi - lo])
        else:  # one document longer than a block
            block = np.multiply.outer(a, shingles.hashes[lo:hi])
        out[:, nonempty[d0:d1]] = np.minimum.reduceat(block, starts[d0:d1] - lo, axis=1)
        d0 = d1
    return np.ascontiguousarray(out.T)


def signatures(texts: pl.Series | Sequence[str], config: NearConfig) -> U32:
    """MinHash signatures of texts, computed in batches of config.batch_docs."""
    series = texts if isinstance(texts, pl.Series) else pl.Series(list(texts), dtype=pl.String)
    parts = [
        minhash_signatures(
            shingle_hashes(series.slice(i, config.batch_docs), config.shingle_words, config.seed),
            config.num_perm,
            config.seed,
        )
        for i in range(0, series.len(), config.batch_docs)
    ]
    return np.concatenate(parts) if parts else np.empty((0, config.num_perm), dtype=np.uint32)


def band_key(sigs: U32, config: NearConfig, band: int) -> U64:
    """One band's uint64 key per document; equal keys mean equal rows in that band (up to 2**-64 collisions).

    The band number is folded into the key, so keys of different bands never meet in a join.
    Documents without shingles get the key of the EMPTY_SLOT row; callers drop them.
    """
    salt = np.uint64(_splitmix_sequence(config.seed ^ 0x42414E44, config.bands)[band])
    key = np.full(sigs.shape[0], salt, dtype=np.uint64)
    for column in range(band * config.rows, (band + 1) * config.rows):
        key = _splitmix64(key * np.uint64(0x9E3779B97F4A7C15) + sigs[:, column].astype(np.uint64))
    return key


def band_keys(sigs: U32, config: NearConfig) -> U64:
    """(documents x bands) keys, :func:`band_key` of every band.

    Computed band by band: widening the whole signature matrix to uint64 at once would take
    twice its own size again in temporaries.
    """
    keys = np.empty((sigs.shape[0], config.bands), dtype=np.uint64)
    for band in range(config.bands):
        keys[:, band] = band_key(sigs, config, band)
    return keys


def estimated_jaccard(left: U32, right: U32) -> npt.NDArray[np.float64]:
    """Row-wise share of equal signature slots: an unbiased estimate of Jaccard similarity."""
    if left.shape[0] == 0:
        return np.empty(0, dtype=np.float64)
    return np.asarray((left == right).mean(axis=1), dtype=np.float64)
