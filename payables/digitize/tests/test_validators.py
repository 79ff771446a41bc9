"""Validators decide confidence: checksums, and only validated values reach acceptance."""

from __future__ import annotations

from payables.digitize import ACCEPT_CONFIDENCE, digitize
from payables.digitize.tests.documents import estonian_invoice, text_pdf
from payables.digitize.validators import check_iban, check_reference


def test_an_iban_failing_its_checksum_is_never_accepted():
    result = digitize(text_pdf(estonian_invoice(iban="EE38 2200 2210 2014 5686")))

    iban = result.fields.get("iban")
    assert iban is None or (not iban.validated and iban.confidence < ACCEPT_CONFIDENCE)


def test_an_iban_read_with_letters_for_digits_is_repaired_only_when_its_checksum_holds():
    assert check_iban("EE38 22OO 2210 2014 5685") == ("EE382200221020145685", True)
    assert check_iban("EE38 22OO 2210 2014 5686")[1] is False


def test_a_vat_id_failing_its_checksum_is_kept_with_low_confidence():
    bad = digitize(text_pdf(estonian_invoice(vat_id="EE100931559"))).fields["seller_vat_id"]
    good = digitize(text_pdf(estonian_invoice())).fields["seller_vat_id"]

    assert bad.value == "EE100931559" and not bad.validated and bad.confidence <= 0.5
    assert good.validated and good.confidence >= ACCEPT_CONFIDENCE


def test_a_registry_code_failing_its_checksum_lowers_confidence():
    field = digitize(text_pdf(estonian_invoice(registry="10137318"))).fields["seller_registry_code"]

    assert field.value == "10137318" and not field.validated and field.confidence <= 0.5


def test_payment_references_are_checked_by_their_own_rules():
    assert check_reference("1234561") == ("1234561", True)  # Estonian 7-3-1
    assert check_reference("1234562")[1] is False
    assert check_reference("12345 67897")[1] is True  # Finnish, printed in groups
    assert check_reference("RF18 5390 0754 7034") == ("RF18539007547034", True)
    assert check_reference("RF19 5390 0754 7034")[1] is False


def test_a_reference_with_a_bad_check_digit_goes_to_review():
    field = digitize(text_pdf(estonian_invoice(reference="1234562"))).fields["payment_reference"]

    assert field.value == "1234562" and not field.validated
    assert field.confidence < ACCEPT_CONFIDENCE


def test_amounts_that_do_not_add_up_are_not_accepted():
    fields = digitize(text_pdf(estonian_invoice(gross="123,00"))).fields

    assert not any(
        fields[n].validated for n in ("net_amount", "vat_amount", "gross_amount") if n in fields
    )
