"""A Merit purchase invoice read as payables' ``InvoiceIn``, with its payment and file.

What each Merit field becomes (README, "Moving from Merit Aktiva"):

- ``Vendor``: the supplier with that ``Id``; an unknown Id, or none, finds or creates it as
  ``POST /api/v1/invoices`` does (registry code, VAT number; else name + country).
- ``BillNo``, ``DocDate``, ``DueDate``, ``TransactionDate``, ``RefNo``, ``BankAccount``:
  ``invoice_number``, ``invoice_date``, ``due_date``, ``entry_date``,
  ``payment_reference``, ``bank_account``.
- ``CurrencyCode`` (default: the company's currency); ``CurrencyRate`` in Merit's way of
  quoting (units of the invoice's currency per one of the home currency, the ECB's way),
  stored as payables' inverse (home currency per unit).
- ``InvoiceRow``: ``Item.Code`` the company's product item, ``Item.Description`` and
  ``UOMName``, ``Quantity`` (default 1) times ``Price`` rounded to the currency the row's net,
  ``TaxId`` the VAT code with that UUID, ``GLAccountCode`` (v2 also ``PurchaseAccCode``)
  the account, department/project/cost centre and v2 ``Dimensions`` the dimensions.
- ``TaxAmount``/``TotalAmount``: the VAT breakdown and net (``taxes``); ``RoundingAmount``.
- ``ExpenseClaim``, ``Hcomment``, ``Fcomment`` and the v2 ``Receiver`` are kept in the
  invoice's ``metadata["merit"]``; ``Payment`` becomes a payment and ``Attachment`` a file.

``origins`` says where each native field came from, so a refusal by the services is
located in Merit's names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from payables.compat.merit import queries
from payables.compat.merit.dimensions import DimensionReader
from payables.compat.merit.errors import translate
from payables.compat.merit.schemas import PurchaseInvoiceV1, RowV1, VendorIn
from payables.compat.merit.taxes import read_taxes
from payables.errors import FieldError, ValidationFailed
from payables.invoices.inputs import InvoiceIn, SupplierRefIn
from payables.invoices.services import decode_base64_content
from payables.invoices.totals import MONEY_WHOLE_DIGITS
from payables.masterdata.models import VatCode
from payables.money import ZERO, fits_storage, quantize
from payables.tenancy.models import Company

RATE_PLACES = Decimal("1E-10")  # payables' currency_rate keeps 10 decimals

# Where the native fields of a party come from in Merit's VendorObject.
PARTY_FIELDS = {
    "id": "Id",
    "name": "Name",
    "registry_code": "RegNo",
    "vat_number": "VatRegNo",
    "country": "CountryCode",
    "street": "Address",
    "postal_code": "PostalCode",
    "city": "City",
}
HEADER_FIELDS = {
    "invoice_number": "BillNo",
    "invoice_date": "DocDate",
    "due_date": "DueDate",
    "entry_date": "TransactionDate",
    "currency": "CurrencyCode",
    "currency_rate": "CurrencyRate",
    "net_amount": "TotalAmount",
    "vat_amount": "TaxAmount",
    "gross_amount": "TotalAmount",
    "rounding_amount": "RoundingAmount",
    "payment_reference": "RefNo",
    "bank_account": "BankAccount",
    "vat_breakdown": "TaxAmount",
    "rows": "InvoiceRow",
    "supplier_id": ("Vendor", "Id"),
    # what the payment and attachment services locate
    "amount": ("Payment", "PaidAmount"),
    "payment_date": ("Payment", "PaymDate"),
    "content_base64": ("Attachment", "FileContent"),
}


@dataclass(frozen=True)
class PaymentPlan:
    method: str
    amount: Decimal | None
    payment_date: date


@dataclass(frozen=True)
class FilePlan:
    content: bytes
    filename: str


@dataclass
class Purchase:
    """What one sendpurchinvoice asks for, in payables' terms."""

    invoice: InvoiceIn
    metadata: dict
    receiver: SupplierRefIn | None = None
    payment: PaymentPlan | None = None
    file: FilePlan | None = None
    origins: dict[tuple, tuple] = field(default_factory=dict)


