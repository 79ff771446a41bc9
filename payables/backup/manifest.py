"""The manifest of a backup folder, and the checks a restore makes before it changes anything.

The manifest is written last, so a folder whose backup was interrupted has none and is
never taken for a backup. Every byte a restore reads is checked against it first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

FORMAT = "payables-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
FILES_DIR = "files"
CHUNK_BYTES = 1024 * 1024
VENDORS = ("sqlite", "postgresql")
# A restore names at most this many damaged files; the rest are counted.
SHOWN_PROBLEMS = 10


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass(frozen=True)
class FileEntry:
    """One stored file: its storage name, size and SHA-256."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a backup folder holds (``manifest.json``)."""

    payables_version: str
    created_at: str
    database_vendor: str
    database_file: str
    database_size: int
    database_sha256: str
    migrations: dict[str, str]  # app label → its latest applied migration
    storage: str
    files: tuple[FileEntry, ...]

    def to_json(self) -> str:
        """Render the manifest as the JSON document written into the folder."""
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "payables_version": self.payables_version,
            "created_at": self.created_at,
            "database": {
                "vendor": self.database_vendor,
                "file": self.database_file,
                "size": self.database_size,
                "sha256": self.database_sha256,
            },
            "migrations": self.migrations,
            "storage": self.storage,
            "files": {
                "count": len(self.files),
                "size": sum(entry.size for entry in self.files),
                "entries": [asdict(entry) for entry in self.files],
            },
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Read a manifest, refusing anything but a well-formed one of a known version."""
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise BackupError(f"{MANIFEST_NAME} is not valid JSON ({exc}).") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise BackupError(f"{MANIFEST_NAME} is not the manifest of a payables backup.")
        if document.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"{MANIFEST_NAME} has format version {document.get('format_version')!r}; "
                f"this payables reads version {FORMAT_VERSION}."
            )
        try:
            database, files = document["database"], document["files"]
            entries = tuple(
                FileEntry(
                    name=stored_name(entry["name"]),
                    size=_count(entry["size"]),
                    sha256=_sha256(entry["sha256"]),
                )
                for entry in files["entries"]
            )
            manifest = cls(
                payables_version=str(document["payables_version"]),
                created_at=str(document["created_at"]),
                database_vendor=database["vendor"],
                database_file=database["file"],
                database_size=_count(database["size"]),
                database_sha256=_sha256(database["sha256"]),
                migrations={str(app): str(name) for app, name in document["migrations"].items()},
                storage=str(document["storage"]),
                files=entries,
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            raise BackupError(f"{MANIFEST_NAME} is damaged: {detail}.") from None
        if manifest.database_vendor not in VENDORS or "/" in manifest.database_file:
            raise BackupError(f"{MANIFEST_NAME} is damaged: unknown database entry.")
        if files.get("count") != len(entries) or len({e.name for e in entries}) != len(entries):
            raise BackupError(f"{MANIFEST_NAME} is damaged: its file count does not match.")
        return manifest


def stored_name(name: object) -> str:
    """Return a storage name from a manifest, refusing one that could point elsewhere.

    >>> stored_name("attachments/2026/01/a.pdf")
    'attachments/2026/01/a.pdf'
    >>> stored_name("../../etc/passwd")
    Traceback (most recent call last):
    ...
    ValueError: unsafe file name '../../etc/passwd'
    """
    path = PurePosixPath(str(name))
    if (
        not isinstance(name, str)
        or not name
        or path.is_absolute()
        or "\\" in name
        or "\x00" in name
        or any(part in {"", ".", ".."} for part in name.split("/"))
    ):
        raise ValueError(f"unsafe file name {name!r}")
    return name


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"not a size: {value!r}")
    return value


def _sha256(value: object) -> str:
    if not (isinstance(value, str) and len(value) == 64 and set(value) <= set("0123456789abcdef")):
        raise ValueError(f"not a SHA-256: {value!r}")
    return value


def copy_hashed(source: BinaryIO, target: BinaryIO | None = None) -> tuple[int, str]:
    """Copy ``source`` into ``target`` (if any) in chunks; return the size and SHA-256."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    return size, digest.hexdigest()


def file_digest(path: Path) -> tuple[int, str]:
    """Return a file's size and SHA-256."""
    with path.open("rb") as handle:
        return copy_hashed(handle)


def read_manifest(folder: Path) -> Manifest:
    """Read the manifest of a backup folder, saying clearly what is missing."""
    if not folder.is_dir():
        raise BackupError(f"{folder} does not exist or is not a folder.")
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise BackupError(
            f"{folder} has no {MANIFEST_NAME}: it is not a payables backup, "
            "or its backup did not finish."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} cannot be read: {exc}") from None
    return Manifest.from_json(text)


def verify_backup(folder: Path, manifest: Manifest) -> None:
    """Check the database file and every stored file against the manifest's checksums."""
    expected = [
        (manifest.database_file, manifest.database_size, manifest.database_sha256),
        *((f"{FILES_DIR}/{e.name}", e.size, e.sha256) for e in manifest.files),
    ]
    problems = []
    for name, size, sha256 in expected:
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != size:
            problems.append(f"{name} has {path.stat().st_size} bytes, the manifest says {size}")
        elif file_digest(path)[1] != sha256:
            problems.append(f"{name} does not match its SHA-256 in the manifest")
    if problems:
        shown = "; ".join(problems[:SHOWN_PROBLEMS])
        more = (
            f" (and {len(problems) - SHOWN_PROBLEMS} more)"
            if len(problems) > SHOWN_PROBLEMS
            else ""
        )
        raise BackupError(f"The backup in {folder} is damaged: {shown}{more}. Nothing was changed.")
