from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from corpusclean.errors import SchemaError
from corpusclean.schema import (
    SCHEMA_METADATA_KEY,
    TABLES,
    arrow_schema,
    check_table,
    polars_schema,
    render_readme,
    schemas_dir,
    table_spec,
)

ROOT = Path(__file__).resolve().parents[2]


def test_schemas_readme_is_generated_from_the_json() -> None:
    committed = (ROOT / "schemas" / "README.md").read_text(encoding="utf-8")
    assert committed == render_readme(), "schemas/README.md is stale: python -m corpusclean.schema > schemas/README.md"


@pytest.mark.parametrize("table", TABLES)
def test_every_field_has_a_description_and_a_known_type(table: str) -> None:
    spec = table_spec(table)
    assert spec.fields
    assert all(f.description for f in spec.fields)
    assert arrow_schema(table).names == [f.name for f in spec.fields]


def test_articles_schema_types() -> None:
    schema = arrow_schema("articles")
    assert schema.field("published").type == pa.timestamp("us", tz="UTC")
    assert schema.field("authors").type == pa.list_(pa.string())
    assert schema.field("word_count").type == pa.int32()
    assert not schema.field("id").nullable
    assert schema.metadata[SCHEMA_METADATA_KEY] == b"articles/1.0.0"


def test_polars_schema_matches_arrow() -> None:
    ps = polars_schema("articles")
    assert ps["published"] == pl.Datetime("us", "UTC")
    assert ps["related"] == pl.List(pl.String)


def test_check_table_rejects_a_missing_column() -> None:
    table = arrow_schema("rejects").empty_table().drop_columns(["detail"])
    with pytest.raises(SchemaError, match="rejects"):
        check_table("rejects", table)


def test_check_table_accepts_the_declared_schema() -> None:
    check_table("duplicates", arrow_schema("duplicates").empty_table())


def test_unknown_table() -> None:
    with pytest.raises(SchemaError, match="unknown table"):
        table_spec("nope")


def test_schemas_dir_is_the_checkout_or_the_wheel() -> None:
    assert (schemas_dir() / "articles.json").is_file()