def read_purchase(payload: PurchaseInvoiceV1, *, company: Company, version: str) -> Purchase:
    """Read the payload; every problem found is refused at once, located in Merit's names."""
    problems: list[FieldError] = []
    origins: dict[tuple, tuple] = {
        (name,): where if isinstance(where, tuple) else (where,)
        for name, where in HEADER_FIELDS.items()
    }
    currency = (payload.CurrencyCode or company.home_currency).upper()
    codes = queries.vat_codes_by_id(
        company, [r.TaxId for r in payload.InvoiceRow] + [t.TaxId for t in payload.TaxAmount]
    )
    for where, tax_id in [
        *((("InvoiceRow", i, "TaxId"), r.TaxId) for i, r in enumerate(payload.InvoiceRow)),
        *((("TaxAmount", j, "TaxId"), t.TaxId) for j, t in enumerate(payload.TaxAmount)),
    ]:
        if tax_id not in codes:
            message = "No VAT code has this TaxId; gettaxes lists them."
            problems.append(FieldError(message, loc=where, code="unknown_code"))
    dimensions = DimensionReader(company, payload)
    header_dimensions = dimensions.header(payload, problems)
    rows = []
    for i, row in enumerate(payload.InvoiceRow):
        coding = dimensions.row(i, row, header_dimensions, problems)
        rows.append(_row(i, row, coding, codes, currency, origins, problems))
    taxes = read_taxes(
        payload.TaxAmount,
        [(r.TaxId, row["net_amount"]) for r, row in zip(payload.InvoiceRow, rows, strict=True)],
        codes,
        total=payload.TotalAmount,
        currency=currency,
        problems=problems,
    )
    breakdown = []
    for k, line in enumerate(taxes.lines):
        origins[("vat_breakdown", k)] = line.loc
        origins[("vat_breakdown", k, "vat_code")] = (*line.loc, "TaxId")
        origins[("vat_breakdown", k, "base_amount")] = line.loc  # the sum of its rows
        if line.loc[0] == "TaxAmount":
            origins[("vat_breakdown", k, "vat_amount")] = (*line.loc, "Amount")
        breakdown.append(
            {
                "vat_code": line.code.code,
                "vat_rate": _charged_rate(line.code),
                "base_amount": line.base,
                "vat_amount": line.vat,
            }
        )
    vat = sum((line["vat_amount"] for line in breakdown), ZERO)
    rounding = payload.RoundingAmount or ZERO
    gross = taxes.net + vat + rounding
    data: dict[str, Any] = {
        "invoice_number": payload.BillNo,
        "type": "credit_note" if gross < 0 else "invoice",
        "invoice_date": payload.DocDate,
        "due_date": payload.DueDate,
        "entry_date": payload.TransactionDate,
        "vat_date": _vat_date(payload, problems, origins),
        "currency": currency,
        "currency_rate": _currency_rate(payload, problems),
        "net_amount": taxes.net,
        "vat_amount": vat,
        "rounding_amount": rounding,
        "gross_amount": gross,
        "payment_reference": payload.RefNo or "",
        "bank_account": payload.BankAccount or "",
        "rows": rows,
        "vat_breakdown": breakdown,
    }
    data |= _vendor(payload.Vendor, company, problems, origins)
    receiver = _receiver(getattr(payload, "Receiver", None), company, problems, origins)
    payment = _payment(payload, company, problems)
    file = _file(payload, problems)
    try:
        invoice = InvoiceIn.model_validate(data)
    except ValidationError as exc:
        problems += [
            FieldError(e["msg"], loc=translate(e["loc"], origins), code=e["type"])
            for e in exc.errors()
        ]
    if problems:
        raise ValidationFailed(problems)
    return Purchase(
        invoice=invoice,
        metadata=_metadata(payload, version),
        receiver=receiver,
        payment=payment,
        file=file,
        origins=origins,
    )


def _row(
    index: int,
    row: RowV1,
    coding: dict[str, tuple[str, tuple]],
    codes: dict[UUID, VatCode],
    currency: str,
    origins: dict[tuple, tuple],
    problems: list[FieldError],
) -> dict:
    at, merit = ("rows", index), ("InvoiceRow", index)
    quantity = row.Quantity if row.Quantity is not None else Decimal(1)
    with localcontext(prec=60):  # 15-digit quantity times 15-digit price, then rounded
        net = quantize(quantity * row.Price, currency)
    if not fits_storage(net, whole_digits=MONEY_WHOLE_DIGITS):
        message = f"Quantity times Price ({net}) is more than an amount payables stores."
        problems.append(FieldError(message, loc=(*merit, "Price"), code="amount_too_large"))
        net = ZERO  # so the sums that follow stay computable
    account_field = "GLAccountCode"
    account = row.GLAccountCode or ""
    if not account and getattr(row, "PurchaseAccCode", None):
        account_field, account = "PurchaseAccCode", row.PurchaseAccCode
    origins |= {
        at: merit,
        (*at, "net_amount"): (*merit, "Price"),
        (*at, "unit_price"): (*merit, "Price"),
        (*at, "quantity"): (*merit, "Quantity"),
        (*at, "product_code"): (*merit, "Item", "Code"),
        (*at, "description"): (*merit, "Item", "Description"),
        (*at, "unit"): (*merit, "Item", "UOMName"),
        (*at, "vat_code"): (*merit, "TaxId"),
        (*at, "vat_rate"): (*merit, "TaxId"),
        (*at, "account_code"): (*merit, account_field),
    }
    for type_code, (_, where) in coding.items():
        origins[(*at, "dimensions", type_code)] = where
    code = codes.get(row.TaxId)
    return {
        "product_code": row.Item.Code,
        "description": row.Item.Description or "",
        "quantity": row.Quantity,
        "unit": row.Item.UOMName or "",
        "unit_price": row.Price,
        "net_amount": net,
        "vat_rate": _charged_rate(code) if code is not None else None,
        "vat_code": code.code if code is not None else "",
        "account_code": account,
        "dimensions": {type_code: value for type_code, (value, _) in coding.items()},
    }


