"""Scale benchmark: pages/s of `corpusclean build` with 1 and 2 local worker processes and on a
Dask LocalCluster (through the Prefect flow), same inputs, side by side; fixed per-run overhead
(process start, planning, Prefect server and task processes, Dask cluster) measured separately
on a run of four one-page shards.

    python benchmarks/scale.py [--pages 2000] [--workdir /tmp/corpusclean-scale] [--out RESULTS.json]

Pages are synthetic articles (corpusclean.synth), so the figure is about the pipeline, not the
extraction quality. Each configuration builds into a fresh directory. Rates are pages / (wall time
of the run - fixed overhead of that path), with the overhead also reported, so short runs are not
dominated by start-up.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/html.py would shadow the
# standard library's html module (which trafilatura imports): take the folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from corpusclean.synth import write_pages


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/corpusclean-scale"))
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    inbox = args.workdir / "inbox"
    write_pages(inbox, args.pages, seed=42)
    # Fixed overhead: a run over a few one-page shards, so that every path starts what it starts
    # for real work (worker processes, a Dask cluster, Prefect's task processes).
    tiny = args.workdir / "tiny"
    write_pages(tiny, 4, seed=43)
    cli = [sys.executable, "-m", "corpusclean.cli", "build"]
    configs = {
        "local, 1 worker": [*cli, "-j", "1", "-q"],
        "local, 2 workers": [*cli, "-j", "2", "-q"],
        "prefect, process pool, 2 workers": [*cli, "--executor", "processes", "-j", "2", "--shard-size", "250"],
        "prefect + dask LocalCluster, 2 workers": [*cli, "--executor", "dask", "-j", "2", "--shard-size", "250"],
    }
    rows = []
    for name, cmd in configs.items():
        overhead = timed([*cmd, str(tiny), "--out", str(args.workdir / f"overhead-{len(rows)}"), "--shard-size", "1"])
        wall = timed([*cmd, str(inbox), "--out", str(args.workdir / f"run-{len(rows)}")])
        rate = args.pages / max(1e-9, wall - overhead)
        rows.append(
            {"config": name, "wall_s": round(wall, 2), "overhead_s": round(overhead, 2), "pages_per_s": round(rate, 1)}
        )
        print(f"{name:<42} wall {wall:7.2f} s   fixed overhead {overhead:6.2f} s   {rate:8.1f} pages/s", flush=True)
    base = rows[0]["pages_per_s"]
    for row in rows:
        row["speedup_vs_1_worker"] = round(row["pages_per_s"] / base, 2)
        print(f"{row['config']:<42} {row['speedup_vs_1_worker']:.2f}x one worker")
    load = os.getloadavg()
    print(f"pages: {args.pages}; load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.out:
        args.out.write_text(json.dumps({"pages": args.pages, "load": load, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
