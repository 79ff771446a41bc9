"""Purchase order documents as the orders services' input.

A Peppol BIS Order 3 (UBL Order 2.1) or an Estonian e-invoice wrapped as
``Payload/PurchaseOrder/E_Invoice`` is read by ``payables.einvoice.orders`` and mapped here
to the ``PurchaseOrderIn`` every channel gives the services (source ``peppol`` or ``xml``).
Nothing is made up: a value the document does not state is left out (the services compute
line nets and totals from the lines, as for JSON), and a required one it lacks is a 422
located both in the JSON shape and in the document (``xml_places``). What the order model
has no field for (line notes, the contract, the document's requester) is kept in its
``metadata``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pydantic

from payables.einvoice.errors import EInvoiceError, LimitExceeded
from payables.einvoice.model import Finding
from payables.einvoice.orders import OrderLine, OrderParty, ParsedOrder, parse_order
from payables.errors import FieldError, PayloadTooLarge, ValidationFailed
from payables.identifiers import validate_registry_code, validate_vat_number
from payables.invoices.einvoice_mapping import LEDGER_CODES
from payables.invoices.services.einvoice_import import (
    DocumentRefused,
    DocumentTooComplex,
    einvoice_limits,
)
from payables.masterdata.models import DimensionType
from payables.orders.inputs import PurchaseOrderIn
from payables.orders.xml_places import XmlPlaces, xml_places
from payables.tenancy.models import Company
from payables.tenancy.queries import find_user

SOURCES = {"ee-purchase-order": "xml", "peppol-order": "peppol"}
_LABELS = {"registry_code": "registry code", "vat_number": "VAT number"}


@dataclass(frozen=True)
class OrderDocument:
    """A document's order as the services take it, and where each field came from."""

    payload: dict  # the fields the document states, in the shape of PurchaseOrderIn
    data: PurchaseOrderIn
    places: XmlPlaces
    warnings: tuple[Finding, ...]

    @property
    def number(self) -> str:
        return self.data.number


def read_order(body: bytes) -> ParsedOrder:
    """Parse the one order of the body within the e-invoice limits, or refuse it (422,
    each finding with its ``location``; 413 over the size limit)."""
    if not body or body.isspace():
        raise FieldError("Send the order document (XML) as the request body.", code="missing")
    limits = einvoice_limits()
    if len(body) > limits.max_bytes:  # before any work
        raise PayloadTooLarge(
            f"The document has {len(body)} bytes; the limit is {limits.max_bytes}."
        )
    try:
        return parse_order(body, limits=limits)
    except LimitExceeded as exc:
        raise DocumentTooComplex(exc.message, findings=exc.findings) from None
    except EInvoiceError as exc:  # not XML, a DTD or entity, not an order, no number
        raise DocumentRefused(exc.message, findings=exc.findings) from None


def order_input(parsed: ParsedOrder, *, body: bytes, company: Company) -> OrderDocument:
    """Map the parsed order to the services' input; a value it lacks or that does not fit
    the input's shape is a 422 naming both the JSON field and the XML element."""
    places = xml_places(parsed, body)
    warnings = list(parsed.warnings)
    kept_types = frozenset(
        DimensionType.objects.filter(company=company, is_active=True).values_list("code", flat=True)
    )
    proposed: list[dict] = []
    payload: dict = {
        "number": parsed.number,
        "source": SOURCES[parsed.format],
        "order_date": parsed.order_date,
        "delivery_date": parsed.delivery_date,
        "currency": parsed.currency or None,
        "buyer_reference": parsed.buyer_reference,
        "notes": parsed.note,
        "supplier": _supplier(parsed.seller, places, warnings),
        "lines": [_line(line, kept_types, proposed) for line in parsed.lines],
    }
    payload |= _totals(parsed, places, warnings)
    requester = _requester(parsed, company, places, warnings)
    if requester:
        payload["requester"] = requester
    if proposed:
        warnings.append(
            Finding(
                "PAY-ORDER-CODING",
                "info",
                "The document proposes ledger codes the company keeps no dimension type for "
                f"({_names(proposed)}): kept in metadata.proposed_coding, not as dimensions",
                places.locate(["lines"])["location"],
            )
        )
    payload["metadata"] = _metadata(parsed, proposed)
    payload = {k: v for k, v in payload.items() if v not in (None, "")}
    problems = []
    if not payload["supplier"]:
        problems.append(
            FieldError(
                "The document names no seller: give its registry code or VAT number, or its "
                "name and country.",
                loc=["supplier"],
                code="missing",
            )
        )
    try:
        data = PurchaseOrderIn.model_validate(payload)
    except pydantic.ValidationError as exc:
        problems += [_shape_error(error) for error in exc.errors()]
    if problems:
        raise ValidationFailed([places.relocate(p) for p in problems])
    return OrderDocument(payload, data, places, tuple(dict.fromkeys(warnings)))


