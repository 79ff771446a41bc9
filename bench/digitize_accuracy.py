"""Digitization accuracy: per-field exact-match accuracy of ``payables.digitize``.

Three sets, each against truth the extractor never sees:

(a) the Factur-X/ZUGFeRD PDFs of ``corpus/facturx-pdf/``, read through their text layer;
    truth is their embedded XML (``payables.einvoice.parse``), which the engine never
    opens (it reads page text only);
(b) the same pages rendered to 300-dpi images with mild scan noise and a 1-2° skew
    (Pillow; single pages as JPEG, longer documents as multi-page TIFF), read by OCR;
(c) ``corpus/pdf-text/`` PDFs, with expected values in the JSON beside each.

Values are compared normalised (dates as dates, amounts as Decimals, ids without spaces,
names case- and accent-insensitively). "visible" counts only truth values printed on the
page (an XML may carry a payment reference the PDF never shows); "all" counts every truth
value. Also: first pass vs supplier memory (each later invoice of a supplier read with the
memory learnt from the first one's truth), and pages per second. Prints; asserts nothing.

    python bench/digitize_accuracy.py [--limit N] [--sets text,ocr,pdftext] [--verbose]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from payables import einvoice  # noqa: E402
from payables.digitize import KEY_FIELDS, EngineMissing  # noqa: E402
from payables.digitize.engine import extract, read  # noqa: E402
from payables.digitize.memory import learn_from, normalise  # noqa: E402
from payables.digitize.values import find_amounts, find_dates, fold  # noqa: E402

FIELDS = (
    "seller_name", "seller_vat_id", "seller_registry_code", "buyer_name", "buyer_vat_id",
    "invoice_number", "issue_date", "due_date", "vat_date", "currency", "net_amount",
    "vat_amount", "gross_amount", "iban", "bic", "payment_reference", "order_number",
)  # fmt: skip


@dataclass
class Case:
    name: str
    data: bytes
    truth: dict[str, object]
    supplier: str = ""
    pages: int = 1
    credit_note: bool = False
    printed: str = ""  # the text layer of the page a scan was made from: what is "visible"


@dataclass
class Score:
    """Hits and totals per field, over visible truth values and over all of them."""

    hit: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seen: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    hit_all: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seen_all: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    accepted: int = 0  # fields at or above ACCEPT_CONFIDENCE
    accepted_wrong: int = 0  # ... that were wrong: what automatic acceptance would let through

    def add(self, case: Case, fields: dict, text: str, misses: list[str]) -> None:
        for name, expected in case.truth.items():
            want = _norm(name, expected)
            if want is None:
                continue
            got = fields.get(name)
            ok = got is not None and _norm(name, got.value) == want
            if not ok and got is not None and case.credit_note and name.endswith("_amount"):
                ok = abs(_norm(name, got.value)) == abs(want)  # printed negative, XML positive
            self.seen_all[name] += 1
            self.hit_all[name] += ok
            if _visible(name, expected, text):
                self.seen[name] += 1
                self.hit[name] += ok
                if not ok:
                    misses.append(f"{name}: want {expected!r} got {got.value if got else None!r}")
                if got is not None and got.validated:
                    self.accepted += 1
                    self.accepted_wrong += not ok
                    if not ok:
                        misses.append(f"{name}: ACCEPTED WRONG {got.value!r}")


def _norm(name: str, value: object) -> object:
    if value is None or value == "":
        return None
    result = normalise(name, value)
    if isinstance(result, str) and name in ("invoice_number", "order_number"):
        result = result.lstrip("#")
    if isinstance(result, str) and name == "bic" and len(result) == 11 and result.endswith("XXX"):
        result = result[:8]  # the same bank: "XXX" is the primary office
    return result


def _visible(name: str, value: object, text: str) -> bool:
    """Whether the truth value is printed on the page at all (in any format)."""
    want = _norm(name, value)
    if name.endswith("_date"):
        return any(d.value == want for order in ("dmy", "mdy") for d in find_dates(text, order))
    if name.endswith("_amount"):
        return any(abs(a.value) == abs(want) for a in find_amounts(text))
    if name.endswith("_name"):
        return str(want) in " ".join(fold(text).split())
    compact = "".join(text.split()).upper()
    return str(want) in compact


# --- Cases ----------------------------------------------------------------------------------


def facturx_cases(corpus: Path) -> list[Case]:
    cases = []
    for path in sorted((corpus / "facturx-pdf").rglob("*.pdf")):
        data = path.read_bytes()
        try:
            parsed = einvoice.parse(data)
        except einvoice.EInvoiceError:
            continue  # no readable XML: no truth
        invoice = parsed.invoices[0]
        means = invoice.payment_means[0] if invoice.payment_means else None
        truth = {
            "seller_name": invoice.seller.name,
            "seller_vat_id": invoice.seller.vat_id,
            "seller_registry_code": invoice.seller.registry_id,
            "buyer_name": invoice.buyer.name,
            "buyer_vat_id": invoice.buyer.vat_id,
            "invoice_number": invoice.number,
            "issue_date": invoice.issue_date,
            "due_date": invoice.due_date,
            "vat_date": invoice.tax_point_date or invoice.delivery_date,
            "currency": invoice.currency,
            "net_amount": invoice.totals.tax_exclusive,
            "vat_amount": invoice.totals.tax_total,
            "gross_amount": invoice.totals.tax_inclusive,
            "iban": means.iban if means else None,
            "bic": means.bic if means else None,
            "payment_reference": means.payment_reference if means else None,
            "order_number": invoice.order_reference,
        }
        supplier = invoice.seller.vat_id or invoice.seller.name
        cases.append(Case(path.name, data, truth, supplier, credit_note=invoice.is_credit_note))
    return cases


def pdftext_cases(corpus: Path) -> list[Case]:
    mapping = {
        "issuer": "seller_name",
        "amount": "gross_amount",
        "amount_untaxed": "net_amount",
        "amount_tax": "vat_amount",
        "date": "issue_date",
        "date_due": "due_date",
        "invoice_number": "invoice_number",
        "currency": "currency",
        "vat": "seller_vat_id",
        "iban": "iban",
        "bic": "bic",
    }
    cases = []
    for path in sorted((corpus / "pdf-text").rglob("*.pdf")):
        expected_path = path.with_suffix(".json")
        if not expected_path.exists():
            continue
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        expected = expected[0] if isinstance(expected, list) else expected
        truth = {ours: expected[theirs] for theirs, ours in mapping.items() if theirs in expected}
        truth.pop("seller_name", None)  # invoice2data's issuer is a short brand, not a name
        cases.append(Case(path.name, path.read_bytes(), truth))
    return cases


def scanned(case: Case, rng: random.Random) -> Case:
    """The case's pages rendered at 300 dpi, skewed 1-2°, with mild noise and blur."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    document = pdfium.PdfDocument(case.data)
    images = []
    for page in document:
        image = page.render(scale=300 / 72, grayscale=True).to_pil().convert("L")
        angle = rng.uniform(1.0, 2.0) * rng.choice((-1, 1))
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        noise = Image.effect_noise(image.size, 40)  # Gaussian grain around grey
        image = Image.blend(image, noise, 0.15).filter(ImageFilter.GaussianBlur(0.6))
        images.append(image)
    document.close()
    out = io.BytesIO()
    if len(images) == 1:
        images[0].save(out, "JPEG", quality=80)
    else:
        images[0].save(
            out, "TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate"
        )
    printed = read(case.data)[2].text  # what the page shows: decides what is "visible"
    return Case(
        case.name, out.getvalue(), case.truth, case.supplier, len(images), case.credit_note, printed
    )


