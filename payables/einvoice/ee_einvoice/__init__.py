"""Estonian e-invoice (``E_Invoice``, "Eesti e-arve", standards 1.1, 1.11 and 1.2) into EN 16931.

Sources: "Eesti e-arve kirjeldus" / "Description of Estonian e-invoice" ver 1.2 (Pangaliit
and the Ministry of Finance, 2013; kept by ITL since 2019), its schema e-invoice_ver1.2.xsd
and the 1.2.EN mapping to EN 16931. No namespace. One file holds several ``Invoice``
elements between a ``Header`` (standard version) and a ``Footer`` with their count and total.

How amounts are read, where the description leaves room:

- A row's net (BT-131) is its taxable amount ``VAT/SumBeforeVAT``; without it, ``ItemSum``
  (quantity x price, before the row's discounts) less the row's discounts plus its charges.
- ``Addition`` says by ``addCode`` whether it is a discount (DSC) or a charge (CHR); producers
  write ``AddSum`` with either sign, so its magnitude is used, signed like the amount it
  applies to (negative on a credit invoice that states negative amounts).
- ``InvoiceSum`` is the rows' total before invoice-level additions (BT-106); the amount
  without VAT (BT-109) is the sum of the ``VAT/SumBeforeVAT`` bases; ``TotalSum`` is BT-112
  and ``TotalToPay`` BT-115, ``Rounding`` BT-114.
- ``@vatId`` gives the VAT category: TAX is S, or Z at 0 % (EN 16931 wants a positive rate for
  S), TAXEX is E (exempt), NOTTAX is O (outside the scope of VAT, without a rate).
- ``InvoiceTotalGroup`` (a summary of the rows), ``GroupEntry`` and ``InvoiceItemTotalGroup``
  are subtotals: never read as rows.

Modules: ``document`` (detect, parse, the Header and each invoice's header), ``parties``
(parties and payment), ``rows`` (item groups, rows, VAT categories, additions), ``sums``
(VAT breakdown, totals, the Footer's control sums) and ``attachments``, over the
``reader`` (findings, dates, cents).
"""

from __future__ import annotations

from payables.einvoice.ee_einvoice.document import FORMAT, VERSIONS, detect, parse

__all__ = ["FORMAT", "VERSIONS", "detect", "parse"]
