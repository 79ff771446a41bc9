"""The stored files of a backup: every file of the storage backend, read and written
through Django's storage API, so a local folder and an S3 bucket back up alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.files.storage.filesystem import FileSystemStorage

from payables.backup.manifest import FILES_DIR, BackupError, FileEntry, copy_hashed


def storage_location(storage: Storage = default_storage) -> str:
    """Where the files are: a folder, or s3://bucket/prefix (never credentials)."""
    if isinstance(storage, FileSystemStorage):
        return str(storage.location)
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        return f"s3://{bucket}/{getattr(storage, 'location', '')}".rstrip("/")
    return type(storage).__name__


def describe_storage(storage: Storage = default_storage) -> str:
    """Name the storage for people."""
    where = storage_location(storage)
    return f"the folder {where}" if isinstance(storage, FileSystemStorage) else where


def local_root(storage: Storage = default_storage) -> Path | None:
    """The folder of a local storage (None for object storage)."""
    return Path(storage.location).resolve() if isinstance(storage, FileSystemStorage) else None


def stored_names(storage: Storage = default_storage) -> list[str]:
    """Every file the storage holds, sorted (S3: one flat listing; else a walk)."""
    bucket = getattr(storage, "bucket", None) if hasattr(storage, "bucket_name") else None
    if bucket is not None:  # django-storages' S3Storage: list the prefix, 1,000 keys a page
        prefix = storage.location.strip("/")
        prefix = f"{prefix}/" if prefix else ""
        keys = (item.key for item in bucket.objects.filter(Prefix=prefix))
        return sorted(key[len(prefix) :] for key in keys if not key.endswith("/"))
    return sorted(_walk(storage, ""))


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a storage folder not made yet holds nothing
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for name in folders:
        yield from _walk(storage, f"{folder}/{name}" if folder else name)


def copy_out(folder: Path, storage: Storage = default_storage) -> list[FileEntry]:
    """Copy every stored file into ``folder/files``; return what was copied.

    A file deleted while the backup runs is left out.
    """
    entries = []
    for name in stored_names(storage):
        target = folder / FILES_DIR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with storage.open(name, "rb") as source, target.open("wb") as copy:
                size, sha256 = copy_hashed(source, copy)
        except FileNotFoundError:
            target.unlink(missing_ok=True)
            continue
        entries.append(FileEntry(name=name, size=size, sha256=sha256))
    return entries


def copy_in(
    folder: Path, entries: tuple[FileEntry, ...], storage: Storage = default_storage
) -> int:
    """Make the storage hold exactly the backup's files; return how many others were deleted."""
    wanted = {entry.name for entry in entries}
    extra = [name for name in stored_names(storage) if name not in wanted]
    for name in extra:
        storage.delete(name)
    for entry in entries:
        if storage.exists(name := entry.name):
            storage.delete(name)  # else a local storage would save it under another name
        with (folder / FILES_DIR / name).open("rb") as source:
            saved = storage.save(name, File(source, name=name))
        if saved != name:
            raise BackupError(f"The storage saved {name} as {saved}; the restore stopped there.")
    return len(extra)
