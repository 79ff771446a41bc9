"""Import e-invoices, PDFs and scans (``payables import PATH…``): files, folders and globs.

E-invoices (XML, PDFs with an embedded e-invoice) are imported at once. Other PDFs and
images (PNG, JPEG, TIFF) become documents that the task worker digitizes.
"""

from __future__ import annotations

import glob
import logging
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from payables.documents.models import Document
from payables.documents.services import receive_document
from payables.documents.sniffing import IMAGE_KINDS, sniff_kind
from payables.einvoice.facturx_pdf import NO_XML_MESSAGE
from payables.errors import PayloadTooLarge
from payables.invoices.services.einvoice_import import DocumentRefused, import_einvoice
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company

SUFFIXES = {".xml", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}
# Per invoice, and "digitizing" per document queued for the worker to read.
OUTCOMES = ("imported", "updated", "skipped", "failed", "digitizing")


class Command(BaseCommand):
    help = (
        "Import e-invoice documents (UBL, CII, Factur-X/ZUGFeRD PDF, Finvoice, Estonian "
        "e-invoice) from files, folders (searched for *.xml, *.pdf and images) and globs; "
        "other PDFs and scans (PNG, JPEG, TIFF) are queued for the worker to digitize. "
        "Prints a summary and exits non-zero when any document or invoice failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Files, folders or glob patterns.")
        parser.add_argument("--company", required=True, help="Company name or registry code.")

    def handle(self, *args: object, **options: object) -> None:
        company = (
            Company.objects.filter(name=options["company"]).first()
            or Company.objects.filter(registry_code=options["company"]).first()
        )
        if company is None:
            raise CommandError(f"No company named {options['company']!r}.")
        files = _expand(options["paths"])
        if not files:
            raise CommandError("No files found.")
        if options["verbosity"] < 2:  # keep per-document log lines from breaking the bar
            logging.getLogger("payables").setLevel(logging.WARNING)
        actor = Actor.system(company, "cli:import")
        counts = dict.fromkeys(OUTCOMES, 0)
        failures: list[tuple[str, str]] = []
        for number, path in enumerate(files, start=1):
            self._progress(number, len(files), path)
            for outcome, reason in _import_one(path, actor):
                counts[outcome] += 1
                if outcome == "failed":
                    failures.append((str(path), reason))
        sys.stderr.write("\n")
        self._summary(counts, failures)
        if failures:
            sys.exit(1)

    def _progress(self, number: int, total: int, path: Path) -> None:
        width = 30
        done = width * number // total
        bar = "#" * done + "." * (width - done)
        sys.stderr.write(f"\r[{bar}] {number}/{total} {path.name[:40]:<40}")
        sys.stderr.flush()

    def _summary(self, counts: dict[str, int], failures: list[tuple[str, str]]) -> None:
        self.stdout.write(f"{'outcome':<10} {'invoices':>8}")
        for outcome in OUTCOMES[:-1]:
            self.stdout.write(f"{outcome:<10} {counts[outcome]:>8}")
        if counts["digitizing"]:
            self.stdout.write(f"queued for digitizing: {counts['digitizing']} documents")
        for path, reason in failures:
            self.stdout.write(f"FAILED {path}: {reason}")


def _expand(patterns: list[str]) -> list[Path]:
    """Turn files, folders and glob patterns into a sorted list of distinct files."""
    found: set[Path] = set()
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found |= {p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES}
        elif path.is_file():
            found.add(path)
        else:
            # Patterns may be absolute, which Path.glob does not take.
            matches = glob.glob(pattern, recursive=True)  # noqa: PTH207
            found |= {Path(p) for p in matches if Path(p).is_file()}
    return sorted(found)


def _import_one(path: Path, actor: Actor) -> list[tuple[str, str]]:
    """Import one file; return (outcome, reason) per invoice (one "failed" if refused).

    A file over the e-invoice size limit is refused from its size, never read. An image,
    or a PDF without an embedded e-invoice, becomes a document to digitize.
    """
    try:
        size, limit = path.stat().st_size, settings.PAYABLES_EINVOICE_MAX_BYTES
        if size > limit:
            return [("failed", f"payload_too_large: {size} bytes; the limit is {limit}")]
        data = path.read_bytes()
        if sniff_kind(data) in IMAGE_KINDS:
            return _queue_for_digitizing(data, path, actor)
        document = import_einvoice(data, actor=actor, filename=path.name)
    except DocumentRefused as refused:
        if any(f.message == NO_XML_MESSAGE for f in refused.findings):
            return _queue_for_digitizing(data, path, actor)
        reasons = "; ".join(f"{f.rule_id}: {f.message}" for f in refused.findings[:3])
        if refused.entry_type:
            reasons = f"{refused.entry_type}: {reasons}"
        return [("failed", reasons)]
    except PayloadTooLarge as exc:
        return [("failed", f"{exc.code}: {exc.message}")]
    except OSError as exc:
        return [("failed", str(exc))]
    results = []
    for result in document.results:
        if result.outcome in {"error", "conflict"}:
            results.append(("failed", result.detail or result.outcome))
        else:
            results.append((result.outcome, ""))
    return results


def _queue_for_digitizing(data: bytes, path: Path, actor: Actor) -> list[tuple[str, str]]:
    """Make the file a document for the worker to read; a refused one is a failure."""
    document = receive_document(data, actor=actor, filename=path.name, channel=Document.Channel.CLI)
    if document.failure_reason == "duplicate":
        return [("skipped", document.failure_message)]
    if document.state == Document.State.FAILED:
        return [("failed", f"{document.failure_reason}: {document.failure_message}")]
    return [("digitizing", str(document.id))]
