"""Result folders in the ``corridor-result/1`` format."""

from corridor.results.folder import (
    FORMAT,
    atomic_write_bytes,
    atomic_write_text,
    read_summary,
    write_json,
    write_parquet,
)

__all__ = [
    "FORMAT",
    "atomic_write_bytes",
    "atomic_write_text",
    "read_summary",
    "write_json",
    "write_parquet",
]
