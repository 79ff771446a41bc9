"""A purchase order in the Estonian e-invoice structure, wrapped as
``Payload/PurchaseOrder/E_Invoice`` (the payload of Fitek's Purchase Order Import v3).

The inner ``E_Invoice`` is the Estonian e-invoice 1.1/1.2 structure with one ``Invoice``
per order: ``InvoiceInformation/InvoiceNumber`` is the order number, ``InvoiceDate`` the
order date; parties, rows and their bookings are read by the e-invoice mapping
(``payables.einvoice.ee_einvoice``) so both read them alike. The structure has no delivery
date: ``DueDate`` (else ``Period/EndDate``) is read as the requested delivery. A row's
``Accounting/JournalEntry`` gives its account (``GeneralLedger``) and cost objective
(``CostObjective``); ``GeneralLedgerDetail`` and the AccountingRecord codes
(``PartnerCode``, ``BusinessCode``, ...) are its other dimensions.

The wrapper is read with or without namespaces; a request envelope around ``Payload``
(Fitek's request fields beside it) and a bare ``PurchaseOrder`` or ``E_Invoice`` are taken
too. One order per document: more ``Invoice`` (or ``PurchaseOrder``) elements are refused.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from payables.einvoice.ee_einvoice.parties import party
from payables.einvoice.ee_einvoice.reader import Reader
from payables.einvoice.ee_einvoice.rows import lines
from payables.einvoice.model import Line, ParseLimits
from payables.einvoice.orders.amounts_and_parties import order_party
from payables.einvoice.orders.errors import InvalidOrder, NotAnOrder
from payables.einvoice.orders.model import OrderLine, OrderTotals, ParsedOrder, Requester
from payables.einvoice.sniff import root_name
from payables.einvoice.values import decimal_at, text_at
from payables.einvoice.xmlsafe import local_name, parse_xml, path_of

FORMAT = "ee-purchase-order"
# Wrapper elements, outermost first, down to the e-invoice.
WRAPPERS = ("Payload", "PurchaseOrder", "E_Invoice")


def detect(data: bytes) -> bool:
    """Whether the bytes are a wrapped Estonian purchase order: a ``Payload`` or
    ``PurchaseOrder`` root (a bare ``E_Invoice`` is an invoice file to the sniffer).

    >>> detect(b"<Payload><PurchaseOrder><E_Invoice/></PurchaseOrder></Payload>")
    True
    >>> detect(b"<E_Invoice/>")
    False
    """
    return root_name(data) in WRAPPERS[:2]


def parse(data: bytes, *, limits: ParseLimits) -> ParsedOrder:
    """Read the one order of the payload, or refuse it with the reason and its location."""
    root = parse_xml(data, limits=limits)
    reader = Reader(limits)
    if any(etree.QName(element).namespace for element in root.iter()):
        for element in root.iter():
            element.tag = etree.QName(element).localname
        reader.note("ORDER-NAMESPACE", "info", "Namespaces were ignored", f"/{local_name(root)}")
    invoice = _the_invoice(reader, _e_invoice(reader, root))
    info = invoice.find("InvoiceInformation")
    number = text_at(info, "InvoiceNumber")
    if not number:
        where = path_of(info) + "/InvoiceNumber" if info is not None else path_of(invoice)
        raise InvalidOrder("The order has no number (InvoiceNumber)", location=where)
    parties = invoice.find("InvoiceParties")
    sums = invoice.find("InvoiceSumGroup")
    payment = invoice.find("PaymentInfo")
    notes = [text_at(info, "InvoiceContentText")]
    rows, _ = lines(reader, invoice, sums, notes)
    notes += [text_at(e, "InformationContent") for e in invoice.findall("AdditionalInformation")]
    buyer = party(parties, "BuyerParty", fallback_id=invoice.get("regNumber"))
    return ParsedOrder(
        format=FORMAT,
        number=number,
        order_date=reader.day(info, "InvoiceDate"),
        delivery_date=reader.day(info, "DueDate") or reader.day(info, "Period/EndDate"),
        currency=text_at(sums, "Currency") or text_at(payment, "Currency"),
        buyer_reference=_buyer_reference(info),
        accounting_cost=_order_account(sums),
        seller=order_party(
            party(parties, "SellerParty", fallback_id=invoice.get("sellerRegnumber"))
        ),
        buyer=order_party(buyer),
        requester=Requester(
            name=buyer.contact_name,
            department=text_at(parties, "BuyerParty/DepId"),
            email=buyer.contact_email,
            phone=buyer.contact_phone,
        ),
        note="\n".join(dict.fromkeys(n for n in notes if n)),
        totals=_totals(sums),
        lines=_order_lines(reader, invoice, rows),
        profile=text_at(_header(invoice), "Version"),
        contract_reference=text_at(info, "ContractNumber"),
        warnings=tuple(dict.fromkeys(reader.findings)),
    )


def _e_invoice(reader: Reader, root: etree._Element) -> etree._Element:
    """Walk the wrapper down to ``E_Invoice``, refusing a wrong or repeated level."""
    name = local_name(root)
    if name not in WRAPPERS:
        if root.find("Payload") is None:
            raise NotAnOrder(
                f"Not a purchase order: the root element is {name!r}; expected "
                "Payload/PurchaseOrder/E_Invoice",
                location=f"/{name}",
            )
        reader.note(
            "ORDER-ENVELOPE",
            "info",
            f"Only the Payload of the {name} envelope was read",
            f"/{name}",
        )
        root, name = _only_child(root, "Payload"), "Payload"
    if name == "E_Invoice":
        reader.note(
            "ORDER-UNWRAPPED",
            "info",
            "E_Invoice is not wrapped in Payload/PurchaseOrder",
            "/E_Invoice",
        )
    element = root
    for child in WRAPPERS[WRAPPERS.index(name) + 1 :]:
        element = _only_child(element, child)
    return element


def _only_child(parent: etree._Element, name: str) -> etree._Element:
    found = parent.findall(name)
    if len(found) == 1:
        return found[0]
    if not found:
        raise InvalidOrder(
            f"{local_name(parent)} holds no {name}", location=f"{path_of(parent)}/{name}"
        )
    raise InvalidOrder(
        f"{local_name(parent)} holds {len(found)} {name} elements; one purchase order per request",
        location=path_of(found[1]),
    )


def _the_invoice(reader: Reader, e_invoice: etree._Element) -> etree._Element:
    found = e_invoice.findall("Invoice")
    if not found:
        raise InvalidOrder(
            "E_Invoice holds no Invoice (the order)", location=f"{path_of(e_invoice)}/Invoice"
        )
    if len(found) > 1:
        raise InvalidOrder(
            f"E_Invoice holds {len(found)} orders (Invoice elements); one purchase order "
            "per request",
            location=path_of(found[1]),
        )
    return found[0]


def _header(invoice: etree._Element) -> etree._Element | None:
    parent = invoice.getparent()
    return None if parent is None else parent.find("Header")


def _buyer_reference(info: etree._Element | None) -> str:
    """BT-10 where an extension names it, as the 1.2.EN mapping writes it."""
    for element in [] if info is None else info.findall("Extension"):
        if (element.get("extensionId") or "").strip().lower() == "bt-10":
            return text_at(element, "InformationContent")
    return ""


def _order_account(sums: etree._Element | None) -> str:
    entry = None if sums is None else sums.find("Accounting/JournalEntry")
    return text_at(entry, "GeneralLedger") or text_at(entry, "CostObjective")


def _totals(sums: etree._Element | None) -> OrderTotals:
    """The stated sums; the net after order-level additions is the VAT entries' bases."""
    lines_net = decimal_at(sums, "InvoiceSum")
    bases = [] if sums is None else [decimal_at(v, "SumBeforeVAT") for v in sums.findall("VAT")]
    if bases and all(base is not None for base in bases):
        net = sum((base for base in bases if base is not None), Decimal(0))
    elif sums is not None and sums.find("Addition") is None:
        net = lines_net
    else:
        net = None
    return OrderTotals(
        net=net,
        vat=decimal_at(sums, "TotalVATSum"),
        gross=decimal_at(sums, "TotalSum"),
        lines_net=lines_net,
        payable=decimal_at(sums, "TotalToPay"),
    )


