"""The shared test corpus (../shared/corpus): files by folder and expected verdict.

Tests parametrize over ``corpus_files(...)``; where the corpus is absent they get one
skipped case that says so, instead of passing vacuously.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

CORPUS_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
ABSENT = "the shared corpus is absent: expected at ../shared/corpus beside the repository"


@cache
def manifest() -> tuple[dict[str, str], ...]:
    """Rows of MANIFEST.tsv (path, source_repo, commit, source_path, license, expected, notes)."""
    path = CORPUS_DIR / "MANIFEST.tsv"
    if not path.exists():
        return ()
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle, delimiter="\t"))


def corpus_files(folder: str, *, expected: str | None = None) -> list:
    """pytest params of corpus files under ``folder`` (optionally with this ``expected``)."""
    rows = [
        row
        for row in manifest()
        if row["path"].split("/", 1)[0] == folder
        and (expected is None or row["expected"] == expected)
    ]
    if not rows:
        reason = ABSENT if not manifest() else f"no {expected or ''} files in corpus/{folder}"
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=reason), id="no-corpus")]
    return [pytest.param(CORPUS_DIR / row["path"], row, id=row["path"]) for row in rows]


def read(path: Path) -> bytes:
    return path.read_bytes()


SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