# --- Runs -----------------------------------------------------------------------------------


@dataclass
class Run:
    title: str
    first: Score = field(default_factory=Score)
    pages: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the process's CPU time: wall time depends on the machine's load
    failures: list[str] = field(default_factory=list)
    misses: dict[str, list[str]] = field(default_factory=dict)
    memory_cases: int = 0
    memory_before: Score = field(default_factory=Score)
    memory_after: Score = field(default_factory=Score)


def run(title: str, cases: list[Case], read_case: Callable[[Case], tuple]) -> Run:
    result = Run(title)
    docs = {}
    for case in cases:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            reading, aspects, doc = read_case(case)
            digitized = extract(reading, aspects=aspects, doc=doc)
        except EngineMissing as exc:
            result.failures.append(f"{case.name}: {exc.reason}")
            continue
        except Exception as exc:
            result.failures.append(f"{case.name}: {type(exc).__name__}: {exc}")
            continue
        result.seconds += time.perf_counter() - started
        result.cpu_seconds += time.process_time() - cpu_started
        result.pages += len(reading.pages)
        misses: list[str] = []
        result.first.add(case, digitized.fields, case.printed or doc.text, misses)
        if misses:
            result.misses[case.name] = misses
        docs[case.name] = (case, doc)
    _memory(result, docs)
    return result


