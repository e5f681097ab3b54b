"""Near-duplicate settings (NearConfig), apart from the hashing code in minhash.py.

config.py builds a NearConfig for every run, and the CLI imports config.py before it
starts its workers: this module imports nothing heavy (minhash.py needs numpy and polars),
so the workers start sooner.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from corpusclean.errors import ConfigError

# Bump when any hash of minhash.py changes: stored signatures of another scheme are not comparable.
HASH_SCHEME = "corpusclean-minhash/1"


@dataclass(frozen=True, slots=True)
class NearConfig:
    """Near-duplicate detection: MinHash over word n-grams, LSH with bands x rows, verified pairs.

    A pair of documents with Jaccard similarity J becomes a candidate with probability
    1 - (1 - J**rows)**bands (the S-curve, steepest near ``lsh_threshold``); a candidate
    is merged only when the Jaccard estimated from the full signatures is >= ``threshold``.
    The defaults (28 x 4 over 112 permutations, threshold 0.5) catch light word edits
    (5% of words changed puts Jaccard on 5-grams near 0.6), which the FineWeb setting
    14 x 8 (threshold ~0.72) misses; ``NearConfig(bands=14, rows=8, threshold=0.7)`` is that.
    """

    num_perm: int = 112
    bands: int = 28
    rows: int = 4
    shingle_words: int = 5
    threshold: float = 0.5
    seed: int = 1
    batch_docs: int = 256  # per vectorised batch: ~130k words keeps numpy's temporaries in cache

    def __post_init__(self) -> None:
        if self.num_perm < 1 or self.bands < 1 or self.rows < 1:
            raise ConfigError("num_perm, bands and rows must be >= 1")
        if self.bands * self.rows > self.num_perm:
            raise ConfigError(f"bands x rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}")
        if self.shingle_words < 1:
            raise ConfigError("shingle_words must be >= 1")
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.batch_docs < 1:
            raise ConfigError("batch_docs must be >= 1")

    @property
    def lsh_threshold(self) -> float:
        """Jaccard at which a pair becomes a candidate with probability ~1/2: (1/b)**(1/r)."""
        return float((1.0 / self.bands) ** (1.0 / self.rows))

    def candidate_probability(self, jaccard: float) -> float:
        """Chance that a pair with this Jaccard similarity shares at least one band."""
        return float(1.0 - (1.0 - jaccard**self.rows) ** self.bands)

    def describe(self) -> str:
        return (
            f"MinHash {self.num_perm} perm, word {self.shingle_words}-grams, LSH {self.bands} bands x {self.rows} rows "
            f"(implied threshold {self.lsh_threshold:.3f}), verified at estimated Jaccard >= {self.threshold}"
        )

    def signature_fingerprint(self) -> str:
        """What makes two signatures comparable (not bands, rows or threshold, which only read them)."""
        return f"{HASH_SCHEME};perm={self.num_perm};shingle={self.shingle_words};seed={self.seed}"

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)
