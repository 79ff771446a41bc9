"""Peppol BIS Order 3 (UBL 2.1 ``Order``) into a ParsedOrder.

Sources: Peppol BIS Order only 3 and Advanced Ordering 3 (OpenPEPPOL, poacc-upgrade-3),
their examples, and the UBL 2.1 Order schema. Read: the order number (``cbc:ID``), issue
date, currency, buyer reference (``cbc:CustomerReference``), accounting cost, the
requested delivery period, the buyer (``BuyerCustomerParty``), seller
(``SellerSupplierParty``) and requester (``OriginatorCustomerParty``), the anticipated
totals and each ``OrderLine/LineItem``. Order-level discounts and charges are in the
stated totals; a line's ``LineExtensionAmount`` already has its own applied.
"""

from __future__ import annotations

from lxml import etree

from payables.einvoice.model import ParseLimits
from payables.einvoice.orders.amounts_and_parties import net_amount, order_party, unit_price
from payables.einvoice.orders.errors import InvalidOrder, NotAnOrder
from payables.einvoice.orders.model import (
    OrderLine,
    OrderParty,
    OrderTotals,
    ParsedOrder,
    Requester,
)
from payables.einvoice.reader import DocumentReader
from payables.einvoice.sniff import head
from payables.einvoice.ubl.parties import party
from payables.einvoice.ubl.reading import day, decimal, joined, scheme, string
from payables.einvoice.ubl.syntax import NS
from payables.einvoice.xmlsafe import local_name, parse_xml, path_of, root_tag

FORMAT = "peppol-order"
NS_ORDER = "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
CUSTOMIZATION_ID = "urn:fdc:peppol.eu:poacc:trns:order:3"
PROFILES = frozenset(
    {
        "urn:fdc:peppol.eu:poacc:bis:order_only:3",
        "urn:fdc:peppol.eu:poacc:bis:ordering:3",
        "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3",
    }
)
GTIN_SCHEME = "0160"


def detect(data: bytes) -> bool:
    """Whether the bytes are a UBL Order: an ``Order`` root in the UBL Order namespace.

    >>> detect(b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')
    True
    >>> detect(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
    False
    """
    start = head(data)
    return root_tag(start).rsplit(":", 1)[-1] == "Order" and NS_ORDER.encode() in start


def parse(data: bytes, *, limits: ParseLimits) -> ParsedOrder:
    """Read the order, or refuse a document that is not one or has no number."""
    root = parse_xml(data, limits=limits)
    if local_name(root) != "Order" or etree.QName(root).namespace != NS_ORDER:
        raise NotAnOrder(
            f"Not a UBL Order: the root element is {root.tag!r}; expected Order in {NS_ORDER}",
            location=f"/{local_name(root)}",
        )
    reader = DocumentReader(limits)
    profile = _check_identifiers(reader, root)
    number = string(root, "cbc:ID")
    if not number:
        raise InvalidOrder("The order has no number (cbc:ID)", location="/Order/cbc:ID")
    buyer_element = root.find("cac:BuyerCustomerParty/cac:Party", NS)
    lines = tuple(
        _line(reader, element, position)
        for position, element in enumerate(root.findall("cac:OrderLine", NS), start=1)
    )
    if not lines:
        reader.note("ORDER-NO-LINES", "warning", "The order has no OrderLine", "/Order")
    period = root.find("cac:Delivery/cac:RequestedDeliveryPeriod", NS)
    totals = root.find("cac:AnticipatedMonetaryTotal", NS)
    return ParsedOrder(
        format=FORMAT,
        number=number,
        order_date=day(root, "cbc:IssueDate"),
        delivery_date=day(period, "cbc:EndDate") or day(period, "cbc:StartDate"),
        currency=string(root, "cbc:DocumentCurrencyCode"),
        buyer_reference=string(root, "cbc:CustomerReference"),
        accounting_cost=string(root, "cbc:AccountingCost"),
        seller=_party(root.find("cac:SellerSupplierParty/cac:Party", NS)),
        buyer=_party(buyer_element),
        requester=_requester(reader, root, buyer_element),
        note=joined(root, "cbc:Note"),
        totals=OrderTotals(
            net=decimal(totals, "cbc:TaxExclusiveAmount"),
            vat=decimal(root, "cac:TaxTotal/cbc:TaxAmount"),
            gross=decimal(totals, "cbc:TaxInclusiveAmount"),
            lines_net=decimal(totals, "cbc:LineExtensionAmount"),
            payable=decimal(totals, "cbc:PayableAmount"),
        ),
        lines=lines,
        profile=profile,
        contract_reference=string(root, "cac:Contract/cbc:ID"),
        warnings=tuple(dict.fromkeys(reader.findings)),
    )


