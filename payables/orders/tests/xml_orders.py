"""Helpers of the XML import tests: the sample orders, edited, and the answers, read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from payables.conftest import ApiClient

SAMPLES = Path(__file__).parent / "samples"
EE = "ee-purchase-order-paper-and-delivery.xml"
PEPPOL = "peppol-order-paper-and-delivery.xml"
IMPORT = "/purchase-orders/import"
UPDATE = "/purchase-orders/import/update"
NS = {
    "o": "urn:oasis:names:specification:ubl:schema:xsd:Order-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# The answers are ours, but read as any XML from outside would be.
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def sample(name: str, edits: dict[str, str | None] | None = None) -> bytes:
    """The sample's bytes, each XPath of ``edits`` given that text (None: removed)."""
    data = (SAMPLES / name).read_bytes()
    if not edits:
        return data
    root = etree.fromstring(data, parser=_SAFE)
    for path, value in edits.items():
        found = root.xpath(path, namespaces=NS)
        assert found, path
        for element in found:
            if value is None:
                element.getparent().remove(element)
            else:
                element.text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def post_xml(
    api: ApiClient,
    body: bytes | str,
    *,
    path: str = IMPORT,
    accept: str | None = None,
    content_type: str = "application/xml",
    headers: dict | None = None,
) -> Any:
    sent = dict(headers or {})
    if accept:
        sent["Accept"] = accept
    return api.post(path, raw=body, content_type=content_type, headers=sent)


def xml_answer(response: Any) -> etree._Element:
    """The answer parsed as XML; it must be XML (never HTML, never JSON)."""
    assert response["Content-Type"].startswith("application/xml"), response.content
    root = etree.fromstring(response.content, parser=_SAFE)
    assert root.tag == "PurchaseOrderImportResponse"
    assert root.findtext("Status") == str(response.status_code)
    return root


def xml_errors(response: Any) -> list[dict[str, str]]:
    """Each ``Errors/Error`` of an XML answer as {element name: text}."""
    return [
        {child.tag: child.text or "" for child in error}
        for error in xml_answer(response).findall("Errors/Error")
    ]
