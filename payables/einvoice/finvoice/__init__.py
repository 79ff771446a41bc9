"""Finvoice 1.x, 2.0, 2.01 and 3.0 (the Finnish e-invoice of Finanssiala ry) into EN 16931.

Sources: Finvoice implementation guidelines 1.3, 2.01 and 3.0 (finvoice.info), the
Finvoice2.01.xsd and Finvoice3.0.xsd schemas, and the Finvoice 3.0 / EN 16931 mapping.
No namespace, decimal commas, ``Format="CCYYMMDD"`` dates. A file may start with the
SOAP/ebXML transmission frame: two XML documents in one file, each with its own declaration
and encoding (ISO-8859-15 by tradition), so the file is cut into documents before parsing.

The file: ``frame`` (detect, parse, documents) and ``encoding``. The mapping: ``invoice``
(header, parties, payment), ``rows``, ``totals``, and ``codes`` for the code lists.
Writing: ``writer`` (Finvoice 3.0, the reader's mapping reversed) on ``builder``.
"""

from __future__ import annotations

from payables.einvoice.finvoice.frame import FORMAT, detect, parse
from payables.einvoice.finvoice.writer import render

__all__ = ["FORMAT", "detect", "parse", "render"]
