"""Where in an order document each field of ``PurchaseOrderIn`` comes from.

A refusal of an imported order names the JSON field (``["body", "lines", 0, "quantity"]``,
as for the JSON API) and, beside it, the XML element it was read from and the line's id,
so the sender can find it in the document it sent. Paths are XPaths with the formats'
usual prefixes (``cac:``/``cbc:`` for UBL); an Estonian line is named by its ``RowNo``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from payables.einvoice.orders import ParsedOrder
from payables.einvoice.orders.ee_order import WRAPPERS
from payables.einvoice.sniff import root_name
from payables.errors import FieldError

_UBL_SELLER = "cac:SellerSupplierParty/cac:Party"
# Peppol BIS Order 3 (UBL Order 2.1), relative to /Order.
UBL_HEADER = {
    "number": "cbc:ID",
    "order_date": "cbc:IssueDate",
    "delivery_date": "cac:Delivery/cac:RequestedDeliveryPeriod",
    "currency": "cbc:DocumentCurrencyCode",
    "net_amount": "cac:AnticipatedMonetaryTotal/cbc:LineExtensionAmount",
    "vat_amount": "cac:TaxTotal/cbc:TaxAmount",
    "gross_amount": "cac:AnticipatedMonetaryTotal/cbc:TaxInclusiveAmount",
    "buyer_reference": "cbc:CustomerReference",
    "notes": "cbc:Note",
    "lines": "cac:OrderLine",
    "requester": "cac:OriginatorCustomerParty/cac:Party/cac:Contact",
    "requester.email": "cac:OriginatorCustomerParty/cac:Party/cac:Contact/cbc:ElectronicMail",
    "requester.name": "cac:OriginatorCustomerParty/cac:Party/cac:Contact/cbc:Name",
    "supplier": _UBL_SELLER,
    "supplier.registry_code": f"{_UBL_SELLER}/cac:PartyLegalEntity/cbc:CompanyID",
    "supplier.vat_number": f"{_UBL_SELLER}/cac:PartyTaxScheme/cbc:CompanyID",
    "supplier.name": f"{_UBL_SELLER}/cac:PartyLegalEntity/cbc:RegistrationName",
    "supplier.country": f"{_UBL_SELLER}/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
}
# Relative to /Order/cac:OrderLine[n]/cac:LineItem.
UBL_LINE = {
    "line_id": "cbc:ID",
    "quantity": "cbc:Quantity",
    "unit": "cbc:Quantity/@unitCode",
    "unit_price": "cac:Price/cbc:PriceAmount",
    "net_amount": "cbc:LineExtensionAmount",
    "vat_rate": "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent",
    "account_code": "cbc:AccountingCost",
    "item_code": "cac:Item/cac:BuyersItemIdentification/cbc:ID",
    "seller_item_code": "cac:Item/cac:SellersItemIdentification/cbc:ID",
    "gtin": "cac:Item/cac:StandardItemIdentification/cbc:ID",
    "description": "cac:Item/cbc:Name",
}

_EE_SELLER = "InvoiceParties/SellerParty"
# The Estonian e-invoice structure, relative to its Invoice (the order).
EE_HEADER = {
    "number": "InvoiceInformation/InvoiceNumber",
    "order_date": "InvoiceInformation/InvoiceDate",
    "delivery_date": "InvoiceInformation/DueDate",
    "currency": "InvoiceSumGroup/Currency",
    "net_amount": "InvoiceSumGroup/InvoiceSum",
    "vat_amount": "InvoiceSumGroup/TotalVATSum",
    "gross_amount": "InvoiceSumGroup/TotalSum",
    "buyer_reference": "InvoiceInformation/Extension[@extensionId='BT-10']/InformationContent",
    "notes": "InvoiceInformation/InvoiceContentText",
    "lines": "InvoiceItem/InvoiceItemGroup",
    "requester": "InvoiceParties/BuyerParty/ContactData",
    "requester.email": "InvoiceParties/BuyerParty/ContactData/E-mailAddress",
    "requester.name": "InvoiceParties/BuyerParty/ContactData/ContactName",
    "supplier": _EE_SELLER,
    "supplier.registry_code": f"{_EE_SELLER}/RegNumber",
    "supplier.vat_number": f"{_EE_SELLER}/VATRegNumber",
    "supplier.name": f"{_EE_SELLER}/Name",
    "supplier.country": f"{_EE_SELLER}/ContactData/LegalAddress/Country",
}
# Relative to the row's ItemEntry.
EE_LINE = {
    "line_id": "RowNo",
    "quantity": "ItemDetailInfo/ItemAmount",
    "unit": "ItemDetailInfo/ItemUnit",
    "unit_price": "ItemDetailInfo/ItemPrice",
    "net_amount": "ItemSum",
    "vat_rate": "VAT/VATRate",
    "account_code": "Accounting/JournalEntry/GeneralLedger",
    "cost_objective": "Accounting/JournalEntry/CostObjective",
    "item_code": "BuyerProductId",
    "seller_item_code": "SellerProductId",
    "gtin": "EAN",
    "description": "Description",
}
# The row's codes the e-invoice reader names as dimensions (ee_einvoice/rows.py).
EE_DIMENSIONS = {
    "general_ledger_detail": "Accounting/JournalEntry/GeneralLedgerDetail",
    "partner_code": "Accounting/PartnerCode",
    "business_code": "Accounting/BusinessCode",
    "source_code": "Accounting/SourceCode",
    "cash_flow_code": "Accounting/CashFlowCode",
    "classificator_code": "Accounting/ClassificatorCode",
    "accounting_description": "Accounting/Description",
}


@dataclass(frozen=True)
class XmlPlaces:
    """The document's paths: of the order, its header fields and each of its lines."""

    order: str
    header: Mapping[str, str]
    line_fields: Mapping[str, str]
    dimensions: Mapping[str, str]
    line_paths: tuple[str, ...]
    line_ids: tuple[str, ...]

    def locate(self, loc: Sequence[str | int]) -> dict[str, str]:
        """The XML ``location`` (and ``line_id``) of a JSON location such as
        ``["body", "lines", 0, "dimensions", "department"]``."""
        parts = list(loc)
        if parts[:1] == ["body"]:
            parts = parts[1:]
        if not parts:
            return {"location": self.order}
        if parts[0] == "lines" and len(parts) > 1 and isinstance(parts[1], int):
            index = parts[1]
            if 0 <= index < len(self.line_paths):
                return self._in_line(index, parts[2:])
        key = ".".join(str(p) for p in parts[:2])
        relative = self.header.get(key) or self.header.get(str(parts[0]), "")
        return {"location": f"{self.order}/{relative}" if relative else self.order}

    def relocate(self, error: FieldError) -> FieldError:
        """The same refusal, also naming where in the document it is."""
        extra = error.extra | self.locate(error.loc or ())
        return FieldError(error.message, loc=error.loc, code=error.code, extra=extra)

    def _in_line(self, index: int, rest: list) -> dict[str, str]:
        name = str(rest[0]) if rest else ""
        if name == "dimensions" and len(rest) > 1:
            relative = self.dimensions.get(str(rest[1]), "")
        else:
            relative = self.line_fields.get(name, "")
        path = self.line_paths[index]
        return {
            "location": f"{path}/{relative}" if relative else path,
            "line_id": self.line_ids[index],
        }


