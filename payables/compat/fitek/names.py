"""Fitek's field names: the native fields in PascalCase, translated both ways by schema.

Fitek's description names its fields loosely. Where it is silent the compat API uses the
native field names in PascalCase, as Fitek spells its own (``vat_number`` → ``VatNumber``);
where it names a field, its words (``RENAMED``). The translation walks the native schema,
so free keys (dimension type codes, custom field codes) are never renamed.

>>> pascal("vat_number"), fitek_name("internal_id"), fitek_name("e_invoice")
('VatNumber', 'InternalInvoiceId', 'E_Invoice')
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar, Union

import pydantic
from pydantic import BaseModel

from payables.errors import FieldError, Loc, ValidationFailed
from payables.schema_types import inline_schema

# Native field → the name the description gives it (the rest: ``pascal``).
RENAMED: dict[str, str] = {
    "invoice_id": "InvoiceGuid",
    "internal_id": "InternalInvoiceId",
    "lines": "TransactionRows",  # of posting lines, the only lines taken as JSON
    "posting_lines": "TransactionRows",
    "location": "XmlLocation",  # of a finding: an element of the document
    "approvers": "Users",
    "registry_code": "RegistrationNumber",
    "values": "Items",  # of a list custom field
    "valid_from": "StartDate",
    "valid_to": "EndDate",
    "e_invoice": "E_Invoice",
    "e_invoice_base64": "E_InvoiceBase64",
}
M = TypeVar("M", bound=BaseModel)
# Marks a key the sender spelt the native way (``vat_number``): the native schema then
# refuses it as unknown, and its location names it as sent.
_NATIVE_SPELLING = "\x7f"

# What a value is, as far as names go: a model (its keys are field names), a list or a
# free mapping of them (its keys are data), or a plain value (None).
Shape = type[BaseModel] | tuple[str, "Shape"] | None


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def fitek_name(field: str) -> str:
    return RENAMED.get(field) or pascal(field)


def to_native(value: Any, shape: Shape) -> Any:
    """Rename a value's keys from Fitek's names to the native fields, as deep as ``shape``.

    A key that is not a Fitek name is kept, so the native schema refuses it as unknown.
    """
    if isinstance(shape, tuple):
        kind, inner = shape
        if kind == "list" and isinstance(value, list):
            return [to_native(item, inner) for item in value]
        if kind == "dict" and isinstance(value, dict):
            return {key: to_native(item, inner) for key, item in value.items()}
        return value
    if shape is None or not isinstance(value, dict):
        return value
    fields = shape.model_fields
    by_fitek = {fitek_name(name): name for name in fields}
    native = {}
    for key, item in value.items():
        name = by_fitek.get(key)
        if name is None:
            native[_NATIVE_SPELLING + key if key in fields else key] = item
        else:
            native[name] = to_native(item, field_shape(fields[name].annotation))
    return native


def to_fitek(value: Any, shape: Shape) -> Any:
    """Rename a native value's keys (an answer, as ``model_dump`` gives it) to Fitek's names."""
    if isinstance(shape, tuple):
        kind, inner = shape
        if kind == "list" and isinstance(value, list):
            return [to_fitek(item, inner) for item in value]
        if kind == "dict" and isinstance(value, dict):
            return {key: to_fitek(item, inner) for key, item in value.items()}
        return value
    if shape is None or not isinstance(value, dict):
        return value
    fields = shape.model_fields
    return {
        fitek_name(key): to_fitek(
            item, field_shape(fields[key].annotation) if key in fields else None
        )
        for key, item in value.items()
    }


def fitek_loc(loc: Iterable[str | int], shape: Shape) -> list[str | int]:
    """A native location (into a value of ``shape``) in Fitek's names.

    >>> from payables.coding.inputs import PostingLinesIn
    >>> fitek_loc(["lines", 0, "dimensions", "cost_centre"], PostingLinesIn)
    ['TransactionRows', 0, 'Dimensions', 'cost_centre']
    """
    translated: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and part.startswith(_NATIVE_SPELLING):
            translated.append(part.removeprefix(_NATIVE_SPELLING))
            shape = None
        elif isinstance(shape, tuple):
            translated.append(part)
            shape = shape[1]
        elif shape is not None and isinstance(part, str) and part in shape.model_fields:
            translated.append(fitek_name(part))
            shape = field_shape(shape.model_fields[part].annotation)
        else:
            translated.append(part)
            shape = None
    return translated


def field_shape(annotation: Any) -> Shape:
    """The shape of a field's type: its model, a list or mapping of one, else None."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return field_shape(args[0])
    if origin in (Union, types.UnionType):
        shapes = [field_shape(arg) for arg in args if arg is not type(None)]
        return next((s for s in shapes if s is not None), None)
    if origin in (list, tuple, set, frozenset, Sequence) and args:
        return ("list", field_shape(args[0]))
    if origin in (dict, Mapping) and len(args) == 2:
        return ("dict", field_shape(args[1]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def read_payload(raw: Any, model: type[M], *, at: Loc = ("Payload",)) -> M:
    """Check the Fitek-named ``raw`` against the native-named ``model``; refusals located
    in Fitek's names under ``at``."""
    try:
        return model.model_validate(to_native(raw, model))
    except pydantic.ValidationError as exc:
        raise ValidationFailed(
            [
                FieldError(
                    error["msg"], code=error["type"], loc=[*at, *fitek_loc(error["loc"], model)]
                )
                for error in exc.errors()
            ]
        ) from None


def fitek_json_schema(model: type[BaseModel]) -> dict:
    """The model's JSON schema (references inlined) with its fields in Fitek's names."""

    def rename(node: object) -> object:
        if isinstance(node, list):
            return [rename(value) for value in node]
        if not isinstance(node, dict):
            return node
        renamed = {key: rename(value) for key, value in node.items()}
        if isinstance(node.get("properties"), dict):
            renamed["properties"] = {
                fitek_name(key): rename(value) for key, value in node["properties"].items()
            }
            if isinstance(node.get("required"), list):
                renamed["required"] = [fitek_name(name) for name in node["required"]]
        return renamed

    return rename(inline_schema(model))
