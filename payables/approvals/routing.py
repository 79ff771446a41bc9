"""Which routing rule an invoice matches, and the checks a rule must pass to be stored."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from payables.approvals.models import RoutingRule
from payables.coding.models import PostingLine
from payables.errors import FieldError, ValidationFailed, check_fields
from payables.events.batch_reads import batch_read, declare
from payables.invoices import lifecycle
from payables.invoices.models import Invoice
from payables.masterdata.models import Supplier
from payables.rule_fields import check_name, check_position, comparable, duplicate_name
from payables.tenancy.models import Company, CompanyUser
from payables.tenancy.permissions import Action, actions_of

ACTIVE_RULES = declare(
    "routing_rule", lambda company: RoutingRule.objects.filter(company=company, is_active=True)
)


def active_rules(company: Company) -> list[RoutingRule]:
    """The company's active rules by position, read once per write batch (``batch_reads``)."""
    return batch_read(company, ACTIVE_RULES)


def matching_rule(invoice: Invoice, rules: list[RoutingRule] | None = None) -> RoutingRule | None:
    """The first active rule (by position) whose every condition holds, else the default.

    ``rules``: the company's ``active_rules``, when the caller has them already.
    """
    if rules is None:
        rules = active_rules(invoice.company)
    if not rules:
        return None
    facts = _Facts(invoice)
    for rule in rules:
        if not rule.is_default and facts.match(rule):
            return rule
    return next((rule for rule in rules if rule.is_default), None)


class _Facts:
    """What rules look at, read once per invoice."""

    def __init__(self, invoice: Invoice) -> None:
        self.supplier_id = str(invoice.supplier_id)
        self.amount = abs(invoice.home_gross_amount)
        self.currency = invoice.currency
        self.custom = {k: comparable(v) for k, v in (invoice.custom_fields or {}).items()}
        self.dimensions: dict[str, set[str]] = {}
        # The posting lines are the invoice's coding (derived from its rows, or changed by
        # a person since); an invoice without stored lines is read by its rows. Those of an
        # invoice created now are served from memory (``lifecycle.serve_from_memory``).
        stored = (
            invoice.posting_lines.all()
            if lifecycle.is_created_now(invoice)
            else PostingLine.objects.filter(invoice=invoice)
        )
        coded = list(stored) or invoice.rows.all()
        for line in coded:
            for dim_type, value in (line.dimensions or {}).items():
                self.dimensions.setdefault(dim_type, set()).add(str(value))

    def match(self, rule: RoutingRule) -> bool:
        if rule.supplier_ids and self.supplier_id not in {str(s) for s in rule.supplier_ids}:
            return False
        if rule.min_amount is not None and self.amount < rule.min_amount:
            return False
        if rule.max_amount is not None and self.amount >= rule.max_amount:
            return False
        if rule.currencies and self.currency not in rule.currencies:
            return False
        for dim_type, values in rule.dimension_values.items():
            if not self.dimensions.get(dim_type, set()) & set(values):
                return False
        for code, values in rule.custom_field_values.items():
            if self.custom.get(code) not in {comparable(v) for v in values}:
                return False
        return True


MAX_SUPPLIERS = 1000
MAX_CURRENCIES = 50
MAX_APPROVERS = 20
LEVELS = (1, 2, 3)
AMOUNT_LIMIT = Decimal(10) ** 15  # the model's 19 digits, 4 of them decimals
CURRENCY = re.compile(r"[A-Z]{3}")


def check_rule(
    company: Company, values: Mapping[str, object], *, rule: RoutingRule | None = None
) -> dict:
    """Check the fields a write sets on a rule; answer them as the model stores them.

    ``values`` are plain data (approvers as ``{"user": UUID, email or code, "level": 1|2|3}``).
    For a new rule (``rule`` None) ``name`` and ``approvers`` are required and the rest
    default; for a change only the fields given are checked, against the stored ``rule``
    where two fields go together (the amounts) and for the unique name. Only reads: the
    services call it under the company's write lock, the admin form to show refusals
    beside the fields. Every problem is reported at once, located at the field.
    """
    required = ("name", "approvers") if rule is None else ()
    checked, problems = check_fields(
        company, values, _CHECKS, what="a routing rule", required=required
    )
    low = checked.get("min_amount", rule.min_amount if rule else None)
    high = checked.get("max_amount", rule.max_amount if rule else None)
    amounts_fine = all(n in checked for n in ("min_amount", "max_amount") if n in values)
    if amounts_fine and low is not None and high is not None and low >= high:
        problems.append(FieldError("max_amount must be above min_amount", loc=["max_amount"]))
    if "name" in checked:
        taken = duplicate_name(RoutingRule, company, checked["name"], rule, what="routing rule")
        problems += [taken] if taken else []
    if problems:
        raise ValidationFailed(problems)
    return checked


def _flag(name: str) -> Callable[[Company, object, list[FieldError]], bool | None]:
    def check(company: Company, value: object, problems: list[FieldError]) -> bool | None:
        if not isinstance(value, bool):
            problems.append(FieldError("Give true or false", loc=[name]))
            return None
        return value

    return check


