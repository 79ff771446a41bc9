"""Merit's cost objects read as payables' dimensions (dimension type code → value code).

v1 names a department, project and cost centre by code (``DepartmentCode``,
``ProjectCode``, ``CostCenterCode``): payables' default dimension types ``department``,
``project`` and ``cost_centre``. v2 adds ``Dimensions``: ``DimValueId`` is a dimension
value's own UUID, ``DimId`` the integer Merit gives a dimension (see ``dim_id``) and
``DimCode`` a value's code. The header's apply to every row; a row's own win. Whether each
code exists, is active and is valid on the invoice date is the invoice services' check.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from payables.compat.merit import queries
from payables.compat.merit.schemas import DimensionIn, PurchaseInvoiceV1, RowV1
from payables.errors import FieldError
from payables.masterdata.models import DimensionType, DimensionValue
from payables.tenancy.models import Company

DEPARTMENT, PROJECT, COST_CENTRE = "department", "project", "cost_centre"

# type code → (value code, where in the payload it came from)
Coding = dict[str, tuple[str, tuple]]


def dim_id(dimension_type: DimensionType) -> int:
    """Merit's integer DimId of a dimension type: the top 30 bits of its UUID, plus one.

    Taken from the UUID, it never changes, whatever types are added later.

    >>> dim_id(DimensionType(id=UUID(int=0))), dim_id(DimensionType(id=UUID(int=2**128 - 1)))
    (1, 1073741824)
    """
    return (dimension_type.id.int >> 98) + 1


class DimensionReader:
    """Reads the payload's cost objects, looking up every DimValueId in one query."""

    def __init__(self, company: Company, payload: PurchaseInvoiceV1) -> None:
        self.company = company
        wanted = [d.DimValueId for d in _all_dimensions(payload) if d.DimValueId]
        self.values: dict[UUID, DimensionValue] = queries.dimension_values_by_id(company, wanted)
        self._types: dict[int, list[DimensionType]] | None = None

    def header(self, payload: PurchaseInvoiceV1, problems: list[FieldError]) -> Coding:
        given = [
            (DEPARTMENT, payload.DepartmentCode, ("DepartmentCode",)),
            (PROJECT, payload.ProjectCode, ("ProjectCode",)),
        ]
        for k, dimension in enumerate(getattr(payload, "Dimensions", [])):
            given.append(self._resolve(dimension, ("Dimensions", k), problems))
        return _merge(given, problems)

    def row(self, index: int, row: RowV1, header: Coding, problems: list[FieldError]) -> Coding:
        """The row's dimensions: the header's, overridden by the row's own."""
        at = ("InvoiceRow", index)
        given = [
            (DEPARTMENT, row.DepartmentCode, (*at, "DepartmentCode")),
            (PROJECT, row.ProjectCode, (*at, "ProjectCode")),
            (COST_CENTRE, row.CostCenterCode, (*at, "CostCenterCode")),
        ]
        for k, dimension in enumerate(getattr(row, "Dimensions", [])):
            given.append(self._resolve(dimension, (*at, "Dimensions", k), problems))
        return header | _merge(given, problems)

    def _resolve(
        self, dimension: DimensionIn, at: tuple, problems: list[FieldError]
    ) -> tuple[str, str | None, tuple]:
        """(type code, value code, where); a value code of None when it cannot be read."""
        if dimension.DimValueId is not None:
            value = self.values.get(dimension.DimValueId)
            where = (*at, "DimValueId")
            if value is None:
                problems.append(
                    FieldError(
                        "No dimension value has this DimValueId; getdimensions lists them.",
                        loc=where,
                        code="unknown_code",
                    )
                )
                return ("", None, where)
            if dimension.DimId is not None and dimension.DimId != dim_id(value.type):
                problems.append(
                    FieldError(
                        f"DimValueId {value.code!r} is a value of DimId {dim_id(value.type)}.",
                        loc=(*at, "DimId"),
                        code="dimension_mismatch",
                    )
                )
            if dimension.DimCode and dimension.DimCode != value.code:
                problems.append(
                    FieldError(
                        f"DimValueId is the value {value.code!r}, not {dimension.DimCode!r}.",
                        loc=(*at, "DimCode"),
                        code="dimension_mismatch",
                    )
                )
            return (value.type.code, value.code, where)
        if dimension.DimId is not None and dimension.DimCode:
            return self._by_dim_id(dimension.DimId, dimension.DimCode, at, problems)
        problems.append(
            FieldError("Give DimValueId, or DimId and DimCode.", loc=at, code="missing")
        )
        return ("", None, at)

    def _by_dim_id(
        self, number: int, code: str, at: tuple, problems: list[FieldError]
    ) -> tuple[str, str | None, tuple]:
        if self._types is None:
            self._types = defaultdict(list)
            for dimension_type in queries.dimension_types(self.company):
                self._types[dim_id(dimension_type)].append(dimension_type)
        found = self._types.get(number, [])
        if len(found) != 1:
            message = (
                "No dimension has this DimId; getdimensions lists them."
                if not found
                else f"DimId {number} is ambiguous here: give DimValueId instead."
            )
            problems.append(FieldError(message, loc=(*at, "DimId"), code="unknown_code"))
            return ("", None, (*at, "DimId"))
        return (found[0].code, code, (*at, "DimCode"))


def _merge(given: list[tuple[str, str | None, tuple]], problems: list[FieldError]) -> Coding:
    """One value per dimension type: the same type twice with two values is refused."""
    coding: Coding = {}
    for type_code, value_code, where in given:
        if not type_code or not value_code:
            continue
        if type_code in coding and coding[type_code][0] != value_code:
            problems.append(
                FieldError(
                    f"A second {type_code} ({value_code!r}, besides {coding[type_code][0]!r}): "
                    "payables books one value of each dimension per row.",
                    loc=where,
                    code="dimension_given_twice",
                )
            )
            continue
        coding[type_code] = (value_code, where)
    return coding


def _all_dimensions(payload: PurchaseInvoiceV1) -> list[DimensionIn]:
    found = list(getattr(payload, "Dimensions", []))
    for row in payload.InvoiceRow:
        found += getattr(row, "Dimensions", [])
    return found
