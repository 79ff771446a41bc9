"""CII D16B: every model term maps from its CII element in the hand-made sample."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payables import einvoice
from payables.einvoice import cii
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
from payables.einvoice.tests.cii_support import (
    EVERY_TERM,
    parse_sample,
    sample,
)

# -- every model term, from a hand-made sample ---------------------------------------------


def test_every_model_term_maps_from_its_cii_element():
    expected = Invoice(
        number="INV-2024-0042",
        issue_date=date(2024, 3, 15),
        type_code="380",
        currency="EUR",
        tax_currency="SEK",
        tax_point_date=date(2024, 3, 14),
        due_date=date(2024, 4, 14),
        buyer_reference="BR-7",
        project_reference="PRJ-9",
        contract_reference="CON-3",
        order_reference="PO-1234",
        sales_order_reference="SO-55",
        preceding_invoice="INV-2023-0999",
        accounting_cost="4000:CC12",
        customization_id="urn:cen.eu:en16931:2017",
        profile_id="urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
        notes=("Thank you for your order.", "Nordic Paper Oy, Helsinki, business id 1234567-8"),
        seller=Party(
            name="Nordic Paper Oy",
            trading_name="Nordic Paper",
            registry_id="1234567-8",
            registry_scheme="0212",
            vat_id="FI12345678",
            tax_registration_id="1234567-8",
            identifiers=(("SUP-77", ""), ("4012345000009", "0088")),
            electronic_address="003712345678",
            electronic_address_scheme="0216",
            address=Address(
                lines=("Teollisuuskatu 1", "Building B", "3rd floor"),
                city="Helsinki",
                postal_code="00510",
                subdivision="Uusimaa",
                country="FI",
            ),
            contact_name="Anna Virtanen",
            contact_phone="+358 40 123 4567",
            contact_email="anna@nordicpaper.example",
        ),
        buyer=Party(
            name="Example Buyer AB",
            trading_name="Buyer",
            registry_id="5567321707",
            registry_scheme="0007",
            vat_id="SE556732170701",
            identifiers=(("7300010000001", "0088"),),
            electronic_address="invoices@buyer.example",
            electronic_address_scheme="EM",
            address=Address(
                lines=("Storgatan 5",), city="Stockholm", postal_code="111 22", country="SE"
            ),
            contact_name="Accounts payable",
            contact_phone="+46 8 123 456",
            contact_email="ap@buyer.example",
        ),
        payee_name="Factoring Oy",
        payment_means=(
            PaymentMeans(
                code="58",
                iban="FI2112345600000785",
                account_name="Factoring Oy client funds",
                bic="NDEAFIHH",
                payment_reference="RF18539007547034",
            ),
            PaymentMeans(code="58", iban="5012-3456", payment_reference="RF18539007547034"),
        ),
        payment_terms="Net 30 days",
        delivery_date=date(2024, 3, 10),
        lines=(
            Line(
                id="1",
                line_net=Decimal("90.25"),
                quantity=Decimal("10"),
                unit_code="H87",
                net_price=Decimal("9.50"),
                price_base_quantity=Decimal("1"),
                gross_price=Decimal("10.00"),
                name="Paper A4",
                description="80 g/m2, 500 sheets",
                seller_item_id="PAP-A4",
                buyer_item_id="B-100",
                standard_item_id="4012345000017",
                standard_item_scheme="0160",
                vat_category="S",
                vat_rate=Decimal("24"),
                allowances_charges=(
                    AllowanceCharge(
                        is_charge=False,
                        amount=Decimal("4.75"),
                        base_amount=Decimal("95.00"),
                        percentage=Decimal("5"),
                        reason="Volume discount",
                        reason_code="95",
                    ),
                ),
                accounting_cost="6800",
                note="Deliver to room 12",
                order_line_reference="3",
            ),
            Line(
                id="2",
                line_net=Decimal("130.00"),
                quantity=Decimal("2"),
                unit_code="HUR",
                net_price=Decimal("60.00"),
                name="Installation",
                vat_category="S",
                vat_rate=Decimal("24"),
                allowances_charges=(
                    AllowanceCharge(
                        is_charge=True,
                        amount=Decimal("10.00"),
                        reason="Weekend surcharge",
                        reason_code="SAA",
                    ),
                ),
            ),
            Line(
                id="3",
                line_net=Decimal("40.00"),
                quantity=Decimal("1"),
                unit_code="C62",
                net_price=Decimal("40.00"),
                name="Style guide (book)",
                vat_category="E",
                vat_rate=Decimal("0"),
            ),
        ),
        allowances_charges=(
            AllowanceCharge(
                is_charge=False,
                amount=Decimal("10.25"),
                vat_category="S",
                vat_rate=Decimal("24"),
                reason="Loyalty discount",
                reason_code="95",
            ),
            AllowanceCharge(
                is_charge=True,
                amount=Decimal("15.00"),
                base_amount=Decimal("250.00"),
                percentage=Decimal("6"),
                vat_category="S",
                vat_rate=Decimal("24"),
                reason="Freight",
                reason_code="FC",
            ),
        ),
        vat_breakdown=(
            VatBreakdown(
                category="S",
                taxable_amount=Decimal("225.00"),
                tax_amount=Decimal("54.00"),
                rate=Decimal("24"),
            ),
            VatBreakdown(
                category="E",
                taxable_amount=Decimal("40.00"),
                tax_amount=Decimal("0.00"),
                rate=Decimal("0"),
                exemption_reason="Exempt: cultural services",
                exemption_reason_code="VATEX-EU-132",
            ),
        ),
        totals=Totals(
            line_net_total=Decimal("260.25"),
            allowance_total=Decimal("10.25"),
            charge_total=Decimal("15.00"),
            tax_exclusive=Decimal("265.00"),
            tax_total=Decimal("54.00"),
            tax_total_accounting=Decimal("612.36"),
            tax_inclusive=Decimal("319.00"),
            prepaid=Decimal("19.00"),
            rounding=Decimal("0.00"),
            payable=Decimal("300.00"),
        ),
        attachments=(
            Attachment(
                id="TS-1",
                description="Timesheet",
                filename="timesheet.csv",
                mime_code="text/csv",
                content=b"date;hours\n2024-03-09;2\n",
            ),
            Attachment(id="DN-9", uri="https://nordicpaper.example/delivery/DN-9"),
        ),
    )
    assert parse_sample(EVERY_TERM).invoices == (expected,)


def test_en16931_document_reports_format_version_and_profile_without_findings():
    document = parse_sample(EVERY_TERM)
    assert (document.format, document.version, document.profile) == ("cii", "D16B", "EN16931")
    assert (document.findings, document.is_header_only) == ((), False)


def test_every_model_term_survives_a_ubl_round_trip():
    invoice = parse_sample(EVERY_TERM).invoices[0]
    assert einvoice.parse(einvoice.render_ubl(invoice)).invoices == (invoice,)


def test_registry_sends_cii_to_this_module():
    assert einvoice.detect(sample(EVERY_TERM)) is cii


def test_tax_total_follows_the_invoice_currency_not_the_order():
    document = parse_sample(
        EVERY_TERM,
        (
            b'<ram:TaxTotalAmount currencyID="EUR">54.00</ram:TaxTotalAmount>\n'
            b'        <ram:TaxTotalAmount currencyID="SEK">612.36</ram:TaxTotalAmount>',
            b'<ram:TaxTotalAmount currencyID="SEK">612.36</ram:TaxTotalAmount>\n'
            b'        <ram:TaxTotalAmount currencyID="EUR">54.00</ram:TaxTotalAmount>',
        ),
    )
    totals = document.invoices[0].totals
    assert (totals.tax_total, totals.tax_total_accounting) == (
        Decimal("54.00"),
        Decimal("612.36"),
    )


def test_code_130_reference_is_not_an_attachment():
    attachments = parse_sample(EVERY_TERM).invoices[0].attachments
    assert "METER-4711" not in [attachment.id for attachment in attachments]