def xml_places(parsed: ParsedOrder, body: bytes) -> XmlPlaces:
    """The places of the parsed order's fields in the document it was read from."""
    ids = tuple(line.line_id for line in parsed.lines)
    if parsed.format == "peppol-order":
        return XmlPlaces(
            order="/Order",
            header=UBL_HEADER,
            line_fields=UBL_LINE,
            dimensions={},
            line_paths=tuple(
                f"/Order/cac:OrderLine[{n}]/cac:LineItem" for n in range(1, len(ids) + 1)
            ),
            line_ids=ids,
        )
    order = _ee_invoice_path(body)
    rows = f"{order}/InvoiceItem/InvoiceItemGroup/ItemEntry"
    return XmlPlaces(
        order=order,
        header=EE_HEADER,
        line_fields=EE_LINE,
        dimensions=EE_DIMENSIONS,
        # Text rows are not order lines, so a line is named by its RowNo, not its position.
        line_paths=tuple(f"{rows}[RowNo={_quoted(line_id)}]" for line_id in ids),
        line_ids=ids,
    )


def _ee_invoice_path(body: bytes) -> str:
    """``/Payload/PurchaseOrder/E_Invoice/Invoice``, as wrapped (or enveloped) in the body."""
    name = root_name(body)
    chain = WRAPPERS[WRAPPERS.index(name) :] if name in WRAPPERS else (name, *WRAPPERS)
    return "/" + "/".join((*chain, "Invoice"))


def _quoted(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"
