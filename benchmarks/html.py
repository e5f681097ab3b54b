"""Quality and speed of the HTML path, corpusclean next to bare trafilatura, in one run.

    python benchmarks/html.py /path/to/eval/scrapinghub /path/to/eval/readability-news \\
        [--pages 500] [--rounds 2] [--repeat 1] [--no-quality] [--no-throughput]

Quality: for each gold set (ground-truth.json + html/<id>.html.gz) it scores
`corpusclean.extract.html.extract_html` (the default ExtractConfig) and bare
`trafilatura.extract` (library defaults) with the article-extraction-benchmark metric (the
set's own score.py, next to the data directory): F1 / precision / recall / exact-match share
on the whole set, the tune half and the held-out half. The split is deterministic: held-out
is the ids whose sha1(id) hex digest starts with 8-f; rules were developed on the tune half.

Throughput (first data directory): the pages are copied to a temporary directory until
there are about --pages of them, each copy made unique by a trailing comment (duplicates are
detected after extraction, so copies cost a full extraction anyway). Then, side by side:
a bare `trafilatura.extract` loop over those files in one process (reading each file, warm:
imports and a 20-page warm-up done before the clock starts), and the end-to-end CLI
`corpusclean build` with --workers 1 and --workers 2 (fresh output directory each; the clock
includes the interpreter's start, imports, dedup, Parquet, report and commit). Every figure
is printed with the 1-minute load average at the time, since other processes on the machine
skew it, and with the CPU time it took (the bare loop's process; the build's whole process
tree), which other processes skew much less than the wall clock. Each round's builds are also
given as a ratio to that round's bare loop, and the fixed cost of a build (a one-page build,
best of three) is printed last: a build pays it whatever its size, so it weighs on small runs.
Eval files are never copied into the project; the data paths are arguments.
"""

from __future__ import annotations

import os
import sys

# This file is named html.py, so its folder on sys.path would shadow the standard library's
# html module (imported by trafilatura): take the folder off before anything imports it.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse
import gzip
import importlib.util
import json
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import trafilatura

from corpusclean.config import ExtractConfig
from corpusclean.extract.html import extract_html


