"""Forms of the coding editor: posting lines and prebooking splits, one form per row.

The rows are posted as ``line-<n>-<field>`` (``split-<n>-…``) with one field per dimension
type (``dim_<i>``); a row left entirely empty is ignored. The forms check shape only and
build the coding app's inputs (``PostingLineIn``, ``PrebookingSplitIn``); the coding
services judge the meaning, and their located errors come back here beside the input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.http import QueryDict
from pydantic import ValidationError

from payables.coding.inputs import MAX_LINES, MAX_SPLITS, PostingLineIn, PrebookingSplitIn
from payables.web.forms import DescribedErrorsForm

# What a row's buttons ask for besides saving (``action`` of the submit button).
ADD = "add"
REMOVE = "remove-"


def _code_input(label: str, datalist: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"list": datalist, "autocomplete": "off", "size": 8}),
    )


def _amount_input(label: str, max_digits: int = 19, places: int = 4) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=max_digits,
        decimal_places=places,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 9, "class": "num"}),
    )


class CodingRowForm(DescribedErrorsForm):
    """Account, VAT code, dimensions and description of one row; amounts in subclasses."""

    use_required_attribute = False
    what = "line"
    account_code = _code_input("Account", "coding-accounts")
    vat_code = _code_input("VAT code", "coding-vat-codes")
    description = forms.CharField(
        label="Description",
        max_length=1000,
        required=False,
        widget=forms.TextInput(attrs={"size": 14}),
    )

    def __init__(self, *args: Any, number: int, dimension_types: Sequence[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.number = number  # shown to people, from 1
        self.dimension_types = list(dimension_types)
        for i, type_code in enumerate(self.dimension_types):
            self.fields[f"dim_{i}"] = _code_input(type_code, f"coding-dim-{i}")

    @property
    def key(self) -> str:
        """The row's number in the posted names (``line-<key>-…``)."""
        return self.prefix.rsplit("-", 1)[1]

    @property
    def dimension_fields(self) -> list[forms.BoundField]:
        return [self[f"dim_{i}"] for i in range(len(self.dimension_types))]

    @property
    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.placed]

    placed = ("account_code", "vat_code", "description")

    def is_blank(self) -> bool:
        """Nothing typed in the row (a bound form's raw values): it is left out."""
        return not any(str(self[name].value() or "").strip() for name in self.fields)

    def dimensions(self) -> dict[str, str]:
        data = self.cleaned_data
        found = {
            t: (data.get(f"dim_{i}") or "").strip() for i, t in enumerate(self.dimension_types)
        }
        return {t: v for t, v in found.items() if v}

    def field_for(self, loc: Sequence[str | int]) -> str | None:
        """The field a located problem inside the row points at (None: the row)."""
        if not loc:
            return None
        if loc[0] == "dimensions":
            if len(loc) > 1 and loc[1] in self.dimension_types:
                return f"dim_{self.dimension_types.index(str(loc[1]))}"
            return None
        return str(loc[0]) if loc[0] in self.fields else None

    def place_error(self, loc: Sequence[str | int], message: str) -> None:
        self.add_error(self.field_for(loc), message)

    def add_pydantic_errors(self, exc: ValidationError) -> None:
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            self.place_error(error["loc"], message)


class PostingLineForm(CodingRowForm):
    net_amount = _amount_input("Net")
    vat_amount = _amount_input("VAT")
    placed = ("account_code", "vat_code", "description", "net_amount", "vat_amount")

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("account_code") or "").strip():
            self.add_error("account_code", "Give the line's account.")
        if "net_amount" in data and data["net_amount"] is None:
            self.add_error("net_amount", "Give the line's net amount.")
        return data

    def to_input(self) -> PostingLineIn:
        data = self.cleaned_data
        return PostingLineIn(
            account_code=data["account_code"].strip(),
            vat_code=(data.get("vat_code") or "").strip(),
            dimensions=self.dimensions(),
            net_amount=data["net_amount"],
            vat_amount=data.get("vat_amount"),
            description=data.get("description") or "",
        )


class SplitForm(CodingRowForm):
    what = "split"
    percent = _amount_input("Percent", max_digits=7)
    placed = ("account_code", "vat_code", "description", "percent")

    def clean(self) -> dict:
        data = super().clean()
        percent = data.get("percent")
        if "percent" in data and percent is None:
            self.add_error("percent", "Give the split's percent.")
        elif percent is not None and not 0 < percent <= 100:
            self.add_error("percent", "Give a percent above 0, at most 100.")
        if not (data.get("account_code") or "").strip():
            self.add_error("account_code", "Give the split's account.")
        return data

    def to_input(self) -> PrebookingSplitIn:
        data = self.cleaned_data
        return PrebookingSplitIn(
            percent=data["percent"],
            account_code=data["account_code"].strip(),
            vat_code=(data.get("vat_code") or "").strip(),
            dimensions=self.dimensions(),
            description=data.get("description") or "",
        )


