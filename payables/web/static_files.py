"""Static files: hashed, compressed copies once collected (cached for ever), plain names before."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage

FINGERPRINT = "staticfiles.fingerprint"


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's manifest storage, for a server that collects at every start.

    ``payables serve`` runs ``collectstatic``: pages then name ``app.<hash>.css``, which
    whitenoise serves gzipped with ``Cache-Control: max-age=315360000, public, immutable``.
    Where nothing was collected (tests, a worker, ``payables shell``) a name has no
    manifest entry: the page names the plain file, which whitenoise finds in its app
    (``WHITENOISE_USE_FINDERS``) and serves for a minute of caching. Hashing and
    compressing the 13 MB of admin and API-docs files takes seconds, so a start whose
    files have not changed since the last collection skips it.
    """

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # not collected: the plain name, served from the app
            return name

    def post_process(
        self, paths: dict[str, Any], *, dry_run: bool = False, **options: Any
    ) -> Iterator[Any]:
        fingerprint = _fingerprint(paths)
        if not dry_run and self._collected_already(fingerprint):
            return
        yield from super().post_process(paths, dry_run=dry_run, **options)
        if not dry_run:
            Path(self.path(FINGERPRINT)).write_text(fingerprint)

    def _collected_already(self, fingerprint: str) -> bool:
        """Whether the manifest was made from these very files and its copies are all there."""
        try:
            previous = Path(self.path(FINGERPRINT)).read_text()
        except OSError:
            return False
        return (
            previous == fingerprint
            and bool(self.hashed_files)
            and all(self.exists(name) for name in self.hashed_files.values())
        )


def _fingerprint(paths: dict[str, Any]) -> str:
    """A digest of the source files' names, sizes and modification times."""
    digest = hashlib.sha256()
    for prefixed, (storage, path) in sorted(paths.items()):
        stat = Path(storage.path(path)).stat()
        digest.update(f"{prefixed}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())  # not-orm
    return digest.hexdigest()
