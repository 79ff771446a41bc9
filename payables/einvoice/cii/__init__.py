"""UN/CEFACT Cross Industry Invoice D16B and ZUGFeRD 1.0 into the canonical model.

CII D16B follows the EN 16931-3-3 syntax binding (CEN/TS 16931-3-3:2017), as profiled by
Factur-X / ZUGFeRD 2.x (MINIMUM, BASIC WL, BASIC, EN16931, EXTENDED; https://fnfe-mpe.org/
factur-x/, https://www.ferd-net.de/) and XRechnung CII (https://xeinkauf.de/xrechnung/).
ZUGFeRD 1.0 (``CrossIndustryDocument``, urn:ferd:CrossIndustryDocument:invoice:1p0) has the
same structure under older element names, so one mapping reads both: elements are matched
by local name (``elements``), and ``syntax.Syntax`` names the few elements that differ.

Modules: ``document`` (detect, parse, profile, header), ``parties``, ``settlement``
(payment, VAT, allowances and charges, totals), ``lines``, ``attachments``, over the
``reader`` (findings, amounts, dates).
"""

from __future__ import annotations

from payables.einvoice.cii.document import detect, parse, profile_of, root_element
from payables.einvoice.cii.reader import read_date
from payables.einvoice.cii.syntax import (
    CII_NAMESPACE,
    FORMAT,
    HEADER_ONLY_PROFILES,
    ZUGFERD1_NAMESPACE,
)

__all__ = [
    "CII_NAMESPACE",
    "FORMAT",
    "HEADER_ONLY_PROFILES",
    "ZUGFERD1_NAMESPACE",
    "detect",
    "parse",
    "profile_of",
    "read_date",
    "root_element",
]
