"""Sniffing the root element of untrusted bytes: correct, and linear in the input."""

from __future__ import annotations

import pytest

from payables import einvoice
from payables.einvoice.xmlsafe import root_tag, skip_prolog

# Thousands of comments that each hold "--": a backtracking prolog regex explodes on
# this (a single 10 KB commented file once took seconds); the scanner reads it once.
COMMENTED = b'<?xml version="1.0"?>' + b"<!-- a -- b - c -->\n" * 3000


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        (b"<E_Invoice>", "ee-einvoice"),
        (b"<Finvoice Version='3.0'>", "finvoice"),
        (
            b"<rsm:CrossIndustryInvoice xmlns:rsm="
            b'"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">',
            "cii",
        ),
        (b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">', "ubl"),
    ],
)
def test_root_behind_a_long_commented_prolog_is_detected(root, expected):
    assert expected == einvoice.detect(COMMENTED + root + b"</x>").FORMAT


def test_a_commented_prolog_without_a_root_is_no_format():
    with pytest.raises(einvoice.UnsupportedFormat):
        einvoice.detect(COMMENTED + b"<!-- never closed")


@pytest.mark.parametrize(
    ("data", "tag"),
    [
        (b"<a/>", "a"),
        (b" \n<?pi x?><!--c--><x:Root attr='1'>", "x:Root"),
        (b'<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>', "r"),
        (b"<!-- unterminated", ""),
        (b"plain text", ""),
        ("<?xml version='1.0' encoding='utf-16'?><Ü/>".encode("utf-16"), "Ü"),
    ],
)
def test_root_tag(data, tag):
    assert root_tag(data) == tag


def test_skip_prolog_starts_at_the_given_offset():
    data = b"<first/><?pi?><second/>"
    assert data[skip_prolog(data, 8) :] == b"<second/>"
