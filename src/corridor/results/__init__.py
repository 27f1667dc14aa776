"""Result folders in the ``corridor-result/1`` format."""

from corridor.results.folder import (
    FORMAT,
    RUN_FILE,
    ResultFolderError,
    atomic_write_bytes,
    atomic_write_text,
    check_replaceable,
    is_result_folder,
    only_files,
    read_summary,
    replace_folder,
    write_json,
    write_parquet,
)

__all__ = [
    "FORMAT",
    "RUN_FILE",
    "ResultFolderError",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_replaceable",
    "is_result_folder",
    "only_files",
    "read_summary",
    "replace_folder",
    "write_json",
    "write_parquet",
]
