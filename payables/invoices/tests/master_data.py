"""Helpers of the coding tests: master data loaded through the API, payloads, 422 locations."""

from __future__ import annotations

from typing import Any

from payables.conftest import ApiClient
from payables.masterdata.models import DEFAULT_DIMENSION_TYPES


class MasterData:
    """Load one company's master data by code, as an ERP syncs it (``PUT …/by-code``)."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def _put(self, path: str, fields: dict) -> dict:
        response = self.api.put(path, fields)
        assert response.status_code in (200, 201), response.json()
        return response.json()

    def account(self, code: str, **fields: Any) -> dict:
        return self._put(f"/accounts/by-code/{code}", {"name": f"Account {code}", **fields})

    def vat_code(self, code: str, rate: str = "22", **fields: Any) -> dict:
        return self._put(f"/vat-codes/by-code/{code}", {"rate": rate, **fields})

    def dimension_type(self, code: str, **fields: Any) -> dict:
        return self._put(f"/dimension-types/by-code/{code}", {"name": code, **fields})

    def dimension(self, type_code: str, code: str, **fields: Any) -> dict:
        if type_code not in DEFAULT_DIMENSION_TYPES:
            self.dimension_type(type_code)
        path = f"/dimension-types/{type_code}/values/by-code/{code}"
        return self._put(path, {"name": f"{type_code} {code}", **fields})

    def item(self, code: str, **fields: Any) -> dict:
        return self._put(f"/items/by-code/{code}", {"description": f"Item {code}", **fields})

    def custom_field(self, code: str, type: str = "text", **fields: Any) -> dict:
        return self._put(f"/custom-fields/by-code/{code}", {"name": code, "type": type, **fields})


def coded(payload: dict, *rows: dict, **lines: dict) -> dict:
    """The payload with each given dict merged into the row at its position.

    ``vat0=…`` / ``vat1=…`` merge into the VAT breakdown's lines.
    """
    for row, extra in zip(payload["rows"], rows, strict=False):
        row.update(extra)
    for name, extra in lines.items():
        payload["vat_breakdown"][int(name.removeprefix("vat"))].update(extra)
    return payload


def locs(response: Any) -> list[list]:
    """The located problems of a 422 answer, in order."""
    assert response.status_code == 422, response.json()
    return [item["loc"] for item in response.json()["detail"]]
