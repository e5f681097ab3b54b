"""Train the line model of corpusclean.extract.textdump on the tune half of a text-dump set.

    python benchmarks/train_textdump.py /path/to/eval/textdump [--out src/.../model.json]

Only the tune half (sha1(id) starting 0-7) is read. Each non-blank line is labelled body when
most of its 4-token shingles occur in the page's gold articleBody (short lines: when their
tokens occur in the gold and a neighbour is body). Stage 1 is a logistic regression over the
line features; stage 2 reads stage-1 scores of the neighbours, fitted on out-of-fold
stage-1 scores so it does not learn to trust an overfitted stage 1. Output is deterministic.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _textdump_eval import ids_in, load_gold, read_page  # noqa: E402  (sibling helper, not a package)

from corpusclean.extract.textdump import (  # noqa: E402
    CONTEXT_NAMES,
    FEATURE_NAMES,
    LineModel,
    context_features,
    page_features,
)

FloatArray = npt.NDArray[np.float64]
_TOKEN = re.compile(r"\w+")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src/corpusclean/extract/_textdump_data/model.json"
FOLDS = 5
L2 = 1.0


def line_labels(lines: list[str], gold: str) -> tuple[list[float], list[int]]:
    """Body labels (0/1) and token counts of `lines` against the gold body text."""
    gold_tokens = _TOKEN.findall(gold)
    shingles = Counter(tuple(gold_tokens[i : i + 4]) for i in range(len(gold_tokens) - 3))
    joined = " " + " ".join(gold_tokens) + " "
    cover: list[float | None] = []
    sizes: list[int] = []
    for line in lines:
        toks = _TOKEN.findall(line)
        sizes.append(len(toks))
        if len(toks) >= 4:
            grams = [tuple(toks[i : i + 4]) for i in range(len(toks) - 3)]
            cover.append(sum(g in shingles for g in grams) / len(grams))
        else:
            cover.append(None)
    labels: list[float] = []
    for i, line_cover in enumerate(cover):
        if line_cover is not None:
            labels.append(float(line_cover >= 0.5))
            continue
        toks = _TOKEN.findall(lines[i])
        inside = bool(toks) and (" " + " ".join(toks) + " ") in joined
        near = any(0 <= j < len(cover) and (cover[j] or 0.0) >= 0.5 for j in (i - 2, i - 1, i + 1, i + 2))
        labels.append(float(inside and near))
    return labels, sizes


def fit_logistic(x: FloatArray, y: FloatArray, w: FloatArray, l2: float) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """Weighted L2 logistic regression by Newton steps on standardized features."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    a = np.hstack([z, np.ones((z.shape[0], 1))])
    beta = np.zeros(a.shape[1])
    reg = np.full(a.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ beta, -30, 30)))
        grad = a.T @ (w * (p - y)) + reg * beta
        hess = (a * (w * p * (1 - p))[:, None]).T @ a + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, beta[:-1], float(beta[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="the textdump directory (ground-truth.json, pages/)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    gold = load_gold(args.data)
    pages: list[tuple[FloatArray, FloatArray, FloatArray]] = []
    for page_id in ids_in(gold, "tune"):
        lines, feats = page_features(read_page(args.data, page_id))
        labels, sizes = line_labels(lines, gold[page_id])
        total = max(1, sum(sizes))
        # Every page weighs the same in the metric, and within a page a line weighs by its
        # tokens; the floor keeps short lines (headings, menu items) from weighing nothing.
        weights = np.asarray([0.2 + s / total * len(lines) for s in sizes], dtype=np.float64)
        pages.append((feats, np.asarray(labels, dtype=np.float64), weights))
    x = np.vstack([p[0] for p in pages])
    y = np.concatenate([p[1] for p in pages])
    w = np.concatenate([p[2] for p in pages])
    mean1, scale1, coef1, bias1 = fit_logistic(x, y, w, L2)

    # Out-of-fold stage-1 logits for the stage-2 fit (pages assigned to folds round-robin).
    ctx_rows: list[FloatArray] = []
    for fold in range(FOLDS):
        train = [p for i, p in enumerate(pages) if i % FOLDS != fold]
        m, s, c, b = fit_logistic(
            np.vstack([p[0] for p in train]), np.concatenate([p[1] for p in train]), np.concatenate([p[2] for p in train]), L2
        )
        for i, (feats, _, _) in enumerate(pages):
            if i % FOLDS == fold:
                ctx_rows.append(context_features(((feats - m) / s) @ c + b, feats))
    order = [i for fold in range(FOLDS) for i in range(len(pages)) if i % FOLDS == fold]
    y2 = np.concatenate([pages[i][1] for i in order])
    w2 = np.concatenate([pages[i][2] for i in order])
    mean2, scale2, coef2, bias2 = fit_logistic(np.vstack(ctx_rows), y2, w2, L2)

    model = LineModel(mean1, scale1, coef1, bias1, mean2, scale2, coef2, bias2)
    import json

    args.out.parent.mkdir(parents=True, exist_ok=True)
    blob = model.to_json()
    rounded = {k: ([round(v, 6) for v in val] if isinstance(val, list) and val and isinstance(val[0], float) else val) for k, val in blob.items()}
    args.out.write_text(json.dumps(rounded, indent=1) + "\n", encoding="utf-8")
    print(f"trained on {len(pages)} pages, {len(y)} lines ({int(y.sum())} body); wrote {args.out}")
    for name, coef in sorted(zip(FEATURE_NAMES, coef1, strict=True), key=lambda t: -abs(t[1]))[:12]:
        print(f"  stage1 {name:>16} {coef:+.3f}")
    for name, coef in zip(CONTEXT_NAMES, coef2, strict=True):
        print(f"  stage2 {name:>16} {coef:+.3f}")


if __name__ == "__main__":
    main()
