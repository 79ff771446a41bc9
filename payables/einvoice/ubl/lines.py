"""Invoice and credit note lines (BG-25), and the allowances and charges (BG-20/21, BG-27/28)."""

from __future__ import annotations

from lxml import etree

from payables.einvoice.errors import MalformedDocument
from payables.einvoice.model import AllowanceCharge, Line
from payables.einvoice.reader import DocumentReader
from payables.einvoice.ubl.reading import decimal, joined, required_decimal, scheme, string
from payables.einvoice.ubl.syntax import NS
from payables.einvoice.values import Children, Parent, find_at, findall_at
from payables.einvoice.xmlsafe import path_of


def lines(reader: DocumentReader, root: Parent, *, is_credit_note: bool) -> tuple[Line, ...]:
    """The document's lines; XRechnung sub-lines stay inside their parent's amount."""
    tag = "cac:CreditNoteLine" if is_credit_note else "cac:InvoiceLine"
    quantity_tag = "cbc:CreditedQuantity" if is_credit_note else "cbc:InvoicedQuantity"
    found = []
    for element in findall_at(root, tag, NS):
        line = Children(element)
        sub_lines = findall_at(line, "cac:SubInvoiceLine", NS) + findall_at(
            line, "cac:SubCreditNoteLine", NS
        )
        if sub_lines:
            # XRechnung extension: the parent line's amount already covers its sub-lines.
            reader.note(
                "PAY-UBL-SUBLINES",
                "info",
                f"{len(sub_lines)} sub-lines of line {string(line, 'cbc:ID')!r} are "
                "included in that line's amount and not read as lines of their own",
                path_of(element),
            )
        found.append(_line(line, quantity_tag))
    return tuple(found)


def _line(line: Children, quantity_tag: str) -> Line:
    quantity = find_at(line, quantity_tag, NS)
    item = Children(find_at(line, "cac:Item", NS))
    price = find_at(line, "cac:Price", NS)
    price_discount = find_at(price, "cac:AllowanceCharge", NS)
    category = find_at(item, "cac:ClassifiedTaxCategory", NS)
    return Line(
        id=string(line, "cbc:ID"),  # BT-126
        line_net=required_decimal(line, "cbc:LineExtensionAmount"),  # BT-131
        quantity=decimal(line, quantity_tag),  # BT-129
        unit_code=(quantity.get("unitCode") or "").strip() if quantity is not None else "",
        net_price=decimal(price, "cbc:PriceAmount"),  # BT-146
        price_base_quantity=decimal(price, "cbc:BaseQuantity"),  # BT-149
        gross_price=decimal(price_discount, "cbc:BaseAmount"),  # BT-148
        name=string(item, "cbc:Name"),  # BT-153
        description=joined(item, "cbc:Description"),  # BT-154
        seller_item_id=string(item, "cac:SellersItemIdentification/cbc:ID"),  # BT-155
        buyer_item_id=string(item, "cac:BuyersItemIdentification/cbc:ID"),  # BT-156
        standard_item_id=string(item, "cac:StandardItemIdentification/cbc:ID"),  # BT-157
        standard_item_scheme=scheme(item, "cac:StandardItemIdentification/cbc:ID"),
        vat_category=string(category, "cbc:ID"),  # BT-151
        vat_rate=decimal(category, "cbc:Percent"),  # BT-152
        allowances_charges=tuple(  # BG-27 / BG-28
            allowance_charge(e) for e in findall_at(line, "cac:AllowanceCharge", NS)
        ),
        accounting_cost=string(line, "cbc:AccountingCost"),  # BT-133
        note=joined(line, "cbc:Note"),  # BT-127
        # BT-132
        order_line_reference=string(line, "cac:OrderLineReference/cbc:LineID"),
    )


def allowance_charge(element: etree._Element) -> AllowanceCharge:
    """A document (BG-20 / BG-21) or line (BG-27 / BG-28) allowance or charge."""
    charge = Children(element)
    indicator = string(charge, "cbc:ChargeIndicator").lower()
    if indicator not in {"true", "false", "1", "0"}:
        raise MalformedDocument(
            f"ChargeIndicator must be true or false, not {indicator!r}",
            location=f"{path_of(element)}/cbc:ChargeIndicator",
        )
    category = find_at(charge, "cac:TaxCategory", NS)
    return AllowanceCharge(
        is_charge=indicator in {"true", "1"},
        amount=required_decimal(charge, "cbc:Amount"),  # BT-92 / BT-99 / BT-136 / BT-141
        base_amount=decimal(charge, "cbc:BaseAmount"),  # BT-93 / BT-100 / BT-137 / BT-142
        percentage=decimal(charge, "cbc:MultiplierFactorNumeric"),  # BT-94 / BT-101 / ...
        vat_category=string(category, "cbc:ID"),  # BT-95 / BT-102
        vat_rate=decimal(category, "cbc:Percent"),  # BT-96 / BT-103
        reason=joined(charge, "cbc:AllowanceChargeReason"),  # BT-97 / BT-104 / ...
        # BT-98 / BT-105 / BT-140 / BT-145
        reason_code=string(charge, "cbc:AllowanceChargeReasonCode"),
    )
