"""Datasets in object stores (s3://, gs://, any fsspec URL): build locally, publish with the manifest last.

Object stores have no atomic rename and no locks, so a remote dataset is written the
way its readers read it: every data file first, then the run's manifest. A reader that
goes through the manifests (corpusclean.dataset.scan, or the manifest's file list) never
sees part of a run.

The build itself runs in a local working copy that holds only what a run needs from
earlier runs: manifests/, ledger/ (what inputs were processed) and index/ (hashes and
signatures for dedup). Article, duplicate and reject files are uploaded and then dropped
locally. A run whose upload was cut short is finished by the next run (its manifest is
in the working copy but not in the store), so publishing rolls forward like a local commit.

One writer per remote dataset at a time: object stores cannot enforce it, so do not
schedule two builds of the same URL at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from pathlib import Path
from typing import Any

from corpusclean.sink import MANIFESTS

# What a run reads of earlier runs; everything else is only written.
SYNCED = ("manifests", "ledger", "index")
_URL_PREFIXES = ("s3://", "gs://", "gcs://", "az://", "abfs://", "memory://", "http://", "https://")


def is_remote(out: str | os.PathLike[str]) -> bool:
    return str(out).lower().startswith(_URL_PREFIXES)


def default_workdir(url: str) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "corpusclean"
    return base / hashlib.sha256(url.rstrip("/").encode()).hexdigest()[:16]


class RemoteDataset:
    """A dataset at an fsspec URL, with a local working copy for builds."""

    def __init__(self, url: str, workdir: Path | None = None) -> None:
        self.url = url.rstrip("/")
        import fsspec  # here: only remote datasets need it (~40 ms to import)

        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.local = workdir or default_workdir(self.url)
        self.local.mkdir(parents=True, exist_ok=True)

    def _remote(self, rel: str) -> str:
        return posixpath.join(self.root, rel)

    def _remote_manifests(self) -> set[str]:
        folder = self._remote(MANIFESTS)
        if not self.fs.exists(folder):
            return set()
        return {posixpath.basename(p) for p in self.fs.ls(folder, detail=False) if p.endswith(".json")}

    def pull(self) -> None:
        """Bring the working copy's manifests, ledger and index up to what the store holds."""
        for folder in SYNCED:
            remote = self._remote(folder)
            if not self.fs.exists(remote):
                continue
            for path in self.fs.ls(remote, detail=False):
                target = self.local / folder / posixpath.basename(path)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    self.fs.get(path, str(target))

    def push(self) -> list[str]:
        """Upload every locally committed run the store lacks (files first, manifest last)."""
        published = []
        have = self._remote_manifests()
        folder = self.local / MANIFESTS
        manifests = sorted(folder.glob("*.json")) if folder.is_dir() else []
        for manifest_path in manifests:
            if manifest_path.name in have:
                continue
            manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
            for rel in [f["path"] for f in manifest["files"]] + list(manifest.get("reports", [])):
                source = self.local / rel
                if source.exists():
                    self.fs.makedirs(posixpath.dirname(self._remote(rel)), exist_ok=True)
                    self.fs.put(str(source), self._remote(rel))
            self.fs.makedirs(self._remote(MANIFESTS), exist_ok=True)
            self.fs.put(str(manifest_path), self._remote(f"{MANIFESTS}/{manifest_path.name}"))
            published.append(manifest["run_id"])
            self._drop_uploaded(manifest)
        return published

    def _drop_uploaded(self, manifest: dict[str, Any]) -> None:
        """Free the working copy of what only the store needs to keep."""
        for item in manifest["files"]:
            rel = item["path"]
            if rel.split("/", 1)[0] not in SYNCED:
                (self.local / rel).unlink(missing_ok=True)