def _memory(result: Run, docs: dict) -> None:
    """Each later invoice of a supplier, read again with memory learnt from the first."""
    by_supplier = defaultdict(list)
    for case, doc in docs.values():
        if case.supplier:
            by_supplier[case.supplier].append((case, doc))
    for group in by_supplier.values():
        (first_case, first_doc), *later = group
        truth = {k: v for k, v in first_case.truth.items() if k in KEY_FIELDS and v}
        memory = learn_from(first_doc, truth)
        for case, doc in later:
            before = extract(doc.reading, doc=doc)
            after = extract(doc.reading, memory=memory, doc=doc)
            result.memory_cases += 1
            result.memory_before.add(case, before.fields, case.printed or doc.text, [])
            result.memory_after.add(case, after.fields, case.printed or doc.text, [])


def report(result: Run, *, verbose: bool) -> None:
    score = result.first
    print(f"\n== {result.title}")
    print(f"{'field':22} {'visible':>14} {'all':>14}")
    for name in FIELDS:
        if not score.seen_all.get(name):
            continue
        print(
            f"{name + (' *' if name in KEY_FIELDS else ''):22} "
            f"{_pct(score.hit[name], score.seen[name]):>14} "
            f"{_pct(score.hit_all[name], score.seen_all[name]):>14}"
        )
    print(
        f"{'KEY FIELDS *':22} {_pct(*_key(score.hit, score.seen)):>14} "
        f"{_pct(*_key(score.hit_all, score.seen_all)):>14}"
    )
    print(
        f"validated (auto-accept) fields on visible truth: {score.accepted}, "
        f"wrong: {score.accepted_wrong}"
    )
    if result.pages:
        rate = result.pages / result.seconds if result.seconds else float("inf")
        cpu_rate = result.pages / result.cpu_seconds if result.cpu_seconds else float("inf")
        print(
            f"pages: {result.pages} in {result.seconds:.2f} s wall = {rate:.1f} pages/s; "
            f"{result.cpu_seconds:.2f} s CPU = {cpu_rate:.1f} pages/s (one thread)"
        )
    if result.memory_cases:
        before = _pct(*_key(result.memory_before.hit, result.memory_before.seen))
        after = _pct(*_key(result.memory_after.hit, result.memory_after.seen))
        print(
            f"supplier memory, {result.memory_cases} later invoices of a supplier, key fields "
            f"(visible): first pass {before} -> with memory {after}"
        )
    for failure in result.failures:
        print(f"FAILED {failure}")
    if verbose:
        for name, misses in result.misses.items():
            print(f"-- {name}")
            for miss in misses:
                print(f"   {miss}")


def _key(hit: dict, seen: dict) -> tuple[int, int]:
    return sum(hit[n] for n in KEY_FIELDS), sum(seen[n] for n in KEY_FIELDS)


def _pct(hit: int, seen: int) -> str:
    if not seen:
        return "-"
    return f"{100 * hit / seen:5.1f}% {hit}/{seen}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT.parent / "shared" / "corpus")
    parser.add_argument("--limit", type=int, default=0, help="read at most N documents a set")
    parser.add_argument("--sets", default="text,ocr,pdftext", help="text, ocr, pdftext")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}")
        return
    sets = set(args.sets.split(","))
    facturx = facturx_cases(args.corpus)
    if args.limit:
        facturx = facturx[: args.limit]

    def text_layer(case: Case):
        return read(case.data)

    if "text" in sets:
        report(run("(a) Factur-X PDFs, text layer", facturx, text_layer), verbose=args.verbose)
    if "ocr" in sets:
        rng = random.Random(args.seed)
        scans = [scanned(case, rng) for case in facturx]
        report(
            run("(b) the same pages as noisy, skewed 300-dpi scans, OCR", scans, text_layer),
            verbose=args.verbose,
        )
    if "pdftext" in sets:
        plain = pdftext_cases(args.corpus)
        if args.limit:
            plain = plain[: args.limit]
        report(
            run("(c) pdf-text PDFs (invoice2data expectations), text layer", plain, text_layer),
            verbose=args.verbose,
        )


if __name__ == "__main__":
    main()