def _supplier(seller: OrderParty, places: XmlPlaces, warnings: list[Finding]) -> dict:
    """The seller as on invoices: found by registry code or VAT number, else created from
    its name and country (the VAT number's prefix when the document gives no country).

    An identifier that fails its check is left out with a warning, as on imported
    invoices: a seller's typo must not refuse the order (nor match another supplier).
    """
    country = (seller.country or _vat_country(seller.vat_id)).upper()
    ref = {"name": seller.name, "country": country}
    for field, value, check in (
        ("registry_code", seller.registry_code, validate_registry_code),
        ("vat_number", seller.vat_id, validate_vat_number),
    ):
        if not value:
            continue
        try:
            ref[field] = check(value, country)
        except ValueError as exc:
            warnings.append(
                Finding(
                    "PAY-ORDER-SELLER-ID",
                    "warning",
                    f"The seller's {_LABELS[field]} is not used: {exc}",
                    places.locate(["supplier", field])["location"],
                )
            )
    return {k: v for k, v in ref.items() if v}


def _vat_country(vat_id: str) -> str:
    prefix = vat_id.strip()[:2].upper()
    if not prefix.isalpha():
        return ""
    return "GR" if prefix == "EL" else prefix


def _line(line: OrderLine, kept_types: frozenset[str], proposed: list[dict]) -> dict:
    """One line; the Estonian ledger codes become dimensions only where the company keeps a
    dimension type of that code (as on imported invoices), else proposed coding."""
    description = line.name
    if line.description and line.description != line.name:
        description = f"{line.name}\n{line.description}" if line.name else line.description
    dimensions = {
        name: value
        for name, value in line.dimensions
        if name not in LEDGER_CODES or name in kept_types
    }
    left = {name: value for name, value in line.dimensions if name not in dimensions}
    if left:
        proposed.append({"line_id": line.line_id, **left})
    item = {
        "line_id": line.line_id,
        "item_code": line.item_code,
        "seller_item_code": line.seller_item_code,
        "gtin": line.gtin,
        "description": description,
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_price": line.unit_price,
        # A net the reader computed is quantity x price, as the services compute it.
        "net_amount": None if line.net_amount_computed else line.net_amount,
        "vat_rate": line.vat_rate,
        "account_code": line.account,
        "cost_objective": line.cost_objective,
        "dimensions": dimensions,
    }
    return {k: v for k, v in item.items() if v not in (None, "", {})}


def _totals(parsed: ParsedOrder, places: XmlPlaces, warnings: list[Finding]) -> dict:
    """The stated totals, for the services to check against the lines; none when the order
    has order-level allowances or charges (its net is not its lines' sum), which an order
    here cannot hold: its totals are then its lines', and the document's are in metadata."""
    totals = parsed.totals
    if None not in (totals.net, totals.lines_net) and totals.net != totals.lines_net:
        warnings.append(
            Finding(
                "PAY-ORDER-CHARGES",
                "warning",
                f"The order's net {totals.net} is not its lines' sum {totals.lines_net} "
                "(order-level allowances or charges): the order's totals are its lines'; "
                "the document's are kept in metadata.document_totals",
                places.locate(["net_amount"])["location"],
            )
        )
        return {}
    net = totals.lines_net if totals.lines_net is not None else totals.net
    return {"net_amount": net, "vat_amount": totals.vat, "gross_amount": totals.gross}


def _requester(
    parsed: ParsedOrder, company: Company, places: XmlPlaces, warnings: list[Finding]
) -> str:
    """The company user the document's requester is (by e-mail), else "" with a warning:
    a person the company does not know is kept in metadata, not refused."""
    requester = parsed.requester
    if not (requester.email or requester.name):
        return ""
    user = find_user(company, requester.email) if requester.email else None
    if user is not None:
        return str(user.id)
    who = requester.email or requester.name
    warnings.append(
        Finding(
            "PAY-ORDER-REQUESTER",
            "warning",
            f"The requester {who!r} is not a user of the company: the order has no requester "
            "(kept in metadata.requester)",
            places.locate(["requester", "email" if requester.email else "name"])["location"],
        )
    )
    return ""


def _metadata(parsed: ParsedOrder, proposed: list[dict]) -> dict:
    """What the document says that the order has no field for, as JSON text."""
    totals = {k: str(v) for k, v in asdict(parsed.totals).items() if v is not None}
    lines = [
        _present(
            line_id=line.line_id,
            note=line.note,
            vat_category=line.vat_category,
            requested_delivery_date=_iso(line.requested_delivery_date),
        )
        for line in parsed.lines
    ]
    return _present(
        format=parsed.format,
        profile=parsed.profile,
        contract_reference=parsed.contract_reference,
        accounting_cost=parsed.accounting_cost,
        requester=_present(**asdict(parsed.requester)),
        document_totals=totals,
        proposed_coding=proposed,
        lines=[line for line in lines if len(line) > 1],
    )


def _present(**values: object) -> dict:
    return {k: v for k, v in values.items() if v not in (None, "", {}, [])}


def _iso(day: object) -> str:
    return day.isoformat() if day is not None else ""


def _names(proposed: list[dict]) -> str:
    return ", ".join(sorted({k for entry in proposed for k in entry if k != "line_id"}))


_MISSING = "The order needs this and the document does not state it."


def _shape_error(error: dict) -> FieldError:
    """A pydantic error of the mapped input as a located refusal."""
    message = _MISSING if error["type"] == "missing" else error["msg"]
    return FieldError(message, loc=list(error["loc"]), code=error["type"])
