"""Fitek's answers in XML: the same envelope as in JSON, element for field.

The purchase order endpoints answer XML unless the client sends ``Accept:
application/json`` (as the native XML import does, ``payables.orders.import_answers``).
The answer is shaped once, as JSON; ``xml_unless_json`` says it again in XML:

    <PurchaseOrderImportResponse>
      <RequestId>r-1</RequestId><Success>false</Success>
      <Errors><Error><Code>unknown_code</Code><Message>…</Message>
        <Location>Payload.PurchaseOrder.E_Invoice</Location>
        <XmlLocation>/…/ItemEntry[1]/Accounting</XmlLocation></Error></Errors>
      <Result/>
    </PurchaseOrderImportResponse>

A list's items are named after it (``Errors`` → ``Error``, else ``Item``); a key that is
no XML name (a dimension code, say) becomes ``<Field name="…">``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from lxml import etree

from payables.orders.import_answers import XML_CONTENT_TYPE, wants_json

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# What XML 1.0 cannot carry (control characters other than tab and line ends).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ITEMS = {"Errors": "Error", "Warnings": "Warning", "Findings": "Finding"}


def xml_unless_json(
    root: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Wrap an operation (its authentication too) to answer XML under ``root`` unless the
    client asks for JSON. A replayed answer is the first one, in the format it was given."""

    def decorate(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(run)
        def answer(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            response = run(request, *args, **kwargs)
            if (
                wants_json(request)
                or response.get("Idempotent-Replayed")
                or not response.get("Content-Type", "").startswith("application/json")
            ):
                return response
            return as_xml(response, root)

        return answer

    return decorate


def as_xml(response: HttpResponse, root: str) -> HttpResponse:
    """The JSON answer said in XML, with the same status and headers."""
    try:
        data = json.loads(response.content)
    except ValueError:  # no JSON to say again: left as it is
        return response
    element = etree.Element(root)
    for key, value in data.items():
        _add(element, key, value)
    body = etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    answer = HttpResponse(body, status=response.status_code, content_type=XML_CONTENT_TYPE)
    for name, value in response.items():
        if name.lower() not in {"content-type", "content-length"}:
            answer[name] = value
    return answer


def _add(parent: etree._Element, name: str, value: object) -> None:
    if _NAME.fullmatch(name):
        element = etree.SubElement(parent, name)
    else:
        element = etree.SubElement(parent, "Field")
        element.set("name", _clean(name))
    if isinstance(value, dict):
        for key, item in value.items():
            _add(element, str(key), item)
    elif isinstance(value, list):
        for item in value:
            _add(element, _ITEMS.get(name, "Item"), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _clean(value)


def _clean(value: object) -> str:
    return _NOT_XML.sub("\ufffd", str(value))
