"""UBL 2.1 rendering: schema-valid, passes the EN 16931 rules, parses back unchanged,
and carries every model field.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from payables.einvoice import ubl
from payables.einvoice.model import (
    Address,
    AllowanceCharge,
    Attachment,
    Invoice,
    Line,
    Party,
    PaymentMeans,
    Totals,
    VatBreakdown,
)
from payables.einvoice.tests.ubl_support import (
    CREDIT_NOTE_SAMPLE,
    INVOICE_SAMPLE,
    LIMITS,
    NS,
    VALID,
    fatal_rules,
    invoice_of,
    ubl_schema,
)

# Render ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "row"), VALID)
def test_rendered_ubl_validates_against_the_ubl_21_schema(path: Path, row: dict) -> None:
    rendered = etree.fromstring(ubl.render(invoice_of(path)))
    schema = ubl_schema(etree.QName(rendered).localname)
    assert schema.validate(rendered), schema.error_log.last_error


@pytest.mark.parametrize(("path", "row"), VALID)
def test_rendered_ubl_passes_the_en16931_rules(path: Path, row: dict) -> None:
    assert fatal_rules(ubl.render(invoice_of(path))) == set()


@pytest.mark.parametrize(("path", "row"), VALID)
def test_rendered_ubl_parses_back_to_the_same_invoice(path: Path, row: dict) -> None:
    invoice = invoice_of(path)
    assert ubl.parse(ubl.render(invoice), limits=LIMITS).invoices == (invoice,)


def test_rendered_ubl_is_utf8_with_an_xml_declaration() -> None:
    rendered = ubl.render(invoice_of(INVOICE_SAMPLE))
    assert rendered.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert ubl.detect(rendered)


def test_credit_note_renders_as_a_ubl_credit_note() -> None:
    root = etree.fromstring(ubl.render(invoice_of(CREDIT_NOTE_SAMPLE)))
    assert etree.QName(root).localname == "CreditNote"
    assert root.xpath("string(cbc:CreditNoteTypeCode)", namespaces=NS) == "381"


def test_invoice_without_specification_gets_the_peppol_identifiers() -> None:
    root = etree.fromstring(ubl.render(Invoice(number="1", issue_date=date(2024, 1, 2))))
    assert root.xpath("string(cbc:CustomizationID)", namespaces=NS) == ubl.PEPPOL_CUSTOMIZATION_ID
    assert root.xpath("string(cbc:ProfileID)", namespaces=NS) == ubl.PEPPOL_PROFILE_ID


def test_invoice_keeps_its_own_specification_identifier() -> None:
    invoice = Invoice(
        number="1", issue_date=date(2024, 1, 2), customization_id="urn:cen.eu:en16931:2017"
    )
    root = etree.fromstring(ubl.render(invoice))
    assert root.xpath("string(cbc:CustomizationID)", namespaces=NS) == "urn:cen.eu:en16931:2017"
    assert root.xpath("cbc:ProfileID", namespaces=NS) == []


def test_credit_note_due_date_travels_in_payment_means() -> None:
    invoice = Invoice(
        number="CN-1", issue_date=date(2024, 1, 2), type_code="381", due_date=date(2024, 2, 1)
    )
    rendered = ubl.render(invoice)
    root = etree.fromstring(rendered)
    assert root.xpath("string(cac:PaymentMeans/cbc:PaymentDueDate)", namespaces=NS) == "2024-02-01"
    assert ubl.parse(rendered, limits=LIMITS).invoices[0].due_date == date(2024, 2, 1)


def test_sales_order_reference_alone_gets_na_as_order_reference() -> None:
    invoice = Invoice(number="1", issue_date=date(2024, 1, 2), sales_order_reference="SO-7")
    rendered = ubl.render(invoice)
    assert (
        etree.fromstring(rendered).xpath("string(cac:OrderReference/cbc:ID)", namespaces=NS) == "NA"
    )
    assert ubl.parse(rendered, limits=LIMITS).invoices[0].order_reference == ""


def test_characters_xml_cannot_hold_are_dropped() -> None:
    invoice = Invoice(number="1", issue_date=date(2024, 1, 2), notes=("Bell\x07 rings",))
    assert ubl.parse(ubl.render(invoice), limits=LIMITS).invoices[0].notes == ("Bell rings",)


def every_field_set() -> Invoice:
    """An invoice and credit note carrying a non-default value in every EN 16931 field."""
    address = Address(
        lines=("Street 1", "Building B", "Floor 3"),
        city="Tartu",
        postal_code="50090",
        subdivision="Tartumaa",
        country="EE",
    )

    def party(prefix: str) -> Party:
        return Party(
            name=f"{prefix} Legal AS",
            trading_name=f"{prefix} Trade",
            registry_id=f"{prefix}-REG",
            registry_scheme="0191",
            vat_id=f"EE{prefix}",
            tax_registration_id=f"{prefix}-TAX",
            identifiers=((f"{prefix}-GLN", "0088"), (f"{prefix}-LOCAL", "")),
            electronic_address=f"{prefix}@example.com",
            electronic_address_scheme="EM",
            address=address,
            contact_name=f"{prefix} Person",
            contact_phone="+372 5555 0000",
            contact_email=f"ap@{prefix}.example",
        )

    charge = AllowanceCharge(
        is_charge=True,
        amount=Decimal("2.00"),
        base_amount=Decimal("20.00"),
        percentage=Decimal(10),
        vat_category="S",
        vat_rate=Decimal(22),
        reason="Handling",
        reason_code="ABL",
    )
    line = Line(
        id="1",
        line_net=Decimal("18.00"),
        quantity=Decimal("2.5"),
        unit_code="KGM",
        net_price=Decimal("8.00"),
        price_base_quantity=Decimal(1),
        gross_price=Decimal("8.50"),
        name="Coffee",
        description="Roasted beans\nDark",
        seller_item_id="S-1",
        buyer_item_id="B-1",
        standard_item_id="4006381333931",
        standard_item_scheme="0160",
        vat_category="S",
        vat_rate=Decimal(22),
        allowances_charges=(
            dataclasses.replace(charge, is_charge=False, vat_category="", vat_rate=None),
        ),
        accounting_cost="4010",
        note="Line note",
        order_line_reference="PO-1/3",
    )
    return Invoice(
        number="INV-9",
        issue_date=date(2024, 6, 1),
        type_code="384",
        currency="EUR",
        tax_currency="SEK",
        tax_point_date=date(2024, 5, 31),
        due_date=date(2024, 7, 1),
        buyer_reference="BR-1",
        project_reference="PRJ-1",
        contract_reference="CTR-1",
        order_reference="PO-1",
        sales_order_reference="SO-1",
        preceding_invoice="INV-8",
        accounting_cost="ACC-1",
        customization_id="urn:cen.eu:en16931:2017",
        profile_id="urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
        notes=("First note", "Second note"),
        seller=party("seller"),
        buyer=party("buyer"),
        payee_name="Factoring AS",
        payment_means=(
            PaymentMeans(
                code="58",
                iban="EE382200221020145685",
                account_name="Seller",
                bic="HABAEE2X",
                payment_reference="RF1",
            ),
            PaymentMeans(code="30", bic="EEUHEE2X"),
        ),
        payment_terms="14 days net\n2% within 7 days",
        delivery_date=date(2024, 5, 30),
        lines=(line,),
        allowances_charges=(charge,),
        vat_breakdown=(
            VatBreakdown(
                category="E",
                taxable_amount=Decimal("20.00"),
                tax_amount=Decimal("0.00"),
                rate=Decimal(0),
                exemption_reason="Exempt",
                exemption_reason_code="VATEX-EU-132",
            ),
        ),
        totals=Totals(
            line_net_total=Decimal("18.00"),
            allowance_total=Decimal("1.00"),
            charge_total=Decimal("2.00"),
            tax_exclusive=Decimal("19.00"),
            tax_total=Decimal("0.00"),
            tax_total_accounting=Decimal("0.00"),
            tax_inclusive=Decimal("19.00"),
            prepaid=Decimal("5.00"),
            rounding=Decimal("0.01"),
            payable=Decimal("14.01"),
        ),
        attachments=(
            Attachment(
                id="A-1",
                description="Timesheet",
                filename="t.csv",
                mime_code="text/csv",
                content=b"a,b\n1,2\n",
            ),
            Attachment(id="A-2", description="Portal", uri="https://example.com/i/9"),
            Attachment(
                id="A-3",
                filename="scan.pdf",
                mime_code="application/pdf",
                uri="https://example.com/s",
            ),
        ),
    )


EXTENSIONS = {"Line.account_code", "Line.dimensions", "Line.vat_amount"}


def fields_set(value: object) -> set[str]:
    """Class.field names that hold a non-default value somewhere in the value."""
    found = set()
    for field in dataclasses.fields(value):
        current = getattr(value, field.name)
        if field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            default = field.default
        if current != default and current not in ("", (), None):
            found.add(f"{type(value).__name__}.{field.name}")
        for item in current if isinstance(current, tuple) else (current,):
            if dataclasses.is_dataclass(item):
                found |= fields_set(item)
    return found


def test_the_full_sample_sets_every_model_field() -> None:
    """Guards the next test: a new model field must join the sample (and the renderer)."""
    classes = (
        Invoice,
        Party,
        Address,
        PaymentMeans,
        Line,
        AllowanceCharge,
        VatBreakdown,
        Totals,
        Attachment,
    )
    every = {f"{cls.__name__}.{field.name}" for cls in classes for field in dataclasses.fields(cls)}
    assert every - EXTENSIONS - fields_set(every_field_set()) == set()


@pytest.mark.parametrize("type_code", ["384", "381"])
def test_render_carries_every_model_field(type_code: str) -> None:
    invoice = dataclasses.replace(every_field_set(), type_code=type_code)
    assert ubl.parse(ubl.render(invoice), limits=LIMITS).invoices == (invoice,)
