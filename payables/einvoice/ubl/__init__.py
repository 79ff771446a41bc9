"""UBL 2.1 Invoice and CreditNote (EN 16931, Peppol BIS Billing 3.0, XRechnung UBL).

Mapping: EN 16931-3-2 (UBL syntax binding) and Peppol BIS Billing 3.0
(https://docs.peppol.eu/poacc/billing/3.0/); element order from the OASIS UBL 2.1 schemas
(http://docs.oasis-open.org/ubl/os-UBL-2.1/). ``render`` writes Peppol BIS Billing 3.0 and
carries every model field, so that ``parse(render(invoice))`` gives the invoice back.

Reading: ``document`` (detect, parse, header, attachments), ``parties``, ``lines``,
``totals``, over the typed values of ``reading``. Writing: ``writer`` on ``builder``.
``syntax`` holds the namespaces and identifiers both sides share.
"""

from __future__ import annotations

from payables.einvoice.ubl.document import detect, parse
from payables.einvoice.ubl.syntax import (
    FORMAT,
    NS_CAC,
    NS_CBC,
    NS_CREDIT_NOTE,
    NS_INVOICE,
    PEPPOL_CUSTOMIZATION_ID,
    PEPPOL_PROFILE_ID,
)
from payables.einvoice.ubl.writer import render

__all__ = [
    "FORMAT",
    "NS_CAC",
    "NS_CBC",
    "NS_CREDIT_NOTE",
    "NS_INVOICE",
    "PEPPOL_CUSTOMIZATION_ID",
    "PEPPOL_PROFILE_ID",
    "detect",
    "parse",
    "render",
]
