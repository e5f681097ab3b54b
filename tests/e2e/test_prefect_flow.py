"""The Prefect flow runs the same library code and writes the same dataset as the CLI."""

from __future__ import annotations

import filecmp
import gc
import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpusclean.config import BuildConfig
from corpusclean.pipeline import build

from ..conftest import SAMPLES

pytestmark = [
    pytest.mark.prefect,
    # Dask's and Prefect's event loops leave sockets to the garbage collector on shutdown.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
    # Dask's and Prefect's event loops leave sockets to the garbage collector: collect them
    # here, where their ResourceWarnings are expected, not at the end of the session.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gc.collect()


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


def _same_tables(a: Path, b: Path) -> None:
    files = sorted(p.relative_to(a) for p in a.glob("*/**/*.parquet") if "ledger" not in p.parts)
    assert files and files == sorted(p.relative_to(b) for p in b.glob("*/**/*.parquet") if "ledger" not in p.parts)
    for rel in files:
        assert filecmp.cmp(a / rel, b / rel, shallow=False), rel


def test_dask_gives_the_local_output_on_samples_and_generated_pages(prefect_server: None, tmp_path: Path) -> None:
    from flows.build_corpus import run_build

    from corpusclean.synth import write_pages

    generated = tmp_path / "generated"
    write_pages(generated, 2000, seed=5)
    for name, inputs in (("samples", [str(SAMPLES)]), ("generated", [str(generated)])):
        local = build(inputs, tmp_path / f"{name}-local", BuildConfig(workers=2))
        dask = run_build(inputs, str(tmp_path / f"{name}-dask"), executor="dask", workers=2, shard_size=100)
        assert (dask.kept, dask.duplicates, dask.rejects) == (local.kept, local.duplicates, local.rejects)
        _same_tables(tmp_path / f"{name}-local", tmp_path / f"{name}-dask")
    assert local.kept == 2000


def test_a_served_deployment_runs(prefect_server: None, tmp_path: Path) -> None:
    import asyncio

    from flows.build_corpus import build_corpus
    from flows.deployments import DEFAULT_CRON, deployment_parameters
    from prefect.deployments import run_deployment
    from prefect.runner import Runner

    out = tmp_path / "served"

    async def scenario() -> str:
        runner = Runner(name="corpusclean-test", query_seconds=1)
        params = deployment_parameters([str(SAMPLES / "text")], str(out), None, 1, None)
        await runner.add_flow(build_corpus, name="nightly-test", cron=DEFAULT_CRON, parameters=params)  # type: ignore[misc]  # sync/async dual API
        flow_run = await run_deployment(name="build_corpus/nightly-test", timeout=0)  # type: ignore[misc]
        await runner.start(run_once=True)
        from prefect.client.orchestration import get_client

        async with get_client() as client:
            state = (await client.read_flow_run(flow_run.id)).state
        assert state is not None
        return str(state.type.value)

    assert asyncio.run(scenario()) == "COMPLETED"
    assert list((out / "articles").glob("**/*.parquet"))
