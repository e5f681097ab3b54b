from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from corpusclean.errors import DatasetLockedError
from corpusclean.sink import JOURNAL, STAGING, Move, commit, committed_runs, dataset_lock, recover, write_json_atomic


def _stage(root: Path, run_id: str, names: list[str]) -> None:
    for name in names:
        path = root / STAGING / run_id / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)


def test_commit_moves_files_and_writes_manifest_last(tmp_path: Path) -> None:
    _stage(tmp_path, "run-1", ["articles/x.parquet", "rejects/y.parquet"])
    moves = [Move("articles/x.parquet", "articles/x.parquet"), Move("rejects/y.parquet", "rejects/y.parquet")]
    commit(tmp_path, "run-1", moves, {"run_id": "run-1", "sequence": 1})
    assert (tmp_path / "articles/x.parquet").read_text() == "articles/x.parquet"
    assert committed_runs(tmp_path) == [{"run_id": "run-1", "sequence": 1}]
    assert not (tmp_path / STAGING).exists()


def test_recover_rolls_forward_a_journaled_commit(tmp_path: Path) -> None:
    _stage(tmp_path, "run-1", ["articles/x.parquet", "rejects/y.parquet"])
    # A crash after the journal and the first move: the second file is still staged.
    journal = {
        "run_id": "run-1",
        "moves": [["articles/x.parquet", "articles/x.parquet"], ["rejects/y.parquet", "rejects/y.parquet"]],
        "manifest": {"run_id": "run-1", "sequence": 1},
    }
    write_json_atomic(tmp_path / STAGING / "run-1" / JOURNAL, journal)
    (tmp_path / "articles").mkdir()
    (tmp_path / STAGING / "run-1" / "articles/x.parquet").rename(tmp_path / "articles/x.parquet")
    assert recover(tmp_path) == ["run-1"]
    assert (tmp_path / "rejects/y.parquet").exists()
    assert json.loads((tmp_path / "manifests/run-1.json").read_text())["run_id"] == "run-1"


def test_recover_leaves_staging_without_a_journal_for_resume(tmp_path: Path) -> None:
    _stage(tmp_path, "run-2", ["shards/candidates-00000.parquet"])
    assert recover(tmp_path) == []
    assert (tmp_path / STAGING / "run-2" / "shards/candidates-00000.parquet").exists()
    assert not (tmp_path / "articles").exists()


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    with dataset_lock(tmp_path), pytest.raises(DatasetLockedError), dataset_lock(tmp_path):
        pass


def test_another_process_cannot_write_while_a_run_holds_the_lock(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from corpusclean.sink import dataset_lock\n"
        "from corpusclean.errors import DatasetLockedError\n"
        "try:\n    with dataset_lock(Path(sys.argv[1])): print('got it')\n"
        "except DatasetLockedError as e: print('locked:', e)\n"
    )
    with dataset_lock(tmp_path):
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("locked:")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "got it"


def test_partitioned_writer_bytes_do_not_depend_on_how_rows_arrive(tmp_path: Path) -> None:
    import filecmp

    import pyarrow.parquet as pq

    from corpusclean.schema import arrow_schema
    from corpusclean.sink import NOMINAL_ROW_BYTES, PartitionedWriter

    schema = arrow_schema("rejects")
    rows = [
        {
            "source_path": f"p{i}",
            "reason": "empty",
            "detail": "0 bytes",
            "source_type": None,
            "run_id": "r",
            "pipeline_version": "v",
        }
        for i in range(25)
    ]
    table = pa.Table.from_pylist(rows, schema=schema)
    outputs = []
    for chunk in (1, 7, 25):
        writer = PartitionedWriter(
            "rejects", tmp_path / f"c{chunk}", "part.parquet", row_group_bytes=4 * NOMINAL_ROW_BYTES
        )
        for start in range(0, 25, chunk):
            writer.add("k=a", table.slice(start, chunk))
        assert writer.close() == [("k=a/part.parquet", 25)]
        outputs.append(tmp_path / f"c{chunk}" / "k=a" / "part.parquet")
        assert not (tmp_path / f"c{chunk}" / ".spill").exists()
    assert pq.ParquetFile(outputs[0]).metadata.num_row_groups == 7  # 4 rows per group
    assert filecmp.cmp(outputs[0], outputs[1], shallow=False) and filecmp.cmp(outputs[0], outputs[2], shallow=False)