def _order_lines(
    reader: Reader, invoice: etree._Element, rows: tuple[Line, ...]
) -> tuple[OrderLine, ...]:
    """The rows as order lines, each with whether the document states its net amount."""
    entries = [
        entry
        for entry in invoice.findall("InvoiceItem/InvoiceItemGroup/ItemEntry")
        if _has_amounts(entry)
    ]
    if len(entries) != len(rows):  # the e-invoice mapping skips exactly the text rows
        entries = [None] * len(rows)
    return tuple(_order_line(reader, row, entry) for row, entry in zip(rows, entries, strict=True))


_AMOUNTS = ("ItemSum", "VAT/SumBeforeVAT", "VAT/VATSum", "ItemTotal")


def _has_amounts(entry: etree._Element) -> bool:
    detail = entry.find("ItemDetailInfo")
    return any(text_at(detail, tag) for tag in ("ItemAmount", "ItemPrice")) or any(
        text_at(entry, path) for path in _AMOUNTS
    )


def _order_line(reader: Reader, row: Line, entry: etree._Element | None) -> OrderLine:
    stated = entry is None or any(  # without its entry, the row's net is trusted
        text_at(entry, path) for path in ("ItemSum", "VAT/SumBeforeVAT", "ItemTotal")
    )
    computed = not stated and row.quantity is not None and row.net_price is not None
    if computed:
        reader.note(
            "ORDER-LINE-NET-COMPUTED",
            "info",
            f"Row {row.id} states no ItemSum: its net is quantity x price",
            path_of(entry) if entry is not None else "",
        )
    dimensions = dict(row.dimensions)
    cost_objective = dimensions.pop("cost_objective", "")
    return OrderLine(
        line_id=row.id,
        name=row.name,
        description=row.description or row.name,
        item_code=row.buyer_item_id,
        seller_item_code=row.seller_item_id,
        gtin=row.standard_item_id,
        quantity=row.quantity,
        unit=row.unit_code,
        unit_price=row.net_price,
        net_amount=row.line_net if stated or computed else None,
        net_amount_computed=computed,
        vat_rate=row.vat_rate,
        vat_category=row.vat_category,
        account=row.account_code or row.accounting_cost,
        cost_objective=cost_objective,
        dimensions=tuple(dimensions.items()),
        note=row.note,
    )
