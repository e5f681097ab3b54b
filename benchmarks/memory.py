"""Memory benchmark: peak memory (PSS) of `corpusclean build`, parent and workers together, at growing run sizes.

    python benchmarks/memory.py [--sizes 5000 20000 50000] [--workers 2] [--workdir /tmp/corpusclean-memory]

Pages are synthetic articles (corpusclean.synth). Each size builds into a fresh directory in
its own process tree; the PSS of the whole tree is sampled from /proc every 50 ms and the peak is
reported, with the ratio to the smallest size (the target: flat within 20%). The peak is also
given per phase: while extraction workers run, and after they are gone (finalize: dedup, write,
report, commit, all in the parent).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/html.py would shadow the
# standard library's html module (which trafilatura imports): take the folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import os
import shutil
import subprocess
import time

from corpusclean.synth import write_pages


def _pss(pid: int) -> int:
    """Proportional set size: resident bytes, with pages shared by n processes counted 1/n each.

    Summing RSS over forked workers would count the parent's copy-on-write pages (the loaded
    models) once per worker, so a run that recycles workers would look bigger than it is.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_rss(pid: int) -> tuple[int, int]:
    """Memory of pid and all its descendants (sum of PSS), and how many processes that is."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, processes, todo = 0, 0, [pid]
    while todo:
        current = todo.pop()
        total += _pss(current)
        processes += 1
        todo.extend(children.get(current, []))
    return total, processes


def measure(cmd: list[str]) -> tuple[float, dict[str, int]]:
    """Wall time and peak PSS of the run: overall, while workers ran ("extract"), after ("finalize")."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peaks = {"all": 0, "extract": 0, "finalize": 0}
    workers_seen = False
    while proc.poll() is None:
        pss, processes = tree_rss(proc.pid)
        workers_seen |= processes > 1
        phase = "extract" if processes > 1 else "finalize" if workers_seen else "plan"
        peaks[phase] = max(peaks.get(phase, 0), pss)
        peaks["all"] = max(peaks["all"], pss)
        time.sleep(0.05)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with {proc.returncode}")
    return time.perf_counter() - start, peaks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 50000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/corpusclean-memory"))
    args = parser.parse_args()
    inbox = args.workdir / "inbox"
    have = len(list(inbox.glob("*.html"))) if inbox.is_dir() else 0
    if have < max(args.sizes):
        write_pages(inbox, max(args.sizes) - have, seed=17, start=have)
    results = []
    for size in sorted(args.sizes):
        inputs = args.workdir / f"in-{size}"
        if not inputs.exists():
            inputs.mkdir(parents=True)
            for i in range(size):  # links, not copies: the same bytes, no extra disk
                os.symlink(inbox / f"page-{i:06d}.html", inputs / f"page-{i:06d}.html")
        out = args.workdir / f"out-{size}"
        shutil.rmtree(out, ignore_errors=True)
        cmd = [sys.executable, "-m", "corpusclean.cli", "build", str(inputs), "--out", str(out), "-q"]
        seconds, peaks = measure([*cmd, "-j", str(args.workers)])
        results.append((size, seconds, peaks["all"]))
        base = results[0][2]
        print(
            f"{size:>7} pages  {seconds:7.1f} s  {size / seconds:7.1f} pages/s  "
            f"peak PSS {peaks['all'] / 2**20:7.1f} MiB  ({peaks['all'] / base:.2f}x the {results[0][0]}-page run)  "
            f"extract {peaks['extract'] / 2**20:.1f}  finalize {peaks['finalize'] / 2**20:.1f} MiB",
            flush=True,
        )
    load = os.getloadavg()
    print(f"workers: {args.workers}; load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
