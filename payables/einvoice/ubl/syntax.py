"""The UBL vocabulary that reading and writing share: namespaces, identifiers, codes."""

from __future__ import annotations

FORMAT = "ubl"

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS = {"cac": NS_CAC, "cbc": NS_CBC}

PEPPOL_CUSTOMIZATION_ID = (
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
)
PEPPOL_PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

# Peppol: a credit note carries the project reference (BT-11) as a document reference of
# type 50; type 130 is the invoiced object identifier (BT-18), not a supporting document.
PROJECT_DOCUMENT_TYPE = "50"
INVOICED_OBJECT_DOCUMENT_TYPE = "130"
# Peppol: an order reference (BT-13) is mandatory beside a sales order reference (BT-14).
NO_ORDER_REFERENCE = "NA"
