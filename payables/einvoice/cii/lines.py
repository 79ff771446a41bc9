"""Invoice lines (BG-25): the line items the totals count, with their allowances and charges."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from payables.einvoice.cii.elements import all_at, attr, child, child_text, children
from payables.einvoice.cii.reader import Reader, amount
from payables.einvoice.cii.settlement import allowance_charge
from payables.einvoice.cii.syntax import HEADER_ONLY_PROFILES, RATE, ZUGFERD1
from payables.einvoice.model import Line
from payables.einvoice.xmlsafe import text

# Line status reason codes (Factur-X EXTENDED, BT-X-8) of lines that the totals do not
# count: a GROUP line subtotals its DETAIL sub-lines, an INFORMATION line is for reading
# only. Reading them as lines would count amounts twice.
_NOT_COUNTED_LINE_STATUSES = frozenset({"GROUP", "INFORMATION"})


def lines(reader: Reader, transaction: etree._Element | None, profile: str) -> tuple[Line, ...]:
    items = children(transaction, "IncludedSupplyChainTradeLineItem")
    if profile in HEADER_ONLY_PROFILES:
        if items:
            reader.note(
                "PAY-CII-HEADER-ONLY",
                "warning",
                f"The {profile} profile has no lines; {len(items)} line items are ignored",
                transaction,
            )
        return ()
    found, unnumbered = [], []
    for position, item in enumerate(items, start=1):
        read = _line(reader, item, position)
        if read is None:
            continue
        if not child_text(item, "AssociatedDocumentLineDocument", "LineID"):
            unnumbered.append(read.id)
        found.append(read)
    if unnumbered:
        reader.note(
            "PAY-CII-LINE-ID",
            "info",
            f"{len(unnumbered)} line(s) have no LineID (BT-126); they are numbered by "
            f"position: {', '.join(unnumbered)}",
            transaction,
        )
    return tuple(found)


def _line(reader: Reader, item: etree._Element, position: int) -> Line | None:
    s = reader.s
    document = child(item, "AssociatedDocumentLineDocument")
    note = "\n".join(
        text(content) for content in all_at(document, "IncludedNote", "Content") if text(content)
    )
    status = child_text(document, "LineStatusReasonCode").upper()
    if status in _NOT_COUNTED_LINE_STATUSES:
        reader.note(
            "PAY-CII-SUBLINE",
            "info",
            f"Line item {position} is a {status} line that the totals do not count "
            "(its DETAIL sub-lines carry the amounts); skipped"
            if status == "GROUP"
            else f"Line item {position} is an INFORMATION line, not counted in the totals; skipped",
            item,
        )
        return None
    product = child(item, "SpecifiedTradeProduct")
    agreement = child(item, s.line_agreement)
    delivery = child(item, s.line_delivery)
    settlement = child(item, s.line_settlement)
    quantity = child(delivery, "BilledQuantity")
    net = amount(child(settlement, s.line_summation, "LineTotalAmount"))
    net_price = child(agreement, "NetPriceProductTradePrice")
    if net is None:
        if product is None and quantity is None:
            reader.note(
                "PAY-CII-TEXT-LINE",
                "info",
                f"Line item {position} carries only a note and no amount; skipped"
                + (f": {note}" if note else ""),
                item,
            )
            return None
        if s is ZUGFERD1 and net_price is None:
            # ZUGFeRD 1.0 BASIC lines may be free text: a name and a quantity, no amount.
            # The header totals are the document's; a line with no amount is not counted.
            name = child_text(product, "Name")
            reader.note(
                "PAY-CII-TEXT-LINE",
                "info",
                f"Line item {position} states no amount (no LineTotalAmount, no price), as a "
                "ZUGFeRD 1.0 BASIC free-text line may; not counted in the lines"
                + (f": {name}" if name else ""),
                item,
            )
            return None
        reader.note(
            "PAY-CII-LINE",
            "warning",
            f"Line item {position} has no LineTotalAmount (BT-131); read as 0",
            item,
        )
        net = Decimal(0)
    base_quantity = child(net_price, "BasisQuantity")
    tax = child(settlement, "ApplicableTradeTax")
    standard_id = child(product, "GlobalID")
    return Line(
        id=child_text(document, "LineID") or str(position),  # BT-126
        line_net=net,  # BT-131
        quantity=amount(quantity),  # BT-129
        unit_code=attr(quantity, "unitCode"),  # BT-130
        net_price=amount(child(net_price, "ChargeAmount")),  # BT-146
        price_base_quantity=amount(base_quantity),  # BT-149
        gross_price=amount(  # BT-148
            child(agreement, "GrossPriceProductTradePrice", "ChargeAmount")
        ),
        name=child_text(product, "Name"),  # BT-153
        description=child_text(product, "Description"),  # BT-154
        seller_item_id=child_text(product, "SellerAssignedID"),  # BT-155
        buyer_item_id=child_text(product, "BuyerAssignedID"),  # BT-156
        standard_item_id=text(standard_id),  # BT-157
        standard_item_scheme=attr(standard_id, "schemeID"),
        vat_category=child_text(tax, "CategoryCode"),  # BT-151
        vat_rate=amount(child(tax, RATE)),  # BT-152
        allowances_charges=tuple(  # BG-27 / BG-28
            charge
            for element in children(settlement, "SpecifiedTradeAllowanceCharge")
            if (charge := allowance_charge(reader, element)) is not None
        ),
        accounting_cost=child_text(  # BT-133
            settlement, "ReceivableSpecifiedTradeAccountingAccount", "ID"
        ),
        note=note,  # BT-127
        order_line_reference=child_text(  # BT-132
            agreement, "BuyerOrderReferencedDocument", "LineID"
        ),
    )
