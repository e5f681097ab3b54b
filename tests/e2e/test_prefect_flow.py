"""The Prefect flow runs the same library code and writes the same dataset as the CLI."""

from __future__ import annotations

import filecmp
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpusclean.config import BuildConfig
from corpusclean.pipeline import build

from ..conftest import SAMPLES

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_flow_output_equals_cli_output(prefect_server: None, tmp_path: Path) -> None:
    from flows.build_corpus import build_corpus

    work = tmp_path / "w"
    shutil.copytree(SAMPLES, work / "samples")
    cwd = os.getcwd()
    os.chdir(work)
    try:
        local = build(["samples/"], "local", BuildConfig(workers=1))
        flowed = build_corpus(["samples/"], "flowed", shard_size=4)
    finally:
        os.chdir(cwd)
    assert (flowed.kept, flowed.duplicates, flowed.rejects) == (local.kept, local.duplicates, local.rejects)
    assert flowed.run_id == local.run_id  # sharding never changes the output
    a, b = work / "local", work / "flowed"
    files = sorted(p.relative_to(a) for p in a.glob("*/**/*.parquet"))
    assert files and files == sorted(p.relative_to(b) for p in b.glob("*/**/*.parquet"))
    for rel in files:
        assert filecmp.cmp(a / rel, b / rel, shallow=False), rel


def test_broken_gate_fails_the_flow_run(prefect_server: None, tmp_path: Path) -> None:
    from flows.build_corpus import build_corpus

    config = tmp_path / "gates.toml"
    config.write_text("[gates]\nmin_kept = 1000\n")
    out = tmp_path / "d"
    state = build_corpus([str(SAMPLES / "html")], str(out), config_path=str(config), return_state=True)
    assert state.is_failed()
    assert "broke quality gates" in str(state.result(raise_on_failure=False))
    assert not (out / "articles").exists()  # nothing reached the dataset
    assert list((out / "quarantine").glob("*/articles/**/*.parquet"))