def _charged_rate(code: VatCode) -> Decimal:
    """The rate the invoice charges under the code: none for reverse charge (the buyer
    self-assesses it; the posting lines add it from the code)."""
    return ZERO if code.is_reverse_charge else code.rate


def _vendor(vendor: VendorIn, company: Company, problems: list[FieldError], origins: dict) -> dict:
    """``supplier_id`` when Merit's Id is a known supplier; else the fields to find or add it."""
    origins[("supplier",)] = ("Vendor",)
    for name, merit in PARTY_FIELDS.items():
        origins[("supplier", name)] = ("Vendor", merit)
    if vendor.Id is not None and queries.has_supplier(company, vendor.Id):
        return {"supplier_id": vendor.Id}
    _check_unknown_id(vendor, "Vendor", problems)
    return {"supplier": _party(vendor)}


def _receiver(
    receiver: VendorIn | None, company: Company, problems: list[FieldError], origins: dict
) -> SupplierRefIn | None:
    """The v2 ReceiverObject: found or added as the VendorObject is."""
    if receiver is None:
        return None
    origins[("receiver",)] = ("Receiver",)
    for name, merit in PARTY_FIELDS.items():
        origins[("receiver", name)] = ("Receiver", merit)
    if receiver.Id is not None and queries.has_supplier(company, receiver.Id):
        return SupplierRefIn(id=receiver.Id)
    _check_unknown_id(receiver, "Receiver", problems)
    return SupplierRefIn.model_validate(_party(receiver))


def _check_unknown_id(party: VendorIn, where: str, problems: list[FieldError]) -> None:
    """An Id no supplier has, with nothing to find or add one by, is refused at the Id."""
    if party.Id is not None and not (party.Name or party.RegNo or party.VatRegNo):
        message = f"No {where.lower()} has this Id; give Name and CountryCode to add it."
        problems.append(FieldError(message, loc=(where, "Id"), code="unknown_supplier"))


def _party(vendor: VendorIn) -> dict:
    return {
        "name": vendor.Name or None,
        "registry_code": vendor.RegNo or None,
        "vat_number": vendor.VatRegNo or None,
        "country": vendor.CountryCode.upper() if vendor.CountryCode else None,
        "street": vendor.Address or "",
        "postal_code": vendor.PostalCode or "",
        "city": vendor.City or "",
    }


def _vat_date(payload: PurchaseInvoiceV1, problems: list[FieldError], origins: dict) -> date | None:
    """v2 rows may each name a VAT date; payables keeps one per invoice."""
    rows = payload.InvoiceRow
    dated = [(i, r.VatDate) for i, r in enumerate(rows) if getattr(r, "VatDate", None)]
    if not dated:
        return None
    first, on = dated[0]
    origins[("vat_date",)] = ("InvoiceRow", first, "VatDate")
    for i, other in dated[1:]:
        if other != on:
            problems.append(
                FieldError(
                    f"Another VAT date than row {first}'s ({on:%Y%m%d}): payables keeps one "
                    "VAT date per invoice.",
                    loc=("InvoiceRow", i, "VatDate"),
                    code="vat_date_differs",
                )
            )
    return on


def _currency_rate(payload: PurchaseInvoiceV1, problems: list[FieldError]) -> Decimal | None:
    """Merit quotes units of the invoice's currency per one of the home currency."""
    rate = payload.CurrencyRate
    if rate is None:
        return None
    if rate <= 0:
        problems.append(
            FieldError("CurrencyRate must be positive.", loc=("CurrencyRate",), code="invalid")
        )
        return None
    return (Decimal(1) / rate).quantize(RATE_PLACES).normalize()


def _metadata(payload: PurchaseInvoiceV1, version: str) -> dict:
    """What payables has no field for, kept with the invoice as Merit sent it."""
    kept: dict[str, Any] = {"version": version, "ExpenseClaim": bool(payload.ExpenseClaim)}
    for name in ("Hcomment", "Fcomment"):
        if value := getattr(payload, name):
            kept[name] = value
    if payload.PolDocType:
        kept["PolDocType"] = payload.PolDocType
    return {"merit": kept}


def _payment(
    payload: PurchaseInvoiceV1, company: Company, problems: list[FieldError]
) -> PaymentPlan | None:
    payment = payload.Payment
    if payment is None:
        return None
    method = queries.payment_method_named(company, payment.PaymentMethod)
    if method is None:
        problems.append(
            FieldError(
                "No active payment method has this name.",
                loc=("Payment", "PaymentMethod"),
                code="unknown_code",
            )
        )
        return None
    return PaymentPlan(
        method=method.name,
        amount=payment.PaidAmount,
        payment_date=payment.PaymDate or payload.DocDate,
    )


def _file(payload: PurchaseInvoiceV1, problems: list[FieldError]) -> FilePlan | None:
    attachment = payload.Attachment
    if attachment is None:
        return None
    try:
        content = decode_base64_content(attachment.FileContent, loc=["Attachment", "FileContent"])
    except FieldError as exc:
        problems.append(exc)
        return None
    return FilePlan(content=content, filename=attachment.FileName or "")
