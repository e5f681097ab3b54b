"""Train the line model of corpusclean.extract.textdump on the tune half of a text-dump set.

    python benchmarks/train_textdump.py /path/to/eval/textdump [--extra RENDERED_SET] [--out model.json] [--cv]

Only the tune half (sha1(id) starting 0-7) of the text-dump set is read. --extra adds every
page of another set rendered the same way (benchmarks/render_dumps.py, e.g. the 60
readability-news pages, Apache-2.0) to the training data; it is never scored here.
Lines of an extra set that its captions.json lists as caption/credit text are labelled
non-body even when its gold keeps them (the readability gold keeps captions, the
scrapinghub gold of the text-dump set does not). Each non-blank line is labelled body when
most of its 4-token shingles occur in the page's gold articleBody (short lines: when their
tokens occur in the gold and a neighbouring line is body). Stage 1 is a small one-hidden-layer
network over windowed line features; stage 2 is a logistic regression over stage-1 scores in
context, fitted on out-of-fold stage-1 scores so that it does not learn to trust an
overfitted stage 1. Everything is seeded: the same data gives the same model.json.

--members K averages K stage-1 networks trained from different seeds (measured in
RESULTS-textdump.md round 7: no gain, so the shipped model has one).

--cv also prints the page-level F1 of out-of-fold predictions on the tune half (a fair
estimate while developing, since the in-sample tune score flatters the model).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _textdump_eval import ids_in, load_gold, load_scorer, read_page
from corpusclean.extract.textdump import (
    LineModel,
    context_features,
    page_features,
    window_features,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Page = tuple[list[str], FloatArray, FloatArray, FloatArray, IntArray]  # lines, feats, labels, weights, blocks

_TOKEN = re.compile(r"\w+")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src/corpusclean/extract/_textdump_data/model.json"
FOLDS = 5
HIDDEN = 8
EPOCHS = 400
LEARNING_RATE = 0.01
WEIGHT_DECAY = 1e-2
L2 = 1.0
SEED = 20250603
MEMBERS = 1


def line_labels(lines: list[str], gold: str, captions: frozenset[str] = frozenset()) -> tuple[list[float], list[int]]:
    """Body labels (0/1) and token counts of `lines` against the gold body text (`captions`: never body)."""
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
        if lines[i] in captions:
            labels.append(0.0)
            continue
        if line_cover is not None:
            labels.append(float(line_cover >= 0.5))
            continue
        toks = _TOKEN.findall(lines[i])
        inside = bool(toks) and (" " + " ".join(toks) + " ") in joined
        near = any(0 <= j < len(cover) and (cover[j] or 0.0) >= 0.5 for j in (i - 2, i - 1, i + 1, i + 2))
        labels.append(float(inside and near))
    return labels, sizes


def _standardize(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def fit_logistic(
    x: FloatArray, y: FloatArray, w: FloatArray, l2: float
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """Weighted L2 logistic regression by Newton steps on standardized features."""
    mean, scale = _standardize(x)
    a = np.hstack([(x - mean) / scale, np.ones((x.shape[0], 1))])
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


Network = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, float]


def fit_network(pages: list[Page], members: int = 1) -> Network:
    """Stage 1: the average logit of `members` networks trained from different seeds.

    The average of tanh networks on the same inputs is itself one tanh network with their hidden
    units side by side (output weights divided by `members`), so the shipped model keeps its form.
    """
    nets = [_fit_one_network(pages, SEED + k) for k in range(members)]
    if members == 1:
        return nets[0]
    mean, scale = nets[0][0], nets[0][1]
    w1 = np.hstack([net[2] for net in nets])
    b1 = np.concatenate([net[3] for net in nets])
    w2 = np.concatenate([net[4] for net in nets]) / members
    b2 = float(np.mean([net[5] for net in nets]))
    return mean, scale, w1, b1, w2, b2


def _fit_one_network(pages: list[Page], seed: int) -> Network:
    """One network: tanh hidden layer, sigmoid output, weighted log loss, full-batch Adam."""
    feats = np.vstack([p[1] for p in pages])
    mean, scale = _standardize(feats)
    x = np.vstack([window_features((p[1] - mean) / scale) for p in pages])
    y = np.concatenate([p[2] for p in pages])
    w = np.concatenate([p[3] for p in pages])
    w = w / w.sum()
    rng = np.random.default_rng(seed)
    params = [
        rng.normal(0.0, 1.0 / np.sqrt(x.shape[1]), (x.shape[1], HIDDEN)),
        np.zeros(HIDDEN),
        rng.normal(0.0, 1.0 / np.sqrt(HIDDEN), HIDDEN),
        np.zeros(1),
    ]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    for step in range(1, EPOCHS + 1):
        w1, b1, w2, b2 = params
        h = np.tanh(x @ w1 + b1)
        p = 1.0 / (1.0 + np.exp(-np.clip(h @ w2 + b2[0], -30, 30)))
        d_out = w * (p - y)
        d_h = np.outer(d_out, w2) * (1 - h * h)
        grads = [
            x.T @ d_h + WEIGHT_DECAY * w1,
            d_h.sum(axis=0),
            h.T @ d_out + WEIGHT_DECAY * w2,
            np.asarray([d_out.sum()]),
        ]
        for i, g in enumerate(grads):
            moments[i] = 0.9 * moments[i] + 0.1 * g
            squares[i] = 0.999 * squares[i] + 0.001 * g * g
            m_hat = moments[i] / (1 - 0.9**step)
            v_hat = squares[i] / (1 - 0.999**step)
            params[i] = params[i] - LEARNING_RATE * m_hat / (np.sqrt(v_hat) + 1e-8)
    w1, b1, w2, b2 = params
    return mean, scale, w1, b1, w2, float(b2[0])


def fit_model(pages: list[Page], stage1_only: list[Page] | None = None, members: int = 1) -> LineModel:
    """The two-stage model; `stage1_only` pages add to the line network's data, not to stage 2's;
    stage 1 averages `members` networks."""
    more = stage1_only or []
    mean1, scale1, w1, b1, w2, b2 = fit_network(pages + more, members)
    # Out-of-fold stage-1 logits for the stage-2 fit (pages go to folds round-robin).
    ctx_rows: list[FloatArray] = []
    ys: list[FloatArray] = []
    ws: list[FloatArray] = []
    for fold in range(FOLDS):
        inner = fit_network([p for i, p in enumerate(pages) if i % FOLDS != fold] + more, members)
        probe = LineModel(*inner, np.zeros(1), np.ones(1), np.zeros(1), 0.0)
        for i, (_, feats, labels, weights, blocks) in enumerate(pages):
            if i % FOLDS == fold:
                ctx_rows.append(context_features(probe.stage1(feats), feats, blocks))
                ys.append(labels)
                ws.append(weights)
    mean2, scale2, coef2, bias2 = fit_logistic(np.vstack(ctx_rows), np.concatenate(ys), np.concatenate(ws), L2)
    return LineModel(mean1, scale1, w1, b1, w2, b2, mean2, scale2, coef2, bias2)


def load_pages(data: Path, gold: dict[str, str], ids: list[str], page_weight: float = 1.0) -> list[Page]:
    captions_file = data / "captions.json"
    captions: dict[str, list[str]] = json.loads(captions_file.read_text("utf-8")) if captions_file.exists() else {}
    pages: list[Page] = []
    for page_id in ids:
        lines, feats, blocks = page_features(read_page(data, page_id))
        labels, sizes = line_labels(lines, gold[page_id], frozenset(captions.get(page_id, ())))
        total = max(1, sum(sizes))
        # Every page weighs the same in the metric, and within a page a line weighs by its
        # tokens; the floor keeps short lines (headings, menu items) from weighing nothing.
        weights = page_weight * np.asarray([0.2 + s / total * len(lines) for s in sizes], dtype=np.float64)
        pages.append((lines, feats, np.asarray(labels, dtype=np.float64), weights, blocks))
    return pages


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def cross_validate(
    data: Path,
    gold: dict[str, str],
    ids: list[str],
    pages: list[Page],
    extra: list[Page],
    out: Path | None = None,
    stage1_only: bool = False,
    fold_seed: int | None = None,
    members: int = 1,
) -> None:
    """Out-of-fold F1 on the tune half, with the model's own decoding (predictions to `out` if given).

    The `extra` pages are in the training data of every fold. Page i is in fold i % FOLDS, or,
    with `fold_seed`, in the fold of its place in a seeded shuffle (F1 moves ~0.015 between
    fold splits, so compare recipes on several).
    """
    import corpusclean.extract.textdump as textdump

    score = load_scorer(data)
    pred: dict[str, str] = {}
    order = list(range(len(pages)))
    if fold_seed is not None:
        random.Random(fold_seed).shuffle(order)
    fold_of = {page: place % FOLDS for place, page in enumerate(order)}
    for fold in range(FOLDS):
        train = [p for i, p in enumerate(pages) if fold_of[i] != fold]
        model = fit_model(train, extra, members) if stage1_only else fit_model(train + extra, members=members)
        textdump.shipped_model.cache_clear()
        original = textdump.shipped_model
        textdump.shipped_model = lambda model=model: model  # type: ignore[assignment]
        try:
            for i, page_id in enumerate(ids):
                if fold_of[i] == fold:
                    pred[page_id] = textdump.clean_dump(read_page(data, page_id)).text
        finally:
            textdump.shipped_model = original
    result = score({k: gold[k] for k in ids}, pred)
    print(f"out-of-fold on tune: F1 {result['f1']:.4f} P {result['precision']:.3f} R {result['recall']:.3f}")
    if out is not None:
        out.write_text(json.dumps(pred, ensure_ascii=False, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="the textdump directory (ground-truth.json, pages/)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--extra", type=Path, action="append", default=[], help="another rendered set, all of it trained on"
    )
    parser.add_argument(
        "--extra-weight", type=float, default=1.0, help="weight of an extra page relative to a tune page"
    )
    parser.add_argument(
        "--extra-stage1-only", action="store_true", help="the extra pages train the line network only, not stage 2"
    )
    parser.add_argument("--cv", action="store_true", help="also report out-of-fold F1 on the tune half")
    parser.add_argument("--cv-out", type=Path, help="write the out-of-fold predictions {id: text} here")
    parser.add_argument("--fold-seed", type=int, help="shuffle pages into folds with this seed (default: i %% folds)")
    parser.add_argument(
        "--members", type=int, default=MEMBERS, help="stage-1 networks averaged (trained from different seeds)"
    )
    args = parser.parse_args()
    gold = load_gold(args.data)
    ids = ids_in(gold, "tune")
    pages = load_pages(args.data, gold, ids)
    extra: list[Page] = []
    for extra_set in args.extra:
        extra_gold = load_gold(extra_set)
        extra += load_pages(extra_set, extra_gold, ids_in(extra_gold, "all"), args.extra_weight)
    if args.cv:
        cross_validate(
            args.data, gold, ids, pages, extra, args.cv_out, args.extra_stage1_only, args.fold_seed, args.members
        )
    if args.extra_stage1_only:
        model = fit_model(pages, extra, args.members)
    else:
        model = fit_model(pages + extra, members=args.members)
    pages += extra
    args.out.parent.mkdir(parents=True, exist_ok=True)
    blob = {k: _rounded(v) for k, v in model.to_json().items()}
    args.out.write_text(json.dumps(blob, separators=(",", ":")) + "\n", encoding="utf-8")
    n_lines = sum(len(p[0]) for p in pages)
    print(f"trained on {len(pages)} pages, {n_lines} lines; wrote {args.out}")


if __name__ == "__main__":
    main()
