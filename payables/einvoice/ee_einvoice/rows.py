"""Rows (BG-25) of the item groups, their VAT, bookings and discounts or charges; group
subtotals are never read as rows."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from payables.einvoice.ee_einvoice.reader import Reader, cents, extension_text
from payables.einvoice.model import AllowanceCharge, Line
from payables.einvoice.values import Children, Parent, decimal_at, find_at, findall_at, text_at
from payables.einvoice.xmlsafe import path_of

# BT-130: units as Estonian invoices write them, to UN/ECE Recommendation 20.
_UNITS = {
    "tk": "H87",
    "tükk": "H87",
    "pcs": "H87",
    "h": "HUR",
    "tund": "HUR",
    "min": "MIN",
    "päev": "DAY",
    "kuu": "MON",
    "kg": "KGM",
    "t": "TNE",
    "l": "LTR",
    "m": "MTR",
    "km": "KMT",
    "m2": "MTK",
    "m²": "MTK",
    "m3": "MTQ",
    "m³": "MTQ",
    "kwh": "KWH",
    "mwh": "MWH",
    "pk": "PK",
    "kast": "BX",
    "rl": "RO",
    "in": "IE",
    "kmpl": "SET",
}
# AccountingRecord codes that become line dimensions, after the journal entries.
_ACCOUNTING_CODES = (
    ("PartnerCode", "partner_code"),
    ("BusinessCode", "business_code"),
    ("SourceCode", "source_code"),
    ("CashFlowCode", "cash_flow_code"),
    ("ClassificatorCode", "classificator_code"),
)
# The codes of a journal entry that are coding; its Sum/VatSum/VatRate are amounts of a
# split, not dimensions.
_JOURNAL_FIELDS = (
    ("GeneralLedgerDetail", "general_ledger_detail"),
    ("CostObjective", "cost_objective"),
)


def lines(
    reader: Reader, element: etree._Element, sums: Parent, notes: list[str]
) -> tuple[tuple[Line, ...], list[Decimal | None]]:
    """The rows of every InvoiceItemGroup, and each row's VAT sum."""
    item = find_at(element, "InvoiceItem")
    if item is None:
        reader.note("EE-ROWS", "warning", "The invoice has no InvoiceItem", path_of(element))
        return (), []
    subtotals = (
        len(findall_at(item, "InvoiceTotalGroup"))
        + len(findall_at(item, "InvoiceItemGroup/GroupEntry"))
        + len(findall_at(item, "InvoiceItemTotalGroup"))
    )
    if subtotals:
        reader.note(
            "EE-SUBTOTALS",
            "info",
            f"{subtotals} group summaries and subtotals (InvoiceTotalGroup, GroupEntry, "
            "InvoiceItemTotalGroup) were not read as rows",
            path_of(item),
        )
    for group_addition in findall_at(item, "InvoiceItemGroup/GroupEntry/Addition"):
        reader.note(
            "EE-GROUP-ADDITION",
            "warning",
            "A discount or charge on a group subtotal is not carried into the invoice",
            path_of(group_addition),
        )
    single_vat = _single_vat(reader, sums)
    found: list[Line] = []
    row_vat: list[Decimal | None] = []
    for entry in findall_at(item, "InvoiceItemGroup/ItemEntry"):
        read = _line(reader, entry, len(found) + 1, single_vat)
        if read is None:
            notes.append(text_at(entry, "Description"))
            reader.note(
                "EE-TEXT-ROW",
                "info",
                "A row without amounts was read as a note",
                path_of(entry),
            )
            continue
        found.append(read[0])
        row_vat.append(read[1])
    return tuple(found), row_vat


def _single_vat(reader: Reader, sums: Parent) -> tuple[str, Decimal | None] | None:
    """The invoice's one VAT category and rate, for rows and discounts that state none."""
    vats = findall_at(sums, "VAT")
    kinds = {vat_category(reader, v) for v in vats}
    return kinds.pop() if len(kinds) == 1 else None


def vat_category(reader: Reader, vat: etree._Element) -> tuple[str, Decimal | None]:
    """UNCL5305 category and rate from ``@vatId`` (TAX, TAXEX, NOTTAX) and VATRate."""
    vat_id = (vat.get("vatId") or "TAX").strip().upper()
    rate = decimal_at(vat, "VATRate")
    if vat_id == "TAXEX":
        return "E", rate  # exempt (KMS § 16)
    if vat_id == "NOTTAX":
        return "O", None  # outside the scope of VAT: EN 16931 BR-O-05 allows no rate
    if vat_id != "TAX":
        reader.note("EE-VATID", "warning", f"Unknown vatId {vat_id!r}: read as TAX", path_of(vat))
    return ("Z" if rate is not None and rate == 0 else "S"), rate


