"""Nightly runs take only new inputs; a killed run resumes to the result of an uninterrupted one."""

from __future__ import annotations

import os
import random
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


def _content(root: Path, table: str = "articles") -> pl.DataFrame:
    frame = scan(root, table).collect()
    cols = [c for c in CONTENT if c in frame.columns] if table == "articles" else ["source_path", "reason"]
    return frame.select(cols).sort("source_path")


def test_nightly_runs_process_only_new_pages_and_equal_one_run(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_pages(inbox, 30, seed=7)
    nightly = tmp_path / "nightly"
    first = build([str(inbox)], nightly, BuildConfig(workers=2, shard_size=8))
    assert (first.pages, first.kept) == (30, 30)

    write_pages(inbox, 12, seed=7, start=30)  # the next night's pages land in the same folder
    second = build([str(inbox)], nightly, BuildConfig(workers=2, shard_size=8))
    assert second.pages == 12 and second.unchanged_inputs == 30 and second.kept == 12

    third = build([str(inbox)], nightly, BuildConfig(workers=2, shard_size=8))
    assert (third.pages, third.unchanged_inputs) == (0, 42)

    once = tmp_path / "once"
    build([str(inbox)], once, BuildConfig(workers=2, shard_size=8))
    assert _content(nightly).equals(_content(once))


def test_a_touched_but_unchanged_input_is_not_processed_again(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    paths = write_pages(inbox, 3)
    build([str(inbox)], tmp_path / "d", BuildConfig(workers=0))
    os.utime(paths[0], ns=(1, 1))  # a re-synced copy: new mtime, same bytes
    paths[1].write_text(paths[1].read_text().replace("</article>", "<p>A correction was added.</p></article>"))
    again = build([str(inbox)], tmp_path / "d", BuildConfig(workers=0))
    assert again.pages == 1 and again.unchanged_inputs == 2


def _run_cli(inbox: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "corpusclean.cli",
            "build",
            str(inbox),
            "--out",
            str(out),
            "-q",
            "-j",
            "2",
            "--shard-size",
            "5",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_killed_runs_resume_to_the_uninterrupted_result(tmp_path: Path) -> None:
    """A short version of benchmarks/killtest.py: SIGKILL at random moments, then finish."""
    inbox = tmp_path / "inbox"
    write_pages(inbox, 40, seed=3)
    reference = tmp_path / "reference"
    build([str(inbox)], reference, BuildConfig(workers=2, shard_size=5))
    expected = _content(reference)

    out = tmp_path / "killed"
    rng = random.Random(11)
    empty = _content(out) if out.exists() else None
    for _ in range(3):
        proc = _run_cli(inbox, out)
        time.sleep(rng.uniform(0.5, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        # Readable, and either the previous state (nothing) or the finished one.
        state = _content(out)
        assert state.height == 0 or state.equals(expected)
        assert empty is None or empty.height == 0
    proc = _run_cli(inbox, out)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert _content(out).equals(expected)
    assert not (out / "_staging").exists()
    assert len(list((out / "manifests").glob("*.json"))) == 1
