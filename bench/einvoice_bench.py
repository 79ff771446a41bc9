"""E-invoice benchmark: documents per second per format, against bare lxml parsing.

For every corpus file of a format, ``payables.einvoice.parse`` (detect, safe parse, map
to the canonical model) is timed, and in the same run ``lxml.etree.fromstring`` on the
same XML bytes (for hybrid PDFs: the embedded XML) as the floor no parser can beat, and
``xmlsafe.parse_xml`` on those bytes (the safe parse alone, without the mapping). The
three alternate round by round, and each figure is the best round's process CPU time:
on a shared machine that moves far less than the wall-clock time of one long loop.
``parse/lxml`` is the share of bare lxml's rate that the whole parse keeps (1.0 would
mean detection, safety checks and mapping cost nothing).

Optionally the validation layers too (``--validate``): every schema and stylesheet is
compiled first (``warm_up``), then every document is validated once untimed (a warm pass:
whatever ``warm_up`` does not foresee, such as the Finvoice and Estonian schemas, is
compiled there), then each document is validated again and timed alone; the median per
document is the figure to hold against the 10 ms target, with its CPU time beside it.
``--profile FORMAT`` runs the parse of that format's files under cProfile and prints the
functions that take the most time. Prints figures only.

    python bench/einvoice_bench.py [--rounds 5] [--validate] [--corpus ../shared/corpus]
        [--rules DIR]  (e.g. ../shared/corpus/xslt/en16931: the CEN CII rules, not the
                        Factur-X stand-in; by default the rules beside the schemas)
        [--profile ubl|cii|facturx-pdf|finvoice|ee-einvoice [--top 30]]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import pstats
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from lxml import etree  # noqa: E402

from payables import einvoice  # noqa: E402
from payables.einvoice.model import ParseLimits  # noqa: E402
from payables.einvoice.xmlsafe import parse_xml  # noqa: E402

FOLDERS = ("ubl", "cii", "facturx-pdf", "finvoice")
TARGET_MS = 10.0
Item = tuple[Path, bytes, bytes, bytes]
# Finvoice 1.x names its DTD; the format drops that DOCTYPE before the safe parse does.
_EXTERNAL_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*>")


def load(corpus: Path) -> dict[str, list[Item]]:
    """Readable corpus files per format: (path, document bytes, XML bytes for the floor,
    the same XML as the format hands it to the safe parse)."""
    by_format: dict[str, list[Item]] = defaultdict(list)
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
        safe = _EXTERNAL_DOCTYPE.sub(b"", xml, count=1)
        by_format[parsed.format].append((path, data, xml, safe))
    extra = sorted((REPO_ROOT / "payables/einvoice/tests/samples").glob("ee-*.xml"))
    for path in extra:
        data = path.read_bytes()
        try:
            einvoice.parse(data)
        except einvoice.EInvoiceError:
            continue
        by_format["ee-einvoice"].append((path, data, data, data))
    return by_format


def _second_document(data: bytes) -> bytes:
    start = data.find(b"<?xml", 1)
    return data[start:] if start > 0 else data


def best_rates(items: list[Item], works: dict[str, Callable[[Item], object]], rounds: int):
    """Documents per CPU second of each work, the best of ``rounds`` rounds, the works
    taking turns within each round so that a busy spell of the machine hits them alike."""
    best = dict.fromkeys(works, float("inf"))
    for _ in range(rounds):
        for name, work in works.items():
            started = time.process_time()
            for item in items:
                work(item)
            best[name] = min(best[name], time.process_time() - started)
    return {name: len(items) / max(seconds, 1e-9) for name, seconds in best.items()}


def validate_times(
    items: list[Item], schema_dir: Path, rules_dir: Path | None, rounds: int
) -> tuple[list[float], list[float]]:
    """Seconds per document through all validation layers, warm: wall-clock and CPU time.

    Every document is validated once untimed first, so that nothing compiled on first
    use (a schema or stylesheet ``warm_up`` did not pick) is counted in the timed runs.
    """
    from payables.einvoice.validation import validate

    prepared = [(item[1], einvoice.parse(item[1])) for item in items]
    for data, parsed in prepared:
        validate(data, parsed, schema_dir=schema_dir, rules_dir=rules_dir)
    times, cpu = [], []
    for _ in range(rounds):
        for data, parsed in prepared:
            started, started_cpu = time.perf_counter(), time.process_time()
            validate(data, parsed, schema_dir=schema_dir, rules_dir=rules_dir)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    return times, cpu


def profile(items: list[Item], rounds: int, top: int) -> None:
    """cProfile of ``einvoice.parse`` over the items: the top functions by own time, then
    by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for item in items:
            einvoice.parse(item[1])
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--validate", action="store_true", help="also time validate()")
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT.parent / "shared" / "corpus")
    parser.add_argument("--rules", type=Path, default=None, help="folder of the CEN rules")
    parser.add_argument("--profile", metavar="FORMAT", help="profile the parse of one format")
    parser.add_argument("--top", type=int, default=30, help="functions --profile prints")
    options = parser.parse_args(argv)
    if not (options.corpus / "MANIFEST.tsv").exists():
        print(f"No corpus at {options.corpus}; pass --corpus.")
        return 2
    by_format = load(options.corpus)
    if options.profile:
        if options.profile not in by_format:
            print(f"No {options.profile!r} documents; formats: {', '.join(sorted(by_format))}")
            return 2
        profile(by_format[options.profile], options.rounds, options.top)
        return 0
    if options.validate:
        from payables.einvoice.validation import warm_up

        started = time.perf_counter()
        compiled = warm_up(schema_dir=options.corpus / "xsd", rules_dir=options.rules)
        print(
            f"warm-up: {compiled} schemas and stylesheets in {time.perf_counter() - started:.1f} s"
        )
    header = (
        f"{'format':<12} {'docs':>5} {'parse docs/s':>13} {'lxml docs/s':>12} "
        f"{'parse/lxml':>10} {'safe xml/lxml':>13}"
    )
    if options.validate:
        header += f" {'validate docs/s':>16} {'median ms':>10} {'p90 ms':>8} {'cpu ms':>7}"
    print(header)
    limits = ParseLimits()
    works = {
        "parse": lambda item: einvoice.parse(item[1]),
        "lxml": lambda item: etree.fromstring(item[2]),
        "safe": lambda item: parse_xml(item[3], limits=limits),
    }
    every_time: list[float] = []
    every_cpu: list[float] = []
    for name, items in sorted(by_format.items()):
        rates = best_rates(items, works, options.rounds)
        line = (
            f"{name:<12} {len(items):>5} {rates['parse']:>13.1f} {rates['lxml']:>12.1f} "
            f"{rates['parse'] / rates['lxml']:>10.3f} {rates['safe'] / rates['lxml']:>13.3f}"
        )
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
