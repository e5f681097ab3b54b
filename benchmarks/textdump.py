"""Quality and speed of corpusclean.extract.textdump.clean_dump on a text-dump gold set.

    python benchmarks/textdump.py /path/to/eval/textdump [--split all|tune|heldout] [--out pred.json]
    python benchmarks/textdump.py /path/to/eval/textdump --check-gate

Scores with the article-extraction-benchmark metric (the set's own score.py, next to the
data directory) and prints F1 / precision / recall / exact-match share and pages per second
for the chosen split, or for all three when --split is all. The split is deterministic:
the held-out half is the ids whose sha1(id) hex digest starts with 8-f; rules and the
shipped model are developed on the tune half (0-7) only. Eval files are never copied into
the project; the data path is an argument.

Speed is reported twice: wall clock (best of --repeat passes) and CPU time of this process
(time.process_time, less sensitive to other work on the machine).

--check-gate checks the cleaner's residual gate (lines it skips without calling
residual.boilerplate_reason, by the contract of residual.SCREEN, and caption lines it never
searches, by residual.CREDIT_MARKS) against the plain functions on every line of the set.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _textdump_eval import SPLITS, ids_in, load_gold, load_scorer, read_page
from corpusclean.extract.residual import CREDIT_MARKS, boilerplate_reason
from corpusclean.extract.textdump import (
    clean_dump,
    is_caption,
    residual_gate_active,
    residual_reasons,
    text_units,
)


def check_gate(texts: list[str]) -> bool:
    """True when the gated paths agree with the plain functions on every line of `texts`."""
    wrong = 0
    for text in texts:
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        for line, fast in zip(lines, residual_reasons(lines), strict=True):
            slow = boilerplate_reason(line)
            if fast != slow:
                wrong += 1
                print(f"residual: {fast} != {slow}: {line[:100]!r}")
            if is_caption(line, text_units(line)) and not any(c in line for c in CREDIT_MARKS):
                wrong += 1
                print(f"caption without ':' or '/': {line[:100]!r}")
    print(f"gate active: {residual_gate_active()}; {wrong} disagreements")
    return wrong == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="the textdump directory (ground-truth.json, pages/)")
    parser.add_argument("--split", choices=SPLITS, default="all")
    parser.add_argument("--out", type=Path, help="write predictions {id: text} here")
    parser.add_argument("--repeat", type=int, default=3, help="timing passes (best is reported)")
    parser.add_argument("--check-gate", action="store_true", help="check the residual gate, then exit")
    args = parser.parse_args()
    gold = load_gold(args.data)
    ids = ids_in(gold, args.split)
    texts = {page_id: read_page(args.data, page_id) for page_id in ids}
    if args.check_gate:
        raise SystemExit(0 if check_gate(list(texts.values())) else 1)
    score = load_scorer(args.data)
    clean_dump("warm-up: loads the shipped model once.")

    best = best_cpu = float("inf")
    pred: dict[str, str] = {}
    for _ in range(max(1, args.repeat)):
        start, start_cpu = time.perf_counter(), time.process_time()
        pred = {page_id: clean_dump(texts[page_id]).text for page_id in ids}
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    rate = len(ids) / best if best > 0 else float("inf")
    rate_cpu = len(ids) / best_cpu if best_cpu > 0 else float("inf")
    kb = sum(len(t) for t in texts.values()) / max(1, len(texts)) / 1000

    print(f"{'split':<8} {'pages':>5} {'F1':>7} {'P':>6} {'R':>6} {'exact':>6}")
    for split in SPLITS if args.split == "all" else (args.split,):
        part = ids_in(gold, split)
        result = score({k: gold[k] for k in part}, {k: pred[k] for k in part})
        print(
            f"{split:<8} {len(part):>5} {result['f1']:>7.4f} {result['precision']:>6.3f} "
            f"{result['recall']:>6.3f} {result['accuracy']:>6.3f}"
        )
    print(f"speed: {rate:,.0f} pages/s on one core, wall clock ({len(ids)} pages, {kb:.1f} kB average)")
    print(f"       {rate_cpu:,.0f} pages/s by CPU time of this process")
    if args.out:
        args.out.write_text(json.dumps(pred, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