def _shared_eval() -> ModuleType:
    """benchmarks/_textdump_eval.py (split and scorer), loaded by path: its folder is off sys.path."""
    spec = importlib.util.spec_from_file_location("_textdump_eval", os.path.join(_HERE, "_textdump_eval.py"))
    if spec is None or spec.loader is None:
        raise SystemExit("cannot load benchmarks/_textdump_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_EVAL = _shared_eval()
SPLITS: tuple[str, ...] = _EVAL.SPLITS
split_of: Callable[[str], str] = _EVAL.split_of
load_scorer: Callable[[Path], Callable[[dict[str, str], dict[str, str]], dict[str, float]]] = _EVAL.load_scorer

Scorer = Callable[[dict[str, str], dict[str, str]], dict[str, float]]


def load_set(data: Path) -> tuple[dict[str, str], dict[str, str | None], dict[str, str]]:
    """Gold bodies, gold URLs and page HTML by id."""
    raw = json.loads((data / "ground-truth.json").read_text("utf-8"))
    gold = {k: (v.get("articleBody") or "") for k, v in raw.items()}
    urls = {k: v.get("url") for k, v in raw.items()}
    pages = {}
    for page_id in gold:
        with gzip.open(data / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8", errors="replace") as f:
            pages[page_id] = f.read()
    return gold, urls, pages


def _timed(fn: Callable[[], dict[str, str]], repeat: int) -> tuple[dict[str, str], float]:
    best, out = float("inf"), {}
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return out, best


def quality(data: Path, repeat: int) -> None:
    score: Scorer = load_scorer(data)
    gold, urls, pages = load_set(data)
    config = ExtractConfig()
    ours, t_ours = _timed(lambda: {k: extract_html(pages[k], config, url=urls[k]).text for k in gold}, repeat)
    bare, t_bare = _timed(lambda: {k: trafilatura.extract(pages[k], url=urls[k]) or "" for k in gold}, repeat)
    print(f"\n{data.name}: {len(gold)} pages, load {os.getloadavg()[0]:.2f}")
    print(f"{'method':<12} {'split':<8} {'pages':>5} {'F1':>7} {'P':>6} {'R':>6} {'exact':>6}")
    for name, pred in (("corpusclean", ours), ("trafilatura", bare)):
        for split in SPLITS:
            ids = [k for k in gold if split == "all" or split_of(k) == split]
            r = score({k: gold[k] for k in ids}, {k: pred[k] for k in ids})
            print(
                f"{name:<12} {split:<8} {len(ids):>5} {r['f1']:>7.4f} {r['precision']:>6.3f} "
                f"{r['recall']:>6.3f} {r['accuracy']:>6.3f}"
            )
    print(
        f"in-process pages/s: corpusclean.extract_html {len(gold) / t_ours:.1f}, "
        f"trafilatura.extract {len(gold) / t_bare:.1f}"
    )


def make_copies(data: Path, target: Path, pages_wanted: int) -> list[Path]:
    """Unique copies of the set's pages in `target`, about `pages_wanted` of them."""
    _, _, pages = load_set(data)
    files: list[Path] = []
    copy = 0
    while len(files) < pages_wanted:
        for page_id, html in pages.items():
            if len(files) >= pages_wanted:
                break
            path = target / f"{page_id[:16]}-{copy}.html"
            path.write_text(f"{html}\n<!-- copy {copy} -->\n", encoding="utf-8")
            files.append(path)
        copy += 1
    return files


def bare_loop(files: list[Path]) -> tuple[float, float]:
    """Seconds, and CPU seconds, for read + trafilatura.extract over `files` in this process."""
    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        trafilatura.extract(path.read_text(encoding="utf-8"))
    return time.perf_counter() - start, time.process_time() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_build(source: Path, workers: int) -> tuple[float, float]:
    """Seconds, and CPU seconds of the build's process tree (its workers included)."""
    out = Path(tempfile.mkdtemp(prefix="cc-bench-out-"))
    try:
        cmd = [sys.executable, "-m", "corpusclean.cli", "build", str(source), "--out", str(out), "-q"]
        cmd += ["--workers", str(workers)]
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start, _children_cpu() - cpu
    finally:
        shutil.rmtree(out, ignore_errors=True)


BARE = "trafilatura.extract loop, 1 proc"


def throughput(data: Path, pages_wanted: int, rounds: int) -> None:
    """Bare loop, build -j1, build -j2, repeated `rounds` times in turn so that a burst of
    load from other processes hits every method alike; the best round of each is compared
    (by wall clock, and separately by CPU time)."""
    source = Path(tempfile.mkdtemp(prefix="cc-bench-pages-"))
    try:
        files = make_copies(data, source, pages_wanted)
        n = len(files)
        bare_loop(files[:20])  # warm-up: imports, caches
        print(f"\nthroughput on {n} pages ({data.name} copies), {os.cpu_count()} cores")
        header = f"{'round':<6} {'run':<34} {'seconds':>8} {'pages/s':>8} {'x bare':>6}"
        print(f"{header} {'CPU s':>7} {'CPU ms/page':>11} {'load':>5}")
        runs: dict[str, Callable[[], tuple[float, float]]] = {
            BARE: lambda: bare_loop(files),
            "corpusclean build --workers 1": lambda: cli_build(source, 1),
            "corpusclean build --workers 2": lambda: cli_build(source, 2),
        }
        best: dict[str, float] = {}
        best_cpu: dict[str, float] = {}
        for round_no in range(1, max(1, rounds) + 1):
            round_bare = 0.0
            for label, run in runs.items():
                load = os.getloadavg()[0]
                seconds, cpu = run()
                best[label] = min(best.get(label, float("inf")), seconds)
                best_cpu[label] = min(best_cpu.get(label, float("inf")), cpu)
                round_bare = round_bare or seconds  # the bare loop runs first in every round
                print(
                    f"{round_no:<6} {label:<34} {seconds:>8.1f} {n / seconds:>8.1f} {round_bare / seconds:>6.2f} "
                    f"{cpu:>7.1f} {1000 * cpu / n:>11.2f} {load:>5.2f}"
                )
        bare = n / best[BARE]
        print("best of rounds:")
        for label, seconds in best.items():
            print(
                f"  {label:<34} {n / seconds:>8.1f} pages/s  {n / seconds / bare:>5.2f}x bare   "
                f"CPU {1000 * best_cpu[label] / n:>6.2f} ms/page  {best_cpu[label] / best_cpu[BARE]:>5.2f}x bare"
            )
        # What every build pays whatever its size (interpreter start, imports, commit): the
        # best of three builds of one page. It weighs on small runs: compare it with the above.
        one = Path(tempfile.mkdtemp(prefix="cc-bench-one-"))
        try:
            shutil.copy(files[0], one)
            fixed = min(cli_build(one, 2)[0] for _ in range(3))
        finally:
            shutil.rmtree(one, ignore_errors=True)
        share = fixed / best["corpusclean build --workers 2"]
        print(f"fixed cost of a build (one page, -j2, best of 3): {fixed:.2f} s, {share:.0%} of the best -j2 run above")
    finally:
        shutil.rmtree(source, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, nargs="+", help="gold set directories (ground-truth.json, html/)")
    parser.add_argument("--pages", type=int, default=500, help="pages for the throughput runs")
    parser.add_argument("--repeat", type=int, default=1, help="in-process timing passes (best is reported)")
    parser.add_argument("--rounds", type=int, default=2, help="throughput rounds (each method once per round)")
    parser.add_argument("--no-quality", action="store_true")
    parser.add_argument("--no-throughput", action="store_true")
    args = parser.parse_args()
    if not args.no_quality:
        for data in args.data:
            quality(data, args.repeat)
    if not args.no_throughput:
        throughput(args.data[0], args.pages, args.rounds)


if __name__ == "__main__":
    main()
