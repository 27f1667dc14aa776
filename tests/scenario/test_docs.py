"""docs/scenario-format.md is generated from the schemas and must not drift."""

from __future__ import annotations

from pathlib import Path

from corridor.scenario import catalogs
from corridor.scenario.docs import META_DOC, REGENERATE, render_format_doc
from corridor.scenario.schema import META_KEYS, TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"


def test_committed_doc_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render_format_doc(), (
        f"docs/scenario-format.md is out of date with the schemas/catalogs; regenerate it "
        f"from the repository root with:\n    {REGENERATE}"
    )


def test_doc_names_every_table_column_and_catalog_id() -> None:
    text = render_format_doc()
    for table in TABLES.values():
        assert f"`{table.file}`" in text
        for col in table.columns:
            assert f"| `{col.name}`" in text, col.name
        for ext in table.extension:
            assert f"| `{ext}` (ext) |" in text
    for frame in (catalogs.equipment(), catalogs.carrier_types(), catalogs.units()):
        for cid in frame.index:
            assert f"- `{cid}` — " in text, cid


def test_every_yaml_key_is_documented() -> None:
    assert set(META_DOC) == set(META_KEYS)