class CodingRows:
    """The rows of one editor (posting lines or splits) as forms, and their errors.

    ``errors`` are the problems of the rows together (totals, who may code), shown above
    them. Rows are numbered by their place; ``index`` maps an input's index in what went
    to the service (blank rows left out) back to its row.
    """

    def __init__(
        self,
        form_class: type[CodingRowForm],
        prefix: str,
        dimension_types: Sequence[str],
        *,
        data: QueryDict | None = None,
        initial: Sequence[dict] = (),
        blank_rows: int = 0,
    ) -> None:
        self.form_class, self.prefix, self.types = form_class, prefix, list(dimension_types)
        self.limit = MAX_LINES if prefix == "line" else MAX_SPLITS
        self.errors: list[str] = []
        self.index: list[int] = []
        if data is None:
            rows = [dict(row) for row in initial] + [{}] * blank_rows
            self.forms = [self._form(n, initial=row) for n, row in enumerate(rows)]
        else:
            self.forms = [self._form(n, data=data) for n in self._posted_numbers(data)]
        self.number_rows()

    def _form(self, n: int, **kwargs: Any) -> CodingRowForm:
        initial = kwargs.pop("initial", None)
        if initial is not None:
            dimensions = initial.pop("dimensions", {}) or {}
            for i, type_code in enumerate(self.types):
                initial[f"dim_{i}"] = dimensions.get(type_code, "")
            kwargs["initial"] = initial
        return self.form_class(
            prefix=f"{self.prefix}-{n}", number=n + 1, dimension_types=self.types, **kwargs
        )

    def _posted_numbers(self, data: QueryDict) -> list[int]:
        pattern = re.compile(rf"^{self.prefix}-(\d{{1,4}})-")
        found = {int(m.group(1)) for key in data if (m := pattern.match(key))}
        return sorted(found)[: self.limit]

    def number_rows(self) -> None:
        """Number the rows 1… in their order (labels say which row an input is in)."""
        for number, form in enumerate(self.forms, start=1):
            form.number = number
            for field in form.fields.values():
                field.widget.attrs["aria-label"] = f"{field.label} of {form.what} {number}"

    def apply(self, action: str) -> bool:
        """Add or remove a row as the pressed button asks; True when it was one of those.

        The rows come back as typed, unchecked: nothing is saved.
        """
        if action == ADD:
            forms = self.forms
            if len(forms) < self.limit:
                taken = [int(form.key) for form in forms]
                forms = [*forms, self._form(max(taken, default=-1) + 1, initial={})]
        elif action.startswith(REMOVE):
            prefix = f"{self.prefix}-{action.removeprefix(REMOVE)}"
            forms = [form for form in self.forms if form.prefix != prefix]
        else:
            return False
        self.forms = [self._as_typed(form) for form in forms]
        self.number_rows()
        return True

    def _as_typed(self, form: CodingRowForm) -> CodingRowForm:
        if not form.is_bound:
            return form
        typed = {name: form[name].value() for name in form.fields}
        return self.form_class(
            prefix=form.prefix, number=form.number, dimension_types=self.types, initial=typed
        )

    def inputs(self) -> list[Any] | None:
        """The service's inputs from the rows that are not blank; None with errors shown."""
        inputs, self.index = [], []
        valid = True
        for n, form in enumerate(self.forms):
            if form.is_blank():
                continue
            if not form.is_valid():
                valid = False
                continue
            try:
                inputs.append(form.to_input())
            except ValidationError as exc:
                form.add_pydantic_errors(exc)
                valid = False
                continue
            self.index.append(n)
        if valid and not inputs:
            self.errors.append(f"Give at least one {self.form_class.what}.")
            valid = False
        return inputs if valid else None

    def place_error(self, loc: Sequence[str | int], message: str) -> None:
        """Put a service's located problem beside its input, or above the rows."""
        loc = list(loc)
        if loc and loc[0] == "body":
            loc = loc[1:]
        if len(loc) >= 2 and isinstance(loc[1], int) and 0 <= loc[1] < len(self.index):
            self.forms[self.index[loc[1]]].place_error(loc[2:], message)
        else:
            self.errors.append(message)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(form.errors for form in self.forms)