def _amount(name: str) -> Callable[[Company, object, list[FieldError]], Decimal | None]:
    def check(company: Company, value: object, problems: list[FieldError]) -> Decimal | None:
        if value is None:
            return None
        try:  # never a float: money is exact
            amount = Decimal(value) if isinstance(value, Decimal | int | str) else None
        except InvalidOperation:
            amount = None
        if isinstance(value, bool) or amount is None or not amount.is_finite():
            problems.append(FieldError("Give an amount", loc=[name]))
            return None
        if abs(amount) >= AMOUNT_LIMIT or amount != amount.quantize(Decimal("0.0001")):
            problems.append(
                FieldError("Give at most 15 digits before the point and 4 after", loc=[name])
            )
            return None
        return amount

    return check


def _supplier_ids(company: Company, value: object, problems: list[FieldError]) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_SUPPLIERS:
        problems.append(
            FieldError(f"Give a list of at most {MAX_SUPPLIERS} UUIDs", loc=["supplier_ids"])
        )
        return []
    ids: list[str | None] = [_uuid(entry) for entry in value]
    given = [i for i in ids if i is not None]
    known = {
        str(pk)
        for pk in Supplier.objects.filter(company=company, pk__in=given).values_list(
            "pk", flat=True
        )
    }
    for index, supplier_id in enumerate(ids):
        if supplier_id is None:
            problems.append(FieldError("Give a supplier's UUID", loc=["supplier_ids", index]))
        elif supplier_id not in known:
            problems.append(FieldError("No such supplier", loc=["supplier_ids", index]))
    return given


def _uuid(value: object) -> str | None:
    """A UUID in its canonical spelling, or None."""
    if isinstance(value, uuid.UUID):
        return str(value)
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def _currencies(company: Company, value: object, problems: list[FieldError]) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_CURRENCIES:
        problems.append(
            FieldError(f"Give a list of at most {MAX_CURRENCIES} codes", loc=["currencies"])
        )
        return []
    for index, code in enumerate(value):
        if not isinstance(code, str) or not CURRENCY.fullmatch(code):
            problems.append(FieldError("Give an ISO 4217 code like EUR", loc=["currencies", index]))
    return value


def _code_lists(name: str) -> Callable[[Company, object, list[FieldError]], dict]:
    """Dimension or custom field values: ``{code: [value, …]}``, all strings."""

    def check(company: Company, value: object, problems: list[FieldError]) -> dict:
        if not isinstance(value, dict):
            problems.append(FieldError("Give an object of code → list of values", loc=[name]))
            return {}
        for code, accepted in value.items():
            if not isinstance(code, str) or not code:
                problems.append(FieldError("Give a code", loc=[name, str(code)]))
            elif not isinstance(accepted, list) or not all(isinstance(v, str) for v in accepted):
                problems.append(FieldError("Give a list of strings", loc=[name, code]))
        return value

    return check


def _approvers(company: Company, value: object, problems: list[FieldError]) -> list[dict]:
    """Resolve each approver to a user id: one who exists and has the approver role."""
    from payables.approvals.services.people import find_user

    if not isinstance(value, list) or not 1 <= len(value) <= MAX_APPROVERS:
        problems.append(
            FieldError(f"Give a list of 1 to {MAX_APPROVERS} approvers", loc=["approvers"])
        )
        return []
    approvers = []
    for index, entry in enumerate(value):
        loc: list[str | int] = ["approvers", index]
        if not isinstance(entry, dict):
            problems.append(FieldError('Give {"user": …, "level": 1|2|3}', loc=loc))
            continue
        for key in sorted(entry.keys() - {"user", "level"}, key=str):
            problems.append(FieldError("Not a field of an approver", loc=[*loc, str(key)]))
        level = entry.get("level")
        if "level" not in entry:
            problems.append(
                FieldError("Give the level: 1, 2 or 3", loc=[*loc, "level"], code="missing")
            )
        elif not _is_int(level) or level not in LEVELS:
            problems.append(FieldError("Give the level: 1, 2 or 3", loc=[*loc, "level"]))
        ref = entry.get("user")
        if not isinstance(ref, str) or not ref.strip():
            problems.append(FieldError("Name the user by UUID, email or code", loc=[*loc, "user"]))
            continue
        user = find_user(company, ref)
        if user is None:
            problems.append(FieldError(f"No user {ref!r}", loc=[*loc, "user"]))
        elif Action.APPROVE not in actions_of(user.roles):
            problems.append(
                FieldError(
                    f"User {ref!r} is not an approver",
                    loc=[*loc, "user"],
                    code="not_an_approver",
                )
            )
        else:
            approvers.append({"user_id": str(user.pk), "level": level})
    return approvers


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_CHECKS: dict[str, Callable[[Company, object, list[FieldError]], object]] = {
    "name": check_name,
    "position": check_position,
    "is_active": _flag("is_active"),
    "is_default": _flag("is_default"),
    "supplier_ids": _supplier_ids,
    "min_amount": _amount("min_amount"),
    "max_amount": _amount("max_amount"),
    "currencies": _currencies,
    "dimension_values": _code_lists("dimension_values"),
    "custom_field_values": _code_lists("custom_field_values"),
    "approvers": _approvers,
}
RULE_FIELDS = tuple(_CHECKS)


def rule_users(rule: RoutingRule) -> list[CompanyUser]:
    """The users a rule names, in its order (for showing it)."""
    users = {
        str(u.pk): u
        for u in CompanyUser.objects.filter(pk__in=[a["user_id"] for a in rule.approvers])
    }
    return [users[a["user_id"]] for a in rule.approvers if a["user_id"] in users]
