"""Supplier memory: where an accountant's corrected value stood is looked at first next time."""

from __future__ import annotations

from payables.digitize import ACCEPT_CONFIDENCE, digitize, learn
from payables.digitize.tests.documents import text_pdf


def _invoice(number: str, extra: str = "") -> bytes:
    """A supplier whose number sits under a label no extractor knows ("Dokument")."""
    return text_pdf(
        [
            (50, 60, "Saeveski Kuusk OÜ"),
            (350, 80, "Dokument"),
            (450, 80, number),
            (350, 94, "Kuupäev: 05.03.2024"),
            (50, 120, extra or "Tellija: Metsatööd AS"),
            (300, 300, "Kokku"),
            (450, 300, "122,00"),
        ]
    )


def test_a_correction_remembered_for_the_supplier_changes_the_next_extraction():
    first = _invoice("DK-4411")
    assert "invoice_number" not in digitize(first).fields  # "Dokument" is not a known label

    memory = learn(first, {"invoice_number": "DK-4411"})
    assert memory["invoice_number"]["label"] == "Dokument"
    assert memory["invoice_number"]["page"] == 1

    second = _invoice("DK-4502", extra="Tellija: Metsatööd AS, tellimus 77")
    without = digitize(second).fields.get("invoice_number")
    with_memory = digitize(second, memory=memory).fields["invoice_number"]

    assert without is None or without.value != "DK-4502"
    assert with_memory.value == "DK-4502"
    assert with_memory.label == "Dokument" and with_memory.validated
    assert with_memory.confidence >= ACCEPT_CONFIDENCE


def test_memory_of_a_place_alone_finds_a_value_whose_label_changed():
    memory = learn(_invoice("DK-4411"), {"invoice_number": "DK-4411"})
    memory["invoice_number"]["label"] = "Label that is not on the page"

    found = digitize(_invoice("DK-4502"), memory=memory).fields["invoice_number"]

    assert found.value == "DK-4502"
    assert not found.validated  # a place alone is a hint, not proof


def test_memory_that_does_not_fit_the_document_is_ignored():
    memory = {"invoice_number": {"label": 3, "page": "x", "box": "nonsense"}, "bogus": {}}

    result = digitize(_invoice("DK-4502"), memory=memory)

    assert result.fields.get("invoice_number") is None or result.fields["invoice_number"].value


def test_memory_looked_up_by_the_first_reading_applies_to_the_same_reading():
    memory = learn(_invoice("DK-4411"), {"invoice_number": "DK-4411"})
    asked = []

    def memory_for(fields):
        asked.append(sorted(fields))
        return memory if fields["gross_amount"].value else None

    found = digitize(_invoice("DK-4502"), memory_for=memory_for).fields["invoice_number"]

    assert found.value == "DK-4502" and found.validated
    assert len(asked) == 1 and "gross_amount" in asked[0]
