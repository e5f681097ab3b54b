"""Near-duplicate detection: quality per duplicate kind, speed and memory, corpusclean vs datasketch.

    PYTHONPATH=src python benchmarks/dedup.py --n 100000
    PYTHONPATH=src python benchmarks/dedup.py --n 1000000 --workers 2

The corpus (benchmarks/dedup_data.py) is generated once into --data-root/n<N>/ (never
into the repository) and is not timed. Each measured run is a subprocess, so its peak
RSS is its own: the parent samples the resident memory of the subprocess and all its
children every 20 ms from /proc and also reports getrusage maxima.

Runs:
  corpusclean full   all N documents, --workers processes computing signatures per shard
                     (each writes its shard's signatures to Parquet, the spill), then exact
                     (content_hash) and near dedup in the parent.
  corpusclean 1-core the first --subset documents, 1 process, POLARS_MAX_THREADS=1.
  datasketch 1-core  the same subset: MinHash(112 perm) over word 5-grams + MinHashLSH(14 x 8),
                     insert timed as in the anchor, then query every document and union the
                     candidates (FineWeb style: no verification). datasketch is only measured
                     on the subset; its time at N is extrapolated linearly (stated as such).

Quality is pairwise per kind: for each document of a kind, the pairs it forms with the
members of its predicted cluster (precision) and of its true story (recall).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
GROUND_TRUTH = ["id", "story", "kind", "neg_of"]


def drop_script_dir() -> None:
    """Run as a script, benchmarks/ is first on sys.path and holds modules named like the standard
    library (html.py); drop it so `import html` (courlan, trafilatura) finds the real one."""
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]


# ---------------------------------------------------------------- data


def ensure_corpus(root: Path, n: int) -> list[Path]:
    folder = root / f"n{n}"
    done = folder / "_DONE"
    if not done.exists():
        spec = importlib.util.spec_from_file_location("dedup_data", ROOT / "benchmarks" / "dedup_data.py")
        assert spec is not None and spec.loader is not None
        data = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(data)
        data.generate(folder, data.CorpusSpec(docs=n))
        done.write_text("ok\n")
    return sorted(folder.glob("part-*.parquet"))


def _first_rows(shards: list[Path], limit: int | None) -> Iterator[tuple[Path, int | None]]:
    """(shard, rows to read from it) covering the first `limit` documents (all when None)."""
    left = limit
    for path in shards:
        if left is not None and left <= 0:
            return
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()
        take = rows if left is None else min(rows, left)
        yield path, (None if take == rows else take)
        if left is not None:
            left -= take


# ---------------------------------------------------------------- corpusclean (subprocess)


def _sketch_shard(path: str, rows: int | None, out: str) -> str:
    from corpusclean.dedup.minhash import NearConfig
    from corpusclean.dedup.near import SKETCH_COLUMNS, with_signatures

    config = NearConfig()
    frame = pl.scan_parquet(path).select([*SKETCH_COLUMNS, "text"])
    if rows is not None:
        frame = frame.head(rows)
    parts = []
    # Texts of one 8192-row batch at a time; what is kept is ~500 bytes of signature per document.
    for batch in frame.collect().iter_slices(8192):
        parts.append(with_signatures(batch, config).drop("text"))
    pl.concat(parts).write_parquet(out)
    return out


def run_corpusclean(spec: dict[str, Any]) -> dict[str, Any]:
    from corpusclean.dedup.exact import ExistingIndex, exact_duplicates
    from corpusclean.dedup.index import NearIndex
    from corpusclean.dedup.minhash import NearConfig
    from corpusclean.dedup.near import near_duplicates

    config = NearConfig()
    work = Path(spec["work"])
    jobs = [(str(p), rows, str(work / f"sketch-{i:05d}.parquet")) for i, (p, rows) in enumerate(spec["shards"])]
    if spec["workers"] > 1:
        # End to end: each worker reads its shard's texts and writes its signatures to Parquet.
        t0 = time.perf_counter()
        with ProcessPoolExecutor(spec["workers"]) as pool:
            outs = list(pool.map(_sketch_shard, *zip(*jobs, strict=True)))
        t1 = time.perf_counter()
        sketches = pl.read_parquet(outs)
    else:
        # Like for like with the datasketch run: texts are read before the clock starts.
        from corpusclean.dedup.near import SKETCH_COLUMNS, with_signatures

        frames = []
        for path, rows in spec["shards"]:
            frame = pl.scan_parquet(path).select([*SKETCH_COLUMNS, "text"])
            frames.append((frame.head(rows) if rows is not None else frame).collect())
        data = pl.concat(frames)
        t0 = time.perf_counter()
        sketches = pl.concat([with_signatures(b, config).drop("text") for b in data.iter_slices(8192)])
        t1 = time.perf_counter()
    empty = ExistingIndex(pl.DataFrame(schema={"content_hash": pl.String, "existing_id": pl.String}))
    kept, exact = exact_duplicates(sketches, empty)
    t2 = time.perf_counter()
    kept, near = near_duplicates(kept, NearIndex.empty(config), config)
    t3 = time.perf_counter()
    pl.concat([exact, near]).select("id", "duplicate_of", "kind", "similarity").write_parquet(work / "pred.parquet")
    return {
        "docs": sketches.height,
        "seconds": {"signatures": t1 - t0, "exact": t2 - t1, "near": t3 - t2, "total": t3 - t0},
        "config": config.describe(),
    }


# ---------------------------------------------------------------- datasketch (subprocess)


def run_datasketch(spec: dict[str, Any]) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]  # no stubs; benchmark only

    frames = []
    for path, rows in spec["shards"]:
        frame = pl.scan_parquet(path).select("id", "text")
        frames.append((frame.head(rows) if rows is not None else frame).collect())
    data = pl.concat(frames)
    ids, texts = data.get_column("id").to_list(), data.get_column("text").to_list()
    word = re.compile(r"\w+")
    lsh = MinHashLSH(num_perm=112, params=(14, 8))
    hashes = []
    t0 = time.perf_counter()
    for key, text in zip(ids, texts, strict=True):
        tokens = word.findall(text.lower())
        shingles = {" ".join(tokens[i : i + 5]) for i in range(max(len(tokens) - 4, 1))}
        m = MinHash(num_perm=112, seed=1)
        m.update_batch([s.encode("utf-8") for s in shingles])
        lsh.insert(key, m)
        hashes.append(m)
    t1 = time.perf_counter()
    parent = {key: key for key in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = {key: i for i, key in enumerate(ids)}
    for key, m in zip(ids, hashes, strict=True):
        for other in lsh.query(m):
            a, b = find(key), find(other)
            if a != b:
                # Union toward the earlier document (the generator's original comes first).
                if order[a] < order[b]:
                    parent[b] = a
                else:
                    parent[a] = b
    t2 = time.perf_counter()
    pairs = [(key, find(key)) for key in ids if find(key) != key]
    pl.DataFrame(pairs, schema={"id": pl.String, "duplicate_of": pl.String}, orient="row").with_columns(
        pl.lit("near").alias("kind"), pl.lit(None, pl.Float64).alias("similarity")
    ).write_parquet(Path(spec["work"]) / "pred.parquet")
    return {
        "docs": len(ids),
        "seconds": {"minhash_insert": t1 - t0, "query_cluster": t2 - t1, "total": t2 - t0},
        "config": "datasketch MinHash 112 perm, word 5-grams, MinHashLSH 14 bands x 8 rows, no verification",
    }


# ---------------------------------------------------------------- measuring


def _tree_rss_kib(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError):
            continue
    return total


def measure(kind: str, spec: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one job in a fresh interpreter; its result plus peak RSS of its process tree."""
    payload = json.dumps(spec)
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = str(ROOT / "src")
    proc = subprocess.Popen(
        [sys.executable, __file__, f"_{kind}", payload], stdout=subprocess.PIPE, env=full_env, text=True
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode:
        raise RuntimeError(f"{kind} run failed ({proc.returncode})")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mib_tree"] = peak / 1024
    return result


def _child_main(kind: str, payload: str) -> None:
    drop_script_dir()
    spec = json.loads(payload)
    result = run_corpusclean(spec) if kind == "corpusclean" else run_datasketch(spec)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result["maxrss_mib_self"] = own
    result["maxrss_mib_largest_child"] = children
    print(json.dumps(result))


# ---------------------------------------------------------------- quality


def clusters(truth: pl.DataFrame, pred: pl.DataFrame) -> pl.DataFrame:
    """truth + `cluster`: the kept document each one ends up with (chains of duplicate_of resolved)."""
    mapping = pred.select("id", "duplicate_of")
    frame = truth.with_columns(pl.col("id").alias("cluster"))
    for _ in range(64):
        step = frame.join(mapping, left_on="cluster", right_on="id", how="left", suffix="_m")
        nxt = step.with_columns(pl.coalesce("duplicate_of", "cluster").alias("cluster")).drop("duplicate_of")
        if nxt.get_column("cluster").equals(frame.get_column("cluster")):
            break
        frame = nxt
    return frame


def quality(truth: pl.DataFrame, pred: pl.DataFrame) -> dict[str, dict[str, float]]:
    frame = clusters(truth, pred)
    frame = frame.with_columns(
        pl.len().over("cluster").alias("n_cluster"),
        pl.len().over("story").alias("n_story"),
        pl.len().over("cluster", "story").alias("n_both"),
    )
    out: dict[str, dict[str, float]] = {}
    for (kind,), part in frame.group_by("kind", maintain_order=True):
        predicted = float((part["n_cluster"] - 1).sum())
        true = float((part["n_story"] - 1).sum())
        correct = float((part["n_both"] - 1).sum())
        out[str(kind)] = {
            "docs": float(part.height),
            "precision": correct / predicted if predicted else 1.0,
            "recall": correct / true if true else 1.0,
        }
    originals = frame.filter(pl.col("kind") == "original").select(
        pl.col("story").alias("neg_of"), pl.col("cluster").alias("orig_cluster")
    )
    negatives = frame.filter(pl.col("kind") == "negative").join(originals, on="neg_of", how="left")
    merged = negatives.filter(pl.col("cluster") == pl.col("orig_cluster")).height
    out["negative"]["merged_with_quoted_story"] = merged / max(negatives.height, 1)
    return dict(sorted(out.items()))


# ---------------------------------------------------------------- report


def _table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def main() -> None:
    drop_script_dir()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="documents in the corpus (100000 or 1000000)")
    parser.add_argument("--subset", type=int, default=20_000, help="documents for the 1-core comparison")
    parser.add_argument("--workers", type=int, default=2, help="signature processes in the full run")
    parser.add_argument("--data-root", type=Path, default=Path("/tmp/corpusclean-dedup-bench"))
    parser.add_argument("--skip-datasketch", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="alternating 1-core runs of each; the best counts")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()

    t = time.perf_counter()
    shards = ensure_corpus(args.data_root, args.n)
    print(f"corpus: {args.n} docs in {len(shards)} shards under {args.data_root} ({time.perf_counter() - t:.0f} s)")
    with open("/proc/loadavg") as fh:
        load_before = fh.read().split()[:3]

    results: dict[str, Any] = {"n": args.n, "subset": args.subset, "load_before": load_before}
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as tmp:
        runs: list[tuple[str, str, int | None, int, dict[str, str]]] = [
            ("corpusclean_full", "corpusclean", None, args.workers, {})
        ]
        for _ in range(args.repeat):
            # The 1-core runs alternate, so both sides see the same background load; the best run counts.
            runs.append(("corpusclean_1core", "corpusclean", args.subset, 1, {"POLARS_MAX_THREADS": "1"}))
            if not args.skip_datasketch:
                runs.append(("datasketch_1core", "datasketch", args.subset, 1, {}))
        truth_all = pl.read_parquet(shards, columns=GROUND_TRUTH)
        for i, (name, kind, limit, workers, env) in enumerate(runs):
            work = Path(tmp) / f"{i:02d}-{name}"
            work.mkdir()
            spec = {
                "shards": [[str(p), r] for p, r in _first_rows(shards, limit)],
                "workers": workers,
                "work": str(work),
            }
            result = measure(kind, spec, env)
            print(
                f"{name}: {result['docs']} docs, {result['seconds']['total']:.1f} s, "
                f"peak RSS {result['peak_rss_mib_tree']:.0f} MiB",
                flush=True,
            )
            previous = results.get(name)
            times = [*(previous["all_totals"] if previous else []), result["seconds"]["total"]]
            if previous is None or result["seconds"]["total"] < previous["seconds"]["total"]:
                truth = truth_all.head(limit) if limit else truth_all
                result["quality"] = quality(truth, pl.read_parquet(work / "pred.parquet"))
                results[name] = result
            results[name]["all_totals"] = times
    with open("/proc/loadavg") as fh:
        results["load_after"] = fh.read().split()[:3]
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def report(results: dict[str, Any]) -> str:
    out = [f"## n = {results['n']} (load average before {results['load_before']}, after {results['load_after']})", ""]
    rows = [["run", "docs", "seconds", "docs/s", "peak RSS MiB (tree)", "config"]]
    for name in ("corpusclean_full", "corpusclean_1core", "datasketch_1core"):
        if name not in results:
            continue
        r = results[name]
        secs = r["seconds"]["total"]
        rows.append(
            [
                name,
                str(r["docs"]),
                f"{secs:.1f}",
                f"{r['docs'] / secs:,.0f}",
                f"{r['peak_rss_mib_tree']:.0f}",
                r["config"],
            ]
        )
    out.append(_table(rows))
    for name in ("corpusclean_1core", "datasketch_1core"):
        if name in results:
            totals = ", ".join(f"{t:.2f}" for t in results[name]["all_totals"])
            out.append(f"\n{name}: all runs (s): {totals}; the table shows the best.")
    if "datasketch_1core" in results:
        ds = results["datasketch_1core"]
        cc = results["corpusclean_1core"]
        ds_insert = ds["docs"] / ds["seconds"]["minhash_insert"]
        ds_total = ds["docs"] / ds["seconds"]["total"]
        cc_rate = cc["docs"] / cc["seconds"]["total"]
        out += [
            "",
            f"1 core, same {cc['docs']} docs: corpusclean {cc_rate:,.0f} docs/s (signatures + exact + LSH + verify + "
            f"clusters); datasketch {ds_insert:,.0f} docs/s for MinHash + insert only, {ds_total:,.0f} docs/s with "
            f"query + union. Ratio {cc_rate / ds_insert:.1f}x (vs insert only), {cc_rate / ds_total:.1f}x (vs total).",
            f"datasketch extrapolated to {results['n']} docs on 1 core: "
            f"{results['n'] / ds_total:,.0f} s (linear extrapolation from the subset, not measured).",
        ]
    for name in ("corpusclean_full", "corpusclean_1core", "datasketch_1core"):
        if name not in results:
            continue
        q = results[name]["quality"]
        rows = [["kind", "docs", "pairwise precision", "pairwise recall"]]
        for kind, m in q.items():
            rows.append([kind, f"{m['docs']:.0f}", f"{m['precision']:.4f}", f"{m['recall']:.4f}"])
        out += [
            "",
            f"### quality: {name}",
            "",
            _table(rows),
            "",
            f"hard negatives merged with the story they quote: {q['negative']['merged_with_quoted_story']:.4f}",
        ]
    full = results["corpusclean_full"]["seconds"]
    out += ["", "corpusclean full-run stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in full.items())]
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in ("_corpusclean", "_datasketch"):
        _child_main(sys.argv[1][1:], sys.argv[2])
    else:
        main()
