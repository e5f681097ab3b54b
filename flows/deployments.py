"""Deployments of build_corpus: `flow.serve` with a cron schedule for one machine.

For work pools (several machines, a Prefect server), see flows/prefect.yaml.
"""

from __future__ import annotations

from typing import Any

from flows.build_corpus import build_corpus

DEFAULT_CRON = "0 2 * * *"  # every night at 02:00


def deployment_parameters(
    inputs: list[str], out: str, config_path: str | None, workers: int, shard_size: int | None
) -> dict[str, Any]:
    """The flow parameters a scheduled run gets: incremental, so each night takes only new pages."""
    return {
        "inputs": inputs,
        "out": out,
        "config_path": config_path,
        "workers": workers,
        "shard_size": shard_size,
        "incremental": True,
    }


def serve(
    inputs: list[str],
    out: str,
    *,
    name: str = "nightly",
    cron: str = DEFAULT_CRON,
    config_path: str | None = None,
    workers: int = 2,
    shard_size: int | None = None,
) -> None:
    """Serve build_corpus on this machine with a cron schedule until interrupted."""
    build_corpus.serve(
        name=name,
        cron=cron,
        parameters=deployment_parameters(inputs, out, config_path, workers, shard_size),
        description=f"corpusclean: incremental build of {out} from {', '.join(inputs)}",
        tags=["corpusclean"],
    )