def _line(
    reader: Reader,
    entry: etree._Element,
    position: int,
    single_vat: tuple[str, Decimal | None] | None,
) -> tuple[Line, Decimal | None] | None:
    """The row and its VAT sum; None for a row that only holds text."""
    row = Children(entry)
    details = row.findall("ItemDetailInfo")
    if len(details) > 1:
        reader.note(
            "EE-ITEM-DETAILS",
            "warning",
            f"{len(details)} ItemDetailInfo on one row: the first gives quantity and price",
            path_of(details[1]),
        )
    detail = details[0] if details else None
    quantity = decimal_at(detail, "ItemAmount")  # BT-129
    price = decimal_at(detail, "ItemPrice")  # BT-146
    item_sum = decimal_at(row, "ItemSum")
    vat = row.find("VAT")
    base = decimal_at(vat, "SumBeforeVAT")
    vat_sum = decimal_at(vat, "VATSum")
    item_total = decimal_at(row, "ItemTotal")
    if all(v is None for v in (quantity, price, item_sum, base, vat_sum, item_total)):
        return None
    if item_sum is None and quantity is not None and price is not None:
        item_sum = cents(quantity * price)
    additions = tuple(
        addition(reader, a, base=item_sum, line_level=True) for a in row.findall("Addition")
    )
    if base is not None:
        net = base
    elif item_sum is not None:
        net = item_sum + sum(
            (a.amount if a.is_charge else -a.amount for a in additions), Decimal(0)
        )
    elif item_total is not None and vat_sum is not None:
        net = item_total - vat_sum
    else:
        net = item_total or Decimal(0)
        reader.note("EE-ROW-NET", "warning", "The row states no amount without VAT", path_of(entry))
    category, rate = vat_category(reader, vat) if vat is not None else (single_vat or ("", None))
    account_code, dimensions = _journal(reader, row)
    ean = text_at(row, "EAN")
    unit = text_at(detail, "ItemUnit")
    readings = [text_at(row, "InitialReading"), text_at(row, "FinalReading")]
    line_notes = [f"Readings {readings[0]} - {readings[1]}" if any(readings) else ""] + [
        extension_text(e) for e in row.findall("ItemReserve")
    ]
    line = Line(
        id=text_at(row, "RowNo") or str(position),  # BT-126
        line_net=net,  # BT-131
        quantity=quantity,
        unit_code=_UNITS.get(unit.lower(), unit),  # BT-130
        net_price=price,
        name=text_at(row, "Description"),  # BT-153
        seller_item_id=text_at(row, "SellerProductId"),  # BT-155
        buyer_item_id=text_at(row, "BuyerProductId"),  # BT-156
        standard_item_id=ean,  # BT-157
        standard_item_scheme="0160" if ean else "",  # GTIN
        vat_category=category,  # BT-151
        vat_rate=rate,  # BT-152
        allowances_charges=additions,  # BG-27 / BG-28
        accounting_cost=text_at(row, "CustomerRef"),  # BT-133
        note="; ".join(n for n in line_notes if n),  # BT-127
        account_code=account_code,
        dimensions=dimensions,
    )
    return line, vat_sum


def _journal(reader: Reader, row: Children) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The buyer's booking of the row: ledger account and the other codes as dimensions."""
    found = row.find("Accounting")
    if found is None:
        return "", ()
    accounting = Children(found)
    journal = accounting.findall("JournalEntry")
    if len(journal) > 1:
        # A row carries one coding: a split across entries cannot be kept on it.
        reader.note(
            "EE-JOURNAL-SPLIT",
            "warning",
            f"The row is booked in {len(journal)} journal entries; the first gives its "
            "account and codes, the split is left for a person to code",
            path_of(accounting.element),
        )
    account = next(filter(None, (text_at(j, "GeneralLedger") for j in journal)), "")
    dimensions: list[tuple[str, str]] = []
    if text_at(accounting, "Description"):
        dimensions.append(("accounting_description", text_at(accounting, "Description")))
    if journal:
        entry = Children(journal[0])
        dimensions += [
            (name, text_at(entry, tag)) for tag, name in _JOURNAL_FIELDS if text_at(entry, tag)
        ]
    dimensions += [
        (name, text_at(accounting, tag))
        for tag, name in _ACCOUNTING_CODES
        if text_at(accounting, tag)
    ]
    return account, tuple(dimensions)


def addition(
    reader: Reader,
    element: etree._Element,
    *,
    base: Decimal | None,
    line_level: bool,
    vat: tuple[str, Decimal | None] | None = None,
) -> AllowanceCharge:
    """A discount (DSC) or charge (CHR) of a row (BG-27/28) or of the invoice (BG-20/21)."""
    code = (element.get("addCode") or "").strip().upper()
    if code not in {"DSC", "CHR"}:
        reader.note(
            "EE-ADDCODE",
            "warning",
            f"Unknown addCode {code!r}: read as a discount",
            path_of(element),
        )
    rate = decimal_at(element, "AddRate")
    amount = decimal_at(element, "AddSum")
    if amount is None:
        amount = cents(abs(base or Decimal(0)) * abs(rate or Decimal(0)) / 100)
    category, vat_rate = ("", None) if line_level or vat is None else vat
    return AllowanceCharge(
        is_charge=code == "CHR",
        amount=_signed(amount, base),  # BT-92 / BT-99 / BT-136 / BT-141
        base_amount=base if rate is not None else None,  # BT-93 / BT-100 / BT-137 / BT-142
        percentage=abs(rate) if rate is not None else None,  # BT-94 / BT-101 / BT-138
        vat_category=category,  # BT-95 / BT-102
        vat_rate=vat_rate,  # BT-96 / BT-103
        reason=text_at(element, "AddContent"),  # BT-97 / BT-104 / BT-139 / BT-144
    )


def _signed(magnitude: Decimal, like: Decimal | None) -> Decimal:
    """The magnitude with the sign of the amount it belongs to."""
    return -abs(magnitude) if like is not None and like < 0 else abs(magnitude)