def _reject_rows(n: int) -> pa.Table:
    from corpusclean.schema import arrow_schema

    rows = [
        {
            "source_path": f"p{i}",
            "reason": "empty",
            "detail": "",
            "source_type": None,
            "run_id": "r",
            "pipeline_version": "v",
        }
        for i in range(n)
    ]
    return pa.Table.from_pylist(rows, schema=arrow_schema("rejects"))


def test_row_group_writer_cuts_groups_by_rows_not_by_pieces(tmp_path: Path) -> None:
    import filecmp

    import pyarrow.parquet as pq

    from corpusclean.schema import arrow_schema
    from corpusclean.sink import RowGroupWriter

    table = _reject_rows(10)
    paths = []
    for pieces in ([10], [3, 3, 3, 1], [1] * 10, [0, 9, 0, 1]):
        path = tmp_path / f"{len(pieces)}-{pieces[0]}.parquet"
        writer = RowGroupWriter(path, arrow_schema("rejects"), group_rows=4, table_name="rejects")
        start = 0
        for size in pieces:
            writer.add(table.slice(start, size))
            start += size
        assert writer.close() == 10
        paths.append(path)
    meta = pq.ParquetFile(paths[0]).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [4, 4, 2]
    assert all(filecmp.cmp(paths[0], other, shallow=False) for other in paths[1:])
    assert pq.read_table(paths[0]).equals(table)


def test_row_group_writer_writes_a_file_of_no_rows_and_checks_the_table(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from corpusclean.errors import SchemaError
    from corpusclean.schema import arrow_schema
    from corpusclean.sink import RowGroupWriter

    writer = RowGroupWriter(tmp_path / "r.parquet", arrow_schema("rejects"), group_rows=4, table_name="rejects")
    assert writer.close() == 0
    assert pq.read_table(tmp_path / "r.parquet").schema.equals(arrow_schema("rejects"))
    writer = RowGroupWriter(tmp_path / "s.parquet", arrow_schema("rejects"), group_rows=4, table_name="rejects")
    with pytest.raises(SchemaError):
        writer.add(_reject_rows(2).drop_columns(["detail"]))


def test_row_group_writer_bytes_do_not_depend_on_pieces_when_pages_fill(tmp_path: Path) -> None:
    # Bodies big enough that Parquet closes pages inside a row group: where it closes them must
    # not follow the pieces the rows came in (one per shard), or the bytes would change with
    # the shard size.
    import filecmp
    import random

    import pyarrow.parquet as pq

    from corpusclean.sink import RowGroupWriter

    rng = random.Random(1)
    schema = pa.schema([("text", pa.string()), ("authors", pa.list_(pa.string()))])
    rows = [
        {"text": "".join(rng.choice("abcdefgh ") for _ in range(rng.randint(500, 3000))), "authors": ["a"] * (i % 4)}
        for i in range(3000)
    ]
    table = pa.Table.from_pylist(rows, schema=schema)
    paths = []
    for piece in (1, 7, 100, 3000):
        path = tmp_path / f"piece-{piece}.parquet"
        writer = RowGroupWriter(path, schema, group_rows=2048)
        for start in range(0, table.num_rows, piece):
            writer.add(table.slice(start, piece))
        assert writer.close() == 3000
        paths.append(path)
    meta = pq.ParquetFile(paths[0]).metadata
    assert meta.row_group(0).column(0).total_compressed_size > 1 << 20  # several pages
    assert all(filecmp.cmp(paths[0], other, shallow=False) for other in paths[1:])
    assert pq.read_table(paths[0]).equals(table)
