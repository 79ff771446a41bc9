"""E-invoice benchmark: documents per second per format, against bare lxml parsing.

For every corpus file of a format, ``payables.einvoice.parse`` (detect, safe parse, map
to the canonical model) is timed, and in the same run ``lxml.etree.fromstring`` on the
same XML bytes (for hybrid PDFs: the embedded XML) as the floor no parser can beat.
Optionally the validation layers too (``--validate``): every schema and stylesheet is
compiled first (``warm_up``), then each document is validated once and timed alone; the
median per document is the figure to hold against the 10 ms target. The CPU time is
printed beside it: on a shared machine it moves less than the wall-clock time. Prints
figures only.

    python bench/einvoice_bench.py [--rounds 5] [--validate] [--corpus ../shared/corpus]
        [--rules DIR]  (e.g. ../shared/corpus/xslt/en16931: the CEN CII rules, not the
                        Factur-X stand-in; by default the rules beside the schemas)
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from lxml import etree  # noqa: E402

from payables import einvoice  # noqa: E402

FOLDERS = ("ubl", "cii", "facturx-pdf", "finvoice")
TARGET_MS = 10.0


def load(corpus: Path) -> dict[str, list[tuple[Path, bytes, bytes]]]:
    """Readable corpus files per format: (path, document bytes, XML bytes for the floor)."""
    by_format: dict[str, list[tuple[Path, bytes, bytes]]] = defaultdict(list)
    with (corpus / "MANIFEST.tsv").open(newline="", encoding="utf-8") as handle:
        rows = [
            r for r in csv.DictReader(handle, delimiter="\t") if r["path"].split("/")[0] in FOLDERS
        ]
    for row in rows:
        path = corpus / row["path"]
        data = path.read_bytes()
        try:
            parsed = einvoice.parse(data)
        except einvoice.EInvoiceError:
            continue  # unreadable documents measure nothing useful
        xml = parsed.xml if parsed.xml is not None else data
        try:
            etree.fromstring(xml)
        except etree.XMLSyntaxError:
            xml = _second_document(xml)  # a Finvoice SOAP frame: two documents in one file
        by_format[parsed.format].append((path, data, xml))
    extra = sorted((REPO_ROOT / "payables/einvoice/tests/samples").glob("ee-*.xml"))
    for path in extra:
        data = path.read_bytes()
        try:
            einvoice.parse(data)
        except einvoice.EInvoiceError:
            continue
        by_format["ee-einvoice"].append((path, data, data))
    return by_format


def _second_document(data: bytes) -> bytes:
    start = data.find(b"<?xml", 1)
    return data[start:] if start > 0 else data


def rate(items: list, work: object, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for item in items:
            work(item)
    return rounds * len(items) / (time.perf_counter() - started)


def validate_times(
    items: list, schema_dir: Path, rules_dir: Path | None, rounds: int
) -> tuple[list[float], list[float]]:
    """Seconds per document through all validation layers, warm (schemas and stylesheets
    are compiled before the first timed call): wall-clock and CPU time."""
    from payables.einvoice.validation import validate

    prepared = [(item[1], einvoice.parse(item[1])) for item in items]
    times, cpu = [], []
    for _ in range(rounds):
        for data, parsed in prepared:
            started, started_cpu = time.perf_counter(), time.process_time()
            validate(data, parsed, schema_dir=schema_dir, rules_dir=rules_dir)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    return times, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--validate", action="store_true", help="also time validate()")
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT.parent / "shared" / "corpus")
    parser.add_argument("--rules", type=Path, default=None, help="folder of the CEN rules")
    options = parser.parse_args(argv)
    if not (options.corpus / "MANIFEST.tsv").exists():
        print(f"No corpus at {options.corpus}; pass --corpus.")
        return 2
    by_format = load(options.corpus)
    if options.validate:
        from payables.einvoice.validation import warm_up

        started = time.perf_counter()
        compiled = warm_up(schema_dir=options.corpus / "xsd", rules_dir=options.rules)
        print(
            f"warm-up: {compiled} schemas and stylesheets in {time.perf_counter() - started:.1f} s"
        )
    header = (
        f"{'format':<12} {'docs':>5} {'parse docs/s':>13} {'lxml docs/s':>12} {'parse/lxml':>10}"
    )
    if options.validate:
        header += f" {'validate docs/s':>16} {'median ms':>10} {'p90 ms':>8} {'cpu ms':>7}"
    print(header)
    every_time: list[float] = []
    every_cpu: list[float] = []
    for name, items in sorted(by_format.items()):
        parse_rate = rate(items, lambda item: einvoice.parse(item[1]), options.rounds)
        floor_rate = rate(items, lambda item: etree.fromstring(item[2]), options.rounds)
        ratio = parse_rate / floor_rate
        line = f"{name:<12} {len(items):>5} {parse_rate:>13.1f} {floor_rate:>12.1f} {ratio:>10.3f}"
        if options.validate:
            rounds = max(1, options.rounds // 5)
            times, cpu = validate_times(items, options.corpus / "xsd", options.rules, rounds)
            every_time.extend(times)
            every_cpu.extend(cpu)
            line += f" {len(times) / sum(times):>16.1f} {_ms(statistics.median(times)):>10.1f}"
            line += f" {_ms(statistics.quantiles(times, n=10)[-1]):>8.1f}"
            line += f" {_ms(statistics.median(cpu)):>7.1f}"
        print(line)
    if every_time:
        median, cpu_median = _ms(statistics.median(every_time)), _ms(statistics.median(every_cpu))
        verdict = "within" if median <= TARGET_MS else "over"
        print(
            f"validation median per document, warm: {median:.1f} ms over {len(every_time)} runs "
            f"({verdict} the {TARGET_MS:.0f} ms target; CPU {cpu_median:.1f} ms)"
        )
    return 0


def _ms(seconds: float) -> float:
    return seconds * 1000


if __name__ == "__main__":
    sys.exit(main())
