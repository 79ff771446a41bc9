"""Which routing rule an invoice matches, and the checks a rule must pass to be stored."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from payables.approvals.models import RoutingRule
from payables.errors import FieldError, ValidationFailed
from payables.invoices.models import Invoice
from payables.masterdata.models import Supplier
from payables.tenancy.models import Company, CompanyUser


def matching_rule(invoice: Invoice) -> RoutingRule | None:
    """The first active rule (by position) whose every condition holds, else the default."""
    rules = list(RoutingRule.objects.filter(company=invoice.company, is_active=True))
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
        self.custom = {k: _comparable(v) for k, v in (invoice.custom_fields or {}).items()}
        self.dimensions: dict[str, set[str]] = {}
        for row in invoice.rows.all():
            for dim_type, value in (row.dimensions or {}).items():
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
            if self.custom.get(code) not in {_comparable(v) for v in values}:
                return False
        return True


def _comparable(value: object) -> str:
    """A custom field value as rules compare it: numbers by value (``100.00`` is ``100``)."""
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return format(number.normalize(), "f") if number.is_finite() else text


def check_rule(company: Company, values: dict) -> dict:
    """Resolve the approvers of a rule to user ids and check what it names.

    ``values`` is the rule's full set of fields; the answer is ready to set on the model.
    Every problem is reported at once, located in the payload.
    """
    from payables.approvals.services import find_user

    errors: list[FieldError] = []
    approvers = []
    for index, entry in enumerate(values.get("approvers") or []):
        ref = str(entry.get("user") or entry.get("user_id") or "")  # as sent, or as stored
        user = find_user(company, ref) if ref else None
        if user is None:
            errors.append(FieldError(f"No user {ref!r}", loc=["approvers", index, "user"]))
            continue
        approvers.append({"user_id": str(user.pk), "level": entry["level"]})
    supplier_ids = [str(s) for s in values.get("supplier_ids") or []]
    known = {
        str(pk)
        for pk in Supplier.objects.filter(company=company, pk__in=supplier_ids).values_list(
            "pk", flat=True
        )
    }
    for index, supplier_id in enumerate(supplier_ids):
        if supplier_id not in known:
            errors.append(FieldError("No such supplier", loc=["supplier_ids", index]))
    low, high = values.get("min_amount"), values.get("max_amount")
    if low is not None and high is not None and Decimal(low) >= Decimal(high):
        errors.append(FieldError("max_amount must be above min_amount", loc=["max_amount"]))
    if errors:
        raise ValidationFailed(errors)
    return values | {"approvers": approvers, "supplier_ids": supplier_ids}


def rule_users(rule: RoutingRule) -> list[CompanyUser]:
    """The users a rule names, in its order (for showing it)."""
    users = {
        str(u.pk): u
        for u in CompanyUser.objects.filter(pk__in=[a["user_id"] for a in rule.approvers])
    }
    return [users[a["user_id"]] for a in rule.approvers if a["user_id"] in users]
