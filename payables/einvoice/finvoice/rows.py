"""Invoice rows (BG-25): the rows that carry amounts, with their discounts and charges."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from payables.einvoice.finvoice.codes import vat_category
from payables.einvoice.model import AllowanceCharge, Finding, Line
from payables.einvoice.values import Children, decimal_at, text_at, texts_at
from payables.einvoice.xmlsafe import path_of, text, to_decimal

_AMOUNTS = frozenset({"RowVatExcludedAmount", "RowAmount", "RowVatAmount", "UnitPriceAmount"})


def lines(root: etree._Element, findings: list[Finding]) -> tuple[Line, ...]:
    """The rows that carry amounts; text rows and SubInvoiceRow sub-rows are not lines.

    SubInvoiceRow holds sub-rows or subtotals of rows already counted, so it never adds to
    the totals. RowVatExcludedAmount is the line net; RowAmount - RowVatAmount stands in
    only where a (1.x) row lacks it.
    """
    found: list[Line] = []
    skipped: dict[str, list[etree._Element]] = {"text": [], "sub": [], "no-net": [], "derived": []}
    for row in root.iterchildren("InvoiceRow"):
        fields = Children(row)
        has_sub_rows = fields.find("SubInvoiceRow") is not None
        if has_sub_rows:
            skipped["sub"].append(row)
        if not any(text(child) for child in row if child.tag in _AMOUNTS):
            if not has_sub_rows:
                skipped["text"].append(row)
            continue
        net = decimal_at(fields, "RowVatExcludedAmount")
        if net is None:
            gross, vat = decimal_at(fields, "RowAmount"), decimal_at(fields, "RowVatAmount")
            if gross is None or vat is None:
                skipped["no-net"].append(row)
                continue
            net = gross - vat
            skipped["derived"].append(row)
        found.append(_line(fields, net, position=len(found) + 1))
    messages = {
        "text": ("info", "carry only text (no amounts) and are not invoice lines"),
        "sub": ("info", "hold SubInvoiceRow sub-rows or subtotals, which are not counted"),
        "no-net": ("warning", "state an amount but no RowVatExcludedAmount; not counted"),
        "derived": ("info", "lack RowVatExcludedAmount; net taken as RowAmount - RowVatAmount"),
    }
    for kind, rows in skipped.items():
        if rows:
            severity, what = messages[kind]
            findings.append(
                Finding(
                    f"FINVOICE-ROW-{kind.upper()}",
                    severity,
                    f"{len(rows)} InvoiceRow(s) {what}",
                    path_of(rows[0]),
                )
            )
    return tuple(found)


def _line(row: Children, net: Decimal, *, position: int) -> Line:
    # BT-129 is the invoiced quantity; older documents state only the delivered one.
    quantity = next(
        (q for q in (row.find("InvoicedQuantity"), row.find("DeliveredQuantity")) if text(q)),
        None,
    )
    unit = ""
    if quantity is not None:
        unit = quantity.get("QuantityUnitCodeUN") or quantity.get("QuantityUnitCode") or ""
    has_net_price = bool(text_at(row, "UnitPriceNetAmount"))
    rate = decimal_at(row, "RowVatRatePercent")
    ean = row.find("EanCode")
    return Line(
        id=text_at(row, "RowPositionIdentifier") or str(position),  # BT-126
        line_net=net,  # BT-131
        quantity=(  # BT-129
            to_decimal(text(quantity), element=quantity) if quantity is not None else None
        ),
        unit_code=unit.strip(),  # BT-130 (UN/ECE Rec 20 where stated, else as written)
        # BT-146 net price; UnitPriceAmount is the gross price (BT-148) beside a net price.
        net_price=decimal_at(row, "UnitPriceNetAmount" if has_net_price else "UnitPriceAmount"),
        price_base_quantity=decimal_at(row, "UnitPriceBaseQuantity"),  # BT-149
        gross_price=decimal_at(row, "UnitPriceAmount") if has_net_price else None,  # BT-148
        name=text_at(row, "ArticleName"),  # BT-153
        description=text_at(row, "ArticleDescription"),  # BT-154
        seller_item_id=text_at(row, "ArticleIdentifier"),  # BT-155
        buyer_item_id=text_at(row, "BuyerArticleIdentifier"),  # BT-156
        standard_item_id=text(ean),  # BT-157 (EAN/GTIN)
        standard_item_scheme=(ean.get("SchemeID") or "0160").strip() if text(ean) else "",
        vat_category=vat_category(text_at(row, "RowVatCode"), rate),  # BT-151
        vat_rate=rate,  # BT-152
        allowances_charges=_row_allowances(row),  # BG-27 / BG-28
        accounting_cost=text_at(row, "RowAccountDimensionText"),  # BT-133
        note="\n".join(texts_at(row, "RowFreeText")),  # BT-127
        order_line_reference=text_at(row, "RowOrderPositionIdentifier"),  # BT-132
        # Extensions: the seller's proposed ledger account for the buyer's bookkeeping,
        # and the row's VAT as stated.
        account_code=(
            text_at(row, "RowNormalProposedAccountIdentifier")
            or text_at(row, "RowShortProposedAccountIdentifier")
        ),
        vat_amount=decimal_at(row, "RowVatAmount"),
    )


def _row_allowances(row: Children) -> tuple[AllowanceCharge, ...]:
    """Row discounts (BG-27) and charges (BG-28) that state an amount.

    A discount given only as a percentage is already in RowVatExcludedAmount and has no
    amount to carry, so it is left out.
    """
    result = []
    for discount in [row, *map(Children, row.findall("RowProgressiveDiscountDetails"))]:
        amount = decimal_at(discount, "RowDiscountAmount")  # BT-136
        if amount is not None:
            result.append(
                AllowanceCharge(
                    is_charge=False,
                    amount=amount,
                    base_amount=decimal_at(discount, "RowDiscountBaseAmount"),  # BT-137
                    percentage=decimal_at(discount, "RowDiscountPercent"),  # BT-138
                    reason=text_at(discount, "RowDiscountTypeText"),  # BT-139
                    reason_code=text_at(discount, "RowDiscountTypeCode"),  # BT-140
                )
            )
    for charge in map(Children, row.findall("RowChargeDetails")):
        amount = decimal_at(charge, "Amount")  # BT-141
        if amount is not None:
            result.append(
                AllowanceCharge(
                    is_charge=True,
                    amount=amount,
                    base_amount=decimal_at(charge, "BaseAmount"),  # BT-142
                    percentage=decimal_at(charge, "Percent"),  # BT-143
                    reason=text_at(charge, "ReasonText"),  # BT-144
                    reason_code=text_at(charge, "ReasonCode"),  # BT-145
                )
            )
    return tuple(result)
