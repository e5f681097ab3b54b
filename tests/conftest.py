from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from corpusclean.config import BuildConfig
from corpusclean.pipeline import RunSummary, build

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / "EXPECTED.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def samples_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunSummary]:
    """One build of samples/ shared by the read-only end-to-end tests (inputs named as `samples/...`)."""
    out = tmp_path_factory.mktemp("samples-build") / "data"
    work = out.parent / "work"
    work.mkdir()
    shutil.copytree(SAMPLES, work / "samples")
    import os

    cwd = os.getcwd()
    os.chdir(work)
    try:
        summary = build(["samples/"], out, BuildConfig(workers=1))
    finally:
        os.chdir(cwd)
    return out, summary
