"""Round trip through UBL: ``parse(render_ubl(invoice))`` gives back every invoice of every
valid corpus file of every format, and of the Estonian samples.

UBL carries every model field but the line extensions (``Invoice.without_extensions``).
One thing is added, never lost: an invoice that names no specification (BT-24), as a
Finvoice or Estonian one, is rendered as Peppol BIS Billing 3.0 and comes back saying so.
"""

from __future__ import annotations

import dataclasses
from importlib.util import find_spec
from pathlib import Path

import pytest

from payables import einvoice
from payables.einvoice.model import Invoice
from payables.einvoice.tests.corpus import SAMPLES_DIR, corpus_files

PEPPOL_CUSTOMIZATION_ID = (
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
)
PEPPOL_PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

FOLDER_MODULES = {
    "ubl": "payables.einvoice.ubl",
    "cii": "payables.einvoice.cii",
    "facturx-pdf": "payables.einvoice.facturx_pdf",
    "finvoice": "payables.einvoice.finvoice",
}
ESTONIAN_MODULE = "payables.einvoice.ee_einvoice"


def missing(module: str) -> list[pytest.MarkDecorator]:
    if find_spec(module) is None:
        return [pytest.mark.skip(reason=f"{module} is not written yet")]
    return []


def cases() -> list:
    params = []
    for folder, module in FOLDER_MODULES.items():
        for param in corpus_files(folder, expected="valid"):
            params.append(
                pytest.param(param.values[0], id=param.id, marks=[*param.marks, *missing(module)])
            )
    estonian = sorted(SAMPLES_DIR.glob("ee-*.xml"))
    params.extend(
        pytest.param(path, id=f"samples/{path.name}", marks=missing(ESTONIAN_MODULE))
        for path in estonian
    )
    if not estonian:
        params.append(
            pytest.param(
                None, id="no-ee-samples", marks=pytest.mark.skip(reason="no ee-*.xml samples yet")
            )
        )
    return params


def parse(data: bytes) -> einvoice.ParsedDocument:
    """Parse through the registry; skip while a format module it lists is still missing."""
    try:
        return einvoice.parse(data)
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("payables.einvoice."):
            raise
        pytest.skip(f"the format registry cannot load {error.name} yet")


def as_rendered(invoice: Invoice) -> Invoice:
    """The invoice as UBL carries it."""
    invoice = invoice.without_extensions()
    if invoice.customization_id:
        return invoice
    return dataclasses.replace(
        invoice,
        customization_id=PEPPOL_CUSTOMIZATION_ID,
        profile_id=invoice.profile_id or PEPPOL_PROFILE_ID,
    )


@pytest.mark.parametrize("path", cases())
def test_rendered_ubl_parses_back_to_the_same_invoices(path: Path) -> None:
    invoices = parse(path.read_bytes()).invoices
    assert invoices
    back = []
    for invoice in invoices:
        document = parse(einvoice.render_ubl(invoice))
        assert document.format == "ubl"
        back.extend(i.without_extensions() for i in document.invoices)
    assert back == [as_rendered(invoice) for invoice in invoices]
