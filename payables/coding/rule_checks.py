"""The checks a coding rule passes before it is stored: its shape, then what it names.

Conditions (all must hold; any may be absent; none at all matches every line)::

    {"supplier": "<UUID, VAT number, registry code or ERP code>",  # stored as the UUID
     "text_contains": "paper", "text_regex": "^toner\\b", "item_code": "A-100",
     "amount_min": "100.00", "amount_max": "5000", "currency": "EUR",
     "buyer_reference": "IT-42", "custom_field": {"code": "contract", "value": "C-7"}}

Actions: one account, or a split by percentages (totalling 100)::

    {"account_code": "4000", "vat_code": "VAT24", "dimensions": {"department": "IT"}}
    {"split": [{"percent": "60", "account_code": "4000", "vat_code": "VAT24",
                "dimensions": {"project": "P1"}, "description": "Share of P1"}, …]}
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # the stdlib's own parse of a pattern, for its shape
import re._parser as sre_parser
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db.models import Q
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError

from payables.coding.models import CodingRule
from payables.coding.rules import HUNDRED, CodeBook
from payables.errors import FieldError, ValidationFailed, check_fields
from payables.masterdata.models import CustomField, Supplier
from payables.money import format_decimal
from payables.rule_fields import MAX_POSITION as MAX_POSITION
from payables.rule_fields import check_name, check_position, duplicate_name
from payables.schema_types import CurrencyCode, InSchema, Money, decimal_input
from payables.tenancy.models import Company

MAX_PATTERN_LENGTH = 200
MAX_OPEN_REPEATS = 2  # three overlapping ones take seconds even on 200 characters
SMALL_REPEAT = 10
MAX_SPLITS = 20
Percent = decimal_input(7, 4, ge=0, le=100)


class CustomFieldCondition(InSchema):
    code: str = Field(min_length=1, max_length=50)
    value: str | Money = Field(description="Numbers compare by value: `100.00` is `100`.")


class RuleConditions(InSchema):
    """Every condition given must hold for a line; none given matches every line."""

    supplier: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="The supplier's UUID, VAT number, registry code or ERP code; stored as UUID.",
    )
    text_contains: str | None = Field(
        None, min_length=1, max_length=200, description="In the line's description, any case."
    )
    text_regex: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_PATTERN_LENGTH,
        description="A Python regular expression searched in the description's first 200 "
        "characters, any case. Refused: repeats nested in repeats, alternatives repeated, "
        "and more than two open repeats (`*`, `+`, `{n,}`).",
    )
    item_code: str | None = Field(
        None, min_length=1, max_length=100, description="The seller's or the company's code."
    )
    amount_min: Money | None = Field(None, description="Line net (unsigned), inclusive.")
    amount_max: Money | None = Field(None, description="Line net (unsigned), inclusive.")
    currency: CurrencyCode | None = None
    buyer_reference: str | None = Field(None, min_length=1, max_length=200)
    custom_field: CustomFieldCondition | None = None


class SplitAction(InSchema):
    percent: Percent = Field(description="Of the line's net and VAT; above 0.")
    account_code: str = Field(min_length=1, max_length=50)
    vat_code: str = Field("", max_length=50)
    dimensions: dict[str, str] = Field(default_factory=dict, max_length=20)
    description: str = Field("", max_length=1000, description="Empty: the line's own.")


class RuleActions(InSchema):
    """One account (with an optional VAT code and dimension values), or a split."""

    account_code: str | None = Field(None, min_length=1, max_length=50)
    vat_code: str | None = Field(None, min_length=1, max_length=50)
    dimensions: dict[str, str] | None = Field(
        None, max_length=20, description="Dimension type code → value code."
    )
    split: list[SplitAction] | None = Field(None, min_length=2, max_length=MAX_SPLITS)


def check_rule(
    company: Company, values: Mapping[str, object], *, rule: CodingRule | None = None
) -> dict:
    """Check the fields a write sets on a rule; answer them as the model stores them.

    ``values`` are plain data (``name``, ``position``, ``is_active``, ``conditions``,
    ``actions``). A new rule (``rule`` None) needs a name and actions; a change checks only
    what it sends, ``conditions`` and ``actions`` whole. Only reads: the services call it
    under the company's write lock, the admin form and the dry run of an unsaved rule too.
    Every problem is located at its field (``["actions", "account_code"]``).
    """
    required = ("name", "actions") if rule is None else ()
    checked, problems = check_fields(
        company, values, _CHECKS, what="a coding rule", required=required
    )
    if "name" in checked:
        taken = duplicate_name(CodingRule, company, checked["name"], rule, what="coding rule")
        problems += [taken] if taken else []
    if problems:
        raise ValidationFailed(problems)
    return checked


def unsaved_rule(
    company: Company, values: Mapping[str, object], *, at: Sequence[str | int] = ()
) -> CodingRule:
    """A rule to try out (dry run), never stored: ``actions`` and optional ``conditions``.

    Problems are located under ``at``, where the request holds the rule.
    """
    problems: list[FieldError] = []
    checked: dict = {}
    for name, value in values.items():
        if name not in ("conditions", "actions"):
            problems.append(FieldError("Not a field of a rule to try", loc=[name]))
        else:
            checked[name] = _CHECKS[name](company, value, problems)
    if "actions" not in values:
        problems.append(FieldError("A rule needs actions", loc=["actions"], code="missing"))
    if problems:
        raise ValidationFailed(
            [FieldError(p.message, loc=[*at, *(p.loc or ())], code=p.code) for p in problems]
        )
    return CodingRule(company=company, name="", position=0, **checked)


def _is_active(company: Company, value: object, problems: list[FieldError]) -> bool | None:
    if not isinstance(value, bool):
        problems.append(FieldError("Give true or false", loc=["is_active"]))
        return None
    return value


def _shaped(
    model: type[BaseModel], value: object, name: str, problems: list[FieldError]
) -> BaseModel | None:
    """The value read by its schema, or None with each shape problem located."""
    if isinstance(value, model):
        value = value.model_dump(exclude_none=True)
    try:
        return model.model_validate(value)
    except PydanticValidationError as exc:
        for error in exc.errors():
            loc = [name, *error["loc"]]
            problems.append(FieldError(error["msg"], loc=loc, code=error["type"]))
        return None


def _conditions(company: Company, value: object, problems: list[FieldError]) -> dict:
    shaped = _shaped(RuleConditions, value, "conditions", problems)
    if shaped is None:
        return {}
    given = shaped.model_dump(exclude_none=True)
    stored: dict = {}
    for name, item in given.items():
        loc = ["conditions", name]
        if name == "supplier":
            item = _supplier_id(company, item, loc, problems)
        elif name == "text_regex":
            _check_pattern(item, loc, problems)
        elif name in ("amount_min", "amount_max"):
            item = format(item, "f")
        elif name == "custom_field":
            item = _custom_field(company, item, loc, problems)
        stored[name] = item
    low, high = given.get("amount_min"), given.get("amount_max")
    if low is not None and high is not None and low > high:
        problems.append(
            FieldError("amount_max must not be below amount_min", loc=["conditions", "amount_max"])
        )
    return stored


def _supplier_id(company: Company, ref: str, loc: list, problems: list[FieldError]) -> str:
    """The UUID of the supplier named by UUID, VAT number, registry code or ERP code."""
    suppliers = Supplier.objects.filter(company=company)
    try:
        found = list(suppliers.filter(pk=uuid.UUID(ref)))
    except ValueError:
        found = list(
            suppliers.filter(Q(vat_number__iexact=ref) | Q(registry_code=ref) | Q(erp_code=ref))[:2]
        )
    if len(found) == 1:
        return str(found[0].pk)
    if found:
        message = f"More than one supplier has the code {ref!r}: name it by UUID"
        problems.append(FieldError(message, loc=loc, code="ambiguous_supplier"))
    else:
        problems.append(FieldError(f"No supplier {ref!r}", loc=loc, code="unknown_supplier"))
    return ref


def _check_pattern(pattern: str, loc: list, problems: list[FieldError]) -> None:
    """Refuse what ``re`` cannot compile, and the shapes that backtrack without end.

    ``re`` has no timeout, so a repeat of something that itself repeats (``(a+)+``) or
    has alternatives (``(a|ab)*``) is refused: on a long description those take
    exponential time. The pattern's length is bounded by its schema.
    """
    try:
        re.compile(pattern, re.IGNORECASE)
        parsed = sre_parser.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        problems.append(FieldError(f"Not a valid regular expression: {exc}", loc=loc))
        return
    if _nested_repeat(parsed, inside_repeat=False):
        message = "A repeated group must not repeat or alternate itself (like (a+)+ or (a|b)*)"
        problems.append(FieldError(message, loc=loc, code="regex_too_complex"))
    elif _open_repeats(parsed) > MAX_OPEN_REPEATS:
        message = f"At most {MAX_OPEN_REPEATS} open repeats (*, +, {{n,}}, {{n,m}} above 10)"
        problems.append(FieldError(message, loc=loc, code="regex_too_complex"))


def _open_repeats(items: object) -> int:
    """How many repeats of more than ``SMALL_REPEAT`` the pattern has, anywhere in it.

    >>> _open_repeats(sre_parser.parse(r"^(\\d{2,4})\\s*kg.*net"))
    2
    """
    count = 0
    for op, av in items:
        if op in _REPEATS and (av[1] is sre_constants.MAXREPEAT or av[1] > SMALL_REPEAT):
            count += 1
        for part in av if isinstance(av, tuple | list) else ():
            if isinstance(part, sre_parser.SubPattern):
                count += _open_repeats(part)
            elif isinstance(part, list):  # the alternatives of a branch
                count += sum(_open_repeats(b) for b in part if isinstance(b, sre_parser.SubPattern))
    return count


_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)


def _nested_repeat(items: object, *, inside_repeat: bool) -> bool:
    """Whether a repeat (of more than one) or an alternation sits inside such a repeat.

    >>> _nested_repeat(sre_parser.parse(r"(a+)+$"), inside_repeat=False)
    True
    >>> _nested_repeat(sre_parser.parse(r"^toner\\s+(black|cyan)\\b\\d{2,3}"), inside_repeat=False)
    False
    """
    for op, av in items:
        if op in _REPEATS:
            _low, high, sub = av
            unbounded = high is sre_constants.MAXREPEAT or high > 1
            if unbounded and inside_repeat:
                return True
            if _nested_repeat(sub, inside_repeat=inside_repeat or unbounded):
                return True
        elif op is sre_constants.BRANCH:
            if inside_repeat:
                return True
            if any(_nested_repeat(b, inside_repeat=False) for b in av[1]):
                return True
        else:
            for part in av if isinstance(av, tuple | list) else ():
                if isinstance(part, sre_parser.SubPattern) and _nested_repeat(
                    part, inside_repeat=inside_repeat
                ):
                    return True
    return False


def _custom_field(company: Company, item: dict, loc: list, problems: list[FieldError]) -> dict:
    value = item["value"]
    value = format(value, "f") if isinstance(value, Decimal) else value
    stored = {"code": item["code"], "value": value}
    fields = CustomField.objects.filter(company=company)
    if fields.exists() and not fields.filter(code=item["code"]).exists():
        message = f"There is no custom field {item['code']!r}."
        problems.append(FieldError(message, loc=[*loc, "code"], code="unknown_custom_field"))
    return stored


def _actions(company: Company, value: object, problems: list[FieldError]) -> dict:
    shaped = _shaped(RuleActions, value, "actions", problems)
    if shaped is None:
        return {}
    given = shaped.model_dump(exclude_none=True)
    if "split" in given:
        for name in ("account_code", "vat_code", "dimensions"):
            if name in given:
                message = "Give it in each split: a split rule names no account of its own"
                problems.append(FieldError(message, loc=["actions", name]))
        stored = {"split": [_split(s) for s in given["split"]]}
        total = sum((Decimal(s["percent"]) for s in stored["split"]), Decimal(0))
        if total != HUNDRED:
            message = f"The percentages total {format_decimal(total)}, not 100"
            problems.append(FieldError(message, loc=["actions", "split"], code="split_not_100"))
        for index, split in enumerate(given["split"]):
            if split["percent"] <= 0:
                loc = ["actions", "split", index, "percent"]
                problems.append(FieldError("Give a percentage above 0", loc=loc))
        parts = [(["actions", "split", i], s) for i, s in enumerate(stored["split"])]
    else:
        if "account_code" not in given:
            message = "Give account_code, or a split"
            problems.append(FieldError(message, loc=["actions", "account_code"], code="missing"))
            return {}
        stored = {k: v for k, v in given.items() if v != {}}
        parts = [(["actions"], stored)]
    _check_codes(company, parts, problems)
    return stored


def _split(split: dict) -> dict:
    return {**split, "percent": format_decimal(split["percent"])}


def _check_codes(company: Company, parts: list[tuple[list, dict]], problems: list) -> None:
    """Each account, VAT code and dimension value must exist and be active; VAT for purchases.

    Dates are not checked here: a rule may name a code that becomes valid later. When it
    codes a line, codes not valid on the invoice date make it pass to the next rule.
    """
    book = CodeBook.load(company, [part for _, part in parts])
    for loc, part in parts:
        for name in ("account_code", "vat_code"):
            if part.get(name) and (problem := book.refusal({name: part[name]}, on=None)):
                problems.append(FieldError(problem.message, loc=[*loc, name], code=problem.code))
        for type_code, value_code in (part.get("dimensions") or {}).items():
            one = {"account_code": "", "dimensions": {type_code: value_code}}
            if problem := book.refusal(one, on=None):
                where = [*loc, "dimensions", type_code]
                problems.append(FieldError(problem.message, loc=where, code=problem.code))


_CHECKS = {
    "name": check_name,
    "position": check_position,
    "is_active": _is_active,
    "conditions": _conditions,
    "actions": _actions,
}
RULE_FIELDS = tuple(_CHECKS)
