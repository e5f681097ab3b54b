"""Kill test: SIGKILL `corpusclean build` at random moments; the dataset must always be readable,
equal to the previous or the new state, and the re-run must converge to the uninterrupted result.

    python benchmarks/killtest.py [--kills 20] [--pages 400] [--seed 1] [--workdir /tmp/killtest]

Each round starts a build of a growing inbox (a nightly run adds pages), kills it after a random
delay, checks the committed state, and every few kills lets a run finish. At the end the killed
dataset must hold exactly the rows of one uninterrupted build over the same inputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/html.py would shadow the
# standard library's html module (which trafilatura imports): take the folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from corpusclean.config import BuildConfig
from corpusclean.dataset import scan
from corpusclean.pipeline import build
from corpusclean.synth import write_pages

CONTENT = ["id", "text", "title", "published", "url", "source_path", "content_hash"]


def content(root: Path) -> pl.DataFrame:
    return scan(root, "articles").collect().select(CONTENT).sort("source_path")


def start_build(inbox: Path, out: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "corpusclean.cli", "build", str(inbox), "--out", str(out), "-q", "-j", "2"]
    return subprocess.Popen([*cmd, "--shard-size", "20"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--pages", type=int, default=400, help="pages per nightly batch")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/corpusclean-killtest"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    shutil.rmtree(args.workdir, ignore_errors=True)
    inbox, out = args.workdir / "inbox", args.workdir / "killed"
    write_pages(inbox, args.pages, seed=args.seed)
    added = 1
    previous = content(out)
    kills = 0
    states = {"previous": 0, "new": 0}
    while kills < args.kills:
        # Where the uninterrupted run would end, for the inputs present now.
        reference = args.workdir / f"reference-{added}"
        if not reference.exists():
            build([str(inbox)], reference, BuildConfig(workers=2, shard_size=20))
        new = content(reference)
        proc = start_build(inbox, out)
        time.sleep(rng.uniform(0.2, 4.0))
        killed = proc.poll() is None
        if killed:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate()
        state = content(out)
        if state.equals(new):
            states["new"] += 1
        elif state.equals(previous):
            states["previous"] += 1
        else:
            print(f"kill {kills}: the dataset is neither the previous nor the new state", file=sys.stderr)
            return 1
        label = "new" if state.equals(new) else "previous"
        print(f"{'kill' if killed else 'done'} {kills:>2}: state = {label} ({state.height} rows)", flush=True)
        if killed and kills % 4 != 0:
            continue
        # Let the run finish (resuming what the kill left), check it, and land the next night's pages.
        done = start_build(inbox, out)
        _, err = done.communicate()
        if done.returncode != 0:
            print(err.decode(), file=sys.stderr)
            return 1
        if not content(out).equals(new):
            print("the finished re-run differs from the uninterrupted result", file=sys.stderr)
            return 1
        previous = new
        write_pages(inbox, args.pages, seed=args.seed, start=added * args.pages)
        added += 1
    final = start_build(inbox, out)
    final.communicate()
    reference = args.workdir / "reference-final"
    build([str(inbox)], reference, BuildConfig(workers=2, shard_size=20))
    ok = content(out).equals(content(reference)) and not (out / "_staging").exists()
    print(f"{kills} kills; states seen after a kill: {states}; converged: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