def _check_identifiers(reader: DocumentReader, root: etree._Element) -> str:
    customization = string(root, "cbc:CustomizationID")
    if not customization.startswith(CUSTOMIZATION_ID):
        reader.note(
            "ORDER-CUSTOMIZATION",
            "warning",
            f"CustomizationID {customization or 'missing'!r} is not Peppol Order 3 "
            f"({CUSTOMIZATION_ID}): read as one",
            "/Order/cbc:CustomizationID",
        )
    profile = string(root, "cbc:ProfileID")
    if profile not in PROFILES:
        reader.note(
            "ORDER-PROFILE",
            "warning",
            f"ProfileID {profile or 'missing'!r} is not a Peppol ordering profile",
            "/Order/cbc:ProfileID",
        )
    return profile


def _party(element: etree._Element | None) -> OrderParty:
    """The party, its country from the postal address or else the legal entity's."""
    return order_party(
        party(element),
        country=string(
            element,
            "cac:PartyLegalEntity/cac:RegistrationAddress/cac:Country/cbc:IdentificationCode",
        ),
    )


def _requester(
    reader: DocumentReader, root: etree._Element, buyer: etree._Element | None
) -> Requester:
    """The originator (who asked for the goods); without one, the buyer's contact."""
    originator = root.find("cac:OriginatorCustomerParty/cac:Party", NS)
    source = originator
    if originator is None:
        source = buyer
        if buyer is not None and buyer.find("cac:Contact", NS) is not None:
            reader.note(
                "ORDER-REQUESTER-BUYER",
                "info",
                "The order names no originator: the buyer's contact is the requester",
                "/Order/cac:BuyerCustomerParty",
            )
    contact = None if source is None else source.find("cac:Contact", NS)
    department = string(source, "cac:PartyName/cbc:Name")
    return Requester(
        name=string(contact, "cbc:Name") or department,
        department=department if string(contact, "cbc:Name") else "",
        email=string(contact, "cbc:ElectronicMail"),
        phone=string(contact, "cbc:Telephone"),
    )


def _line(reader: DocumentReader, order_line: etree._Element, position: int) -> OrderLine:
    element = order_line.find("cac:LineItem", NS)
    where = path_of(order_line)
    if element is None:
        raise InvalidOrder("The order line has no LineItem", location=where)
    line_id = string(element, "cbc:ID")
    if not line_id:
        line_id = str(position)
        reader.note("ORDER-LINE-ID", "warning", f"The line has no ID: numbered {line_id}", where)
    quantity_element = element.find("cbc:Quantity", NS)
    quantity = decimal(element, "cbc:Quantity")
    price = element.find("cac:Price", NS)
    per_unit = unit_price(
        reader,
        decimal(price, "cbc:PriceAmount"),
        decimal(price, "cbc:BaseQuantity"),
        path_of(price) if price is not None else where,
    )
    net, computed = net_amount(decimal(element, "cbc:LineExtensionAmount"), quantity, per_unit)
    if computed:
        reader.note(
            "ORDER-LINE-NET-COMPUTED",
            "info",
            f"Line {line_id} states no LineExtensionAmount: its net is quantity x price",
            where,
        )
    item = element.find("cac:Item", NS)
    category = None if item is None else item.find("cac:ClassifiedTaxCategory", NS)
    standard_id = string(item, "cac:StandardItemIdentification/cbc:ID")
    standard_scheme = scheme(item, "cac:StandardItemIdentification/cbc:ID")
    if standard_id and standard_scheme != GTIN_SCHEME:
        reader.note(
            "ORDER-STANDARD-ID",
            "info",
            f"The standard item id {standard_id!r} is in scheme {standard_scheme!r}, not "
            "GTIN (0160): not read as a GTIN",
            path_of(item.find("cac:StandardItemIdentification/cbc:ID", NS)),
        )
        standard_id = ""
    name = string(item, "cbc:Name")
    period = element.find("cac:Delivery/cac:RequestedDeliveryPeriod", NS)
    return OrderLine(
        line_id=line_id,
        name=name,
        description=joined(item, "cbc:Description") or name,
        item_code=string(item, "cac:BuyersItemIdentification/cbc:ID"),
        seller_item_code=string(item, "cac:SellersItemIdentification/cbc:ID"),
        gtin=standard_id,
        quantity=quantity,
        unit=(quantity_element.get("unitCode") or "").strip()
        if quantity_element is not None
        else "",
        unit_price=per_unit,
        net_amount=net,
        net_amount_computed=computed,
        vat_rate=decimal(category, "cbc:Percent"),
        vat_category=string(category, "cbc:ID"),
        account=string(element, "cbc:AccountingCost"),
        note=joined(order_line, "cbc:Note"),
        requested_delivery_date=day(period, "cbc:EndDate") or day(period, "cbc:StartDate"),
    )
