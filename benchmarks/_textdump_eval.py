"""Shared helpers of the text-dump benchmark and trainer: the gold file, the split, the scorer."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

# The held-out half: ids whose sha1(id) hex digest starts with 8-f. Rules and the model are
# tuned on the other half (0-7) only; the held-out half is scored, never studied.
HELDOUT_DIGITS = frozenset("89abcdef")
SPLITS = ("all", "tune", "heldout")


def split_of(page_id: str) -> str:
    return "heldout" if hashlib.sha1(page_id.encode()).hexdigest()[0] in HELDOUT_DIGITS else "tune"


def load_gold(data: Path) -> dict[str, str]:
    """{id: articleBody} from <data>/ground-truth.json."""
    raw = json.loads((data / "ground-truth.json").read_text("utf-8"))
    return {k: (v.get("articleBody") or "") for k, v in raw.items()}


def read_page(data: Path, page_id: str) -> str:
    return (data / "pages" / f"{page_id}.txt").read_text("utf-8")


def ids_in(gold: dict[str, str], split: str) -> list[str]:
    return sorted(k for k in gold if split == "all" or split_of(k) == split)


def load_scorer(data: Path) -> Callable[[dict[str, str], dict[str, str]], dict[str, float]]:
    """`score(gold, pred)` from the eval set's score.py (next to the data directory)."""
    path = data.parent / "score.py"
    spec = importlib.util.spec_from_file_location("textdump_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the scorer at {path}")
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scorer: Callable[[dict[str, str], dict[str, str]], dict[str, float]] = module.score
    return scorer
