"""The answers of the purchase-order XML import: XML by default, JSON on request.

Fitek's Purchase Order Import answers XML unless the client sends ``Accept:
application/json``; ours does the same. The API shapes every answer once, as JSON (errors
in ``payables/api.py``); ``answer_as_requested`` wraps the import operations and rewrites
that answer as XML when the client did not ask for JSON, so both formats say the same:

    <PurchaseOrderImportResponse>
      <Status>201</Status>
      <Outcome>imported</Outcome>
      <PurchaseOrder><Id>…</Id><Number>…</Number><Status>open</Status></PurchaseOrder>
      <Warnings><Warning ruleId="…" severity="…" location="…">…</Warning></Warnings>
    </PurchaseOrderImportResponse>

    <PurchaseOrderImportResponse>
      <Status>422</Status>
      <Errors>
        <Error><Type>unknown_code</Type><Message>…</Message>
          <Loc>body/lines/0/dimensions/department</Loc><LineId>1</LineId>
          <Location>/Order/cac:OrderLine[1]/cac:LineItem</Location></Error>
      </Errors>
    </PurchaseOrderImportResponse>

A replayed answer (``Idempotency-Key``) is the first one as it was sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from lxml import etree

from payables.errors import PayablesError
from payables.invoices.schemas.einvoice import FindingOut
from payables.orders.models import PurchaseOrder
from payables.orders.schemas import PurchaseOrderOut
from payables.orders.services.xml_import import ImportedOrder

XML_TYPES = frozenset({"application/xml", "text/xml"})
XML_CONTENT_TYPE = "application/xml; charset=utf-8"
ROOT = "PurchaseOrderImportResponse"
_XML_ACCEPTED = frozenset({"application/xml", "text/xml"})
# What XML 1.0 cannot carry (control characters other than tab and line ends).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class UnsupportedMediaType(PayablesError):
    """The body is not declared as XML."""

    status = 415
    code = "unsupported_media_type"
    default_message = "Send the order as XML: Content-Type: application/xml (or text/xml)."


class ImportedPurchaseOrderOut(PurchaseOrderOut):
    """The order as the JSON API shows it, and what reading the document noticed."""

    warnings: list[FindingOut]

    @classmethod
    def from_import(cls, order: PurchaseOrder, imported: ImportedOrder) -> ImportedPurchaseOrderOut:
        """``order``: the imported one as read for showing (its lines prefetched)."""
        shown = PurchaseOrderOut.from_order(order).model_dump()
        warnings = [FindingOut.from_finding(f) for f in imported.warnings]
        return cls(**shown, warnings=warnings)


def xml_body(request: HttpRequest) -> bytes:
    """The request's body, refused (415) unless it is declared as XML."""
    if request.content_type not in XML_TYPES:
        declared = request.content_type or "none"
        raise UnsupportedMediaType(
            f"Content-Type {declared!r} is not XML: send application/xml (or text/xml)."
        )
    return request.body


def wants_json(request: HttpRequest) -> bool:
    """Whether ``Accept`` prefers JSON to XML; XML when it names neither, or both alike."""
    best = {"json": 0.0, "xml": 0.0}
    for part in request.headers.get("Accept", "").split(","):
        media, _, params = part.partition(";")
        media = media.strip().lower()
        kind = "json" if media == "application/json" else "xml" if media in _XML_ACCEPTED else ""
        if kind:
            best[kind] = max(best[kind], _quality(params))
    return best["json"] > best["xml"]


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def answer_as_requested(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an operation (authentication included) so that it answers XML unless the client
    asks for JSON."""

    @wraps(run)
    def answer(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = run(request, *args, **kwargs)
        if (
            wants_json(request)
            or response.get("Idempotent-Replayed")
            or not response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        return as_xml(response)

    return answer


def as_xml(response: HttpResponse) -> HttpResponse:
    """The JSON answer of the import, said in XML with the same status and headers."""
    try:
        data = json.loads(response.content)
    except ValueError:  # no JSON to say again: left as it is
        return response
    root = etree.Element(ROOT)
    _add(root, "Status", response.status_code)
    if response.status_code < 400:
        _success(root, data, created=response.status_code == 201)
    else:
        _errors(root, data)
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    answer = HttpResponse(body, status=response.status_code, content_type=XML_CONTENT_TYPE)
    for name, value in response.items():
        if name.lower() not in {"content-type", "content-length"}:
            answer[name] = value
    return answer


def _success(root: etree._Element, data: dict, *, created: bool) -> None:
    _add(root, "Outcome", "imported" if created else "updated")
    order = etree.SubElement(root, "PurchaseOrder")
    for name, key in (("Id", "id"), ("Number", "number"), ("Status", "status")):
        _add(order, name, data.get(key))
    warnings = etree.SubElement(root, "Warnings")
    for finding in data.get("warnings", []):
        element = _add(warnings, "Warning", finding.get("message"))
        element.set("ruleId", _clean(finding.get("rule_id")))
        element.set("severity", _clean(finding.get("severity")))
        if finding.get("location"):
            element.set("location", _clean(finding["location"]))


def _errors(root: etree._Element, data: dict) -> None:
    """Located items (422) keep their fields; other refusals their code and extras."""
    errors = etree.SubElement(root, "Errors")
    detail = data.get("detail")
    items = detail if isinstance(detail, list) else [_as_item(data)]
    for item in items:
        error = etree.SubElement(errors, "Error")
        _add(error, "Type", item.get("type", "error"))
        _add(error, "Message", item.get("msg", ""))
        if "loc" in item:
            _add(error, "Loc", "/".join(str(part) for part in item["loc"]))
        for key, value in item.items():
            if key not in {"type", "msg", "loc"}:
                name = _element_name(key)
                element = _add(error, name, value)
                if name == "Field":
                    element.set("name", _clean(key))


def _as_item(data: dict) -> dict:
    extra = {k: v for k, v in data.items() if k not in {"detail", "code"}}
    return {"type": data.get("code", "error"), "msg": str(data.get("detail", "")), **extra}


def _add(parent: etree._Element, name: str, value: object) -> etree._Element:
    element = etree.SubElement(parent, name)
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    element.text = _clean(value)
    return element


def _clean(value: object) -> str:
    return "" if value is None else _NOT_XML.sub("\ufffd", str(value))


def _element_name(key: str) -> str:
    """``line_id`` → ``LineId``; anything else that is not a plain name → ``Field``."""
    name = "".join(part[:1].upper() + part[1:] for part in str(key).split("_"))
    return name if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name) else "Field"
