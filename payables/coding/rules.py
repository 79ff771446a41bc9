"""Autotransactions: the company's ordered coding rules, matched against each uncoded line.

A rule's ``conditions`` all hold (any may be absent) for a line, then its ``actions`` code
the line: one account with an optional VAT code and dimension values, or a split by
percentages into several lines. The JSON shapes are in ``rule_checks``, which checks a
rule before it is stored; this module only reads. What a line names itself (its VAT code,
its dimension values) stays, as with a product item's defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db.models import QuerySet

from payables.coding.drafts import LineDraft
from payables.coding.models import CodingRule
from payables.errors import NotFound
from payables.events.batch_reads import batch_read, declare
from payables.invoices.models import Invoice
from payables.masterdata.models import Account, DimensionValue, VatCode
from payables.money import quantize
from payables.rule_fields import comparable as comparable
from payables.tenancy.models import Company

HUNDRED = Decimal(100)
# Python's ``re`` has no timeout: a pattern is bounded in length and in shape when it is
# stored (see ``rule_checks``), and the text it is searched in is bounded here. With two
# open repeats (``.*a.*b``) a search costs about the cube of the text's length: some
# milliseconds for 200 characters, seconds for 1000.
MAX_REGEX_TEXT = 200


class CodingRuleNotFound(NotFound):
    code = "coding_rule_not_found"
    default_message = "Coding rule not found."


def rules_of(company: Company) -> QuerySet[CodingRule]:
    """The company's rules in the order they are tried."""
    return CodingRule.objects.filter(company=company).order_by("position", "created_at")


# What coding reads of a company's rules for each invoice (once per write batch).
ACTIVE_RULES = declare("coding_rule", lambda company: rules_of(company).filter(is_active=True))


def get_rule(company: Company, rule_id: UUID) -> CodingRule:
    rule = CodingRule.objects.filter(company=company, pk=rule_id).first()
    if rule is None:
        raise CodingRuleNotFound()
    return rule


def code_by_rules(invoice: Invoice, drafts: list[LineDraft]) -> list[LineDraft]:
    """Code the uncoded lines by the first matching rule (``source`` = ``rule:<id>``).

    Rules are read once per invoice, or once per write batch (``batch_reads``). A rule
    whose account, VAT code or dimension values are not usable on the invoice date is
    passed over for the next. A split line becomes several; the lines are then numbered
    again from the first one's position.
    """
    if all(draft.is_coded for draft in drafts):
        return drafts
    company = invoice.company
    rules = batch_read(company, ACTIVE_RULES)
    if not rules:
        return drafts
    book = CodeBook.load(invoice.company, [rule.actions for rule in rules])
    usable = [r for r in rules if book.refusal(r.actions, on=invoice.invoice_date) is None]
    facts = InvoiceFacts.of(invoice)
    coded: list[LineDraft] = []
    for draft in drafts:
        rule = None
        if not draft.is_coded:
            rule = next(
                (r for r in usable if not failing_conditions(r.conditions, facts, draft)), None
            )
        coded.extend(apply_actions(rule, draft, invoice.currency) if rule else [draft])
    return renumbered(coded, drafts)


# --- conditions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceFacts:
    """What conditions read from the invoice (its lines are looked at one by one)."""

    supplier_id: str
    currency: str
    buyer_reference: str
    custom_fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceFacts:
        return cls(
            supplier_id=str(invoice.supplier_id),
            currency=invoice.currency,
            buyer_reference=invoice.buyer_reference.strip().casefold(),
            custom_fields={k: comparable(v) for k, v in (invoice.custom_fields or {}).items()},
        )


def failing_conditions(conditions: dict, facts: InvoiceFacts, draft: LineDraft) -> list[str]:
    """The names of the conditions that do not hold for this line (none: the rule matches)."""
    text = draft.description
    net = abs(draft.net_amount)
    checks = {
        "supplier": lambda v: facts.supplier_id == v,
        "text_contains": lambda v: v.casefold() in text.casefold(),
        "text_regex": lambda v: re.search(v, text[:MAX_REGEX_TEXT], re.IGNORECASE) is not None,
        "item_code": lambda v: v in {draft.item_code.strip(), draft.product_code.strip()},
        "amount_min": lambda v: net >= Decimal(v),
        "amount_max": lambda v: net <= Decimal(v),
        "currency": lambda v: facts.currency == v,
        "buyer_reference": lambda v: facts.buyer_reference == v.strip().casefold(),
        "custom_field": lambda v: facts.custom_fields.get(v["code"]) == comparable(v["value"]),
    }
    return [name for name, value in conditions.items() if not checks[name](value)]


# --- actions -------------------------------------------------------------------------------


def apply_actions(rule: CodingRule, draft: LineDraft, currency: str) -> list[LineDraft]:
    """The line coded by the rule: one line, or one per split with net and VAT shared out."""
    actions = rule.actions
    source = f"rule:{rule.id}"
    if "split" not in actions:
        return [_coded(draft, actions, source=source)]
    splits = actions["split"]
    percents = [Decimal(s["percent"]) for s in splits]
    nets = split_amounts(draft.net_amount, percents, currency)
    vats = split_amounts(draft.vat_amount, percents, currency)
    return [
        _coded(
            replace(
                draft,
                net_amount=net,
                vat_amount=vat,
                description=split.get("description") or draft.description,
            ),
            split,
            source=source,
        )
        for split, net, vat in zip(splits, nets, vats, strict=True)
    ]


def _coded(draft: LineDraft, action: dict, *, source: str) -> LineDraft:
    return replace(
        draft,
        account_code=action["account_code"],
        vat_code=draft.vat_code or action.get("vat_code", ""),
        dimensions={**action.get("dimensions", {}), **draft.dimensions},
        source=source,
        confidence=None,
    )


def split_amounts(total: Decimal, percents: list[Decimal], currency: str) -> list[Decimal]:
    """Share ``total`` by ``percents`` (totalling 100) to the cent; the last share absorbs
    the rounding.

    >>> split_amounts(Decimal("100.00"), [Decimal(1) * 100 / 3] * 2 + [Decimal("33.34")], "EUR")
    [Decimal('33.33'), Decimal('33.33'), Decimal('33.34')]
    >>> split_amounts(Decimal("-10.01"), [Decimal(50), Decimal(50)], "EUR")
    [Decimal('-5.01'), Decimal('-5.00')]
    """
    shares = [quantize(total * percent / HUNDRED, currency) for percent in percents[:-1]]
    return [*shares, total - sum(shares, Decimal(0))]


def renumbered(coded: list[LineDraft], drafts: list[LineDraft]) -> list[LineDraft]:
    """Number the lines one after another from the first draft's position, if a split
    made more of them; otherwise leave the positions as they were."""
    if len(coded) == len(drafts):
        return coded
    start = drafts[0].position
    return [replace(line, position=start + i) for i, line in enumerate(coded)]


# --- codes the actions name ----------------------------------------------------------------


def codes_of(actions: dict) -> tuple[set[str], set[str], set[tuple[str, str]]]:
    """The accounts, VAT codes and (dimension type, value) pairs an action names."""
    parts = actions.get("split") or [actions]
    accounts = {p["account_code"] for p in parts if p.get("account_code")}
    vat_codes = {p["vat_code"] for p in parts if p.get("vat_code")}
    pairs = {pair for p in parts for pair in (p.get("dimensions") or {}).items()}
    return accounts, vat_codes, pairs


@dataclass
class CodeBook:
    """The company's records that rules name, looked up together in a few queries.

    As for invoice rows (``invoices.coding``), a company that keeps no records of a
    kind (no accounts at all, no values of a dimension type) has not loaded that kind,
    so its codes are not checked.
    """

    accounts: dict[str, Account]
    vat_codes: dict[str, VatCode]
    dimensions: dict[tuple[str, str], DimensionValue]
    accounts_kept: bool
    vat_codes_kept: bool
    dimension_types_kept: set[str]

    @classmethod
    def load(cls, company: Company, actions: list[dict]) -> CodeBook:
        accounts: set[str] = set()
        vat_codes: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        for action in actions:
            a, v, p = codes_of(action)
            accounts |= a
            vat_codes |= v
            pairs |= p
        found_accounts = {
            a.code: a for a in Account.objects.filter(company=company, code__in=accounts)
        }
        found_vat = {v.code: v for v in VatCode.objects.filter(company=company, code__in=vat_codes)}
        values = DimensionValue.objects.filter(
            company=company,
            type__code__in={t for t, _ in pairs},
            code__in={c for _, c in pairs},
        ).select_related("type")
        found_values = {(d.type.code, d.code): d for d in values if (d.type.code, d.code) in pairs}
        types_kept = set()
        if pairs:
            types_kept = set(
                DimensionValue.objects.filter(company=company, type__code__in={t for t, _ in pairs})
                .order_by()
                .values_list("type__code", flat=True)
                .distinct()
            )
        return cls(
            accounts=found_accounts,
            vat_codes=found_vat,
            dimensions=found_values,
            accounts_kept=bool(found_accounts)
            or (bool(accounts) and Account.objects.filter(company=company).exists()),
            vat_codes_kept=bool(found_vat)
            or (bool(vat_codes) and VatCode.objects.filter(company=company).exists()),
            dimension_types_kept=types_kept,
        )

    def refusal(self, actions: dict, *, on: date | None) -> Refusal | None:
        """Why the action's codes cannot be booked (on the date, when given), or None."""
        accounts, vat_codes, pairs = codes_of(actions)
        for code in sorted(accounts):
            if self.accounts_kept:
                problem = _unusable(self.accounts.get(code), f"account {code!r}", on)
                if problem:
                    return problem
        for code in sorted(vat_codes):
            found = self.vat_codes.get(code)
            if found is not None and found.kind == VatCode.Kind.SALES:
                return Refusal(f"VAT code {code!r} is a sales VAT code.", "sales_vat_code")
            if self.vat_codes_kept and (problem := _unusable(found, f"VAT code {code!r}", on)):
                return problem
        for type_code, value_code in sorted(pairs):
            if type_code not in self.dimension_types_kept:
                continue
            value = self.dimensions.get((type_code, value_code))
            if value is not None and not value.type.is_active:
                return Refusal(f"Dimension {type_code!r} is inactive.", "inactive_code")
            if problem := _unusable(value, f"{type_code} value {value_code!r}", on):
                return problem
        return None


@dataclass(frozen=True)
class Refusal:
    """Why a code cannot be booked, and a stable code for it."""

    message: str
    code: str


def _unusable(record: object | None, what: str, on: date | None) -> Refusal | None:
    if record is None:
        return Refusal(f"There is no {what}.", "unknown_code")
    if not getattr(record, "is_active", True):
        return Refusal(f"The {what} is inactive.", "inactive_code")
    start, end = getattr(record, "valid_from", None), getattr(record, "valid_to", None)
    if on is not None and ((start and on < start) or (end and on > end)):
        return Refusal(f"The {what} is not valid on {on}.", "code_out_of_date")
    return None


# --- dry run -------------------------------------------------------------------------------


@dataclass
class LineVerdict:
    """What a rule would do to one line: the conditions that fail, or the lines it gives."""

    line: LineDraft
    failing: list[str]
    refusal: Refusal | None  # why the actions' codes cannot be used on the invoice date
    result: list[LineDraft]

    @property
    def would_apply(self) -> bool:
        """Autocoding would use the rule here (if no earlier rule matched first)."""
        return not self.line.is_coded and not self.failing and self.refusal is None


def row_drafts(invoice: Invoice) -> list[LineDraft]:
    """One line per invoice row with the row's coding; one line for a row-less invoice."""
    rows = list(invoice.rows.all())
    if not rows:
        return [LineDraft(position=1, net_amount=invoice.net_amount, vat_amount=invoice.vat_amount)]
    return [
        LineDraft(
            position=i,
            row_position=row.position,
            net_amount=row.net_amount,
            vat_amount=row.vat_amount or Decimal(0),
            vat_rate=row.vat_rate,
            description=row.description,
            item_code=row.item_code,
            product_code=row.product_code,
            account_code=row.account_code,
            vat_code=row.vat_code,
            dimensions=dict(row.dimensions or {}),
        )
        for i, row in enumerate(rows, start=1)
    ]


def dry_run(rule: CodingRule, invoice: Invoice) -> list[LineVerdict]:
    """What ``rule`` would do to each row of the invoice, stored or not; writes nothing."""
    facts = InvoiceFacts.of(invoice)
    book = CodeBook.load(invoice.company, [rule.actions])
    refusal = book.refusal(rule.actions, on=invoice.invoice_date)
    verdicts = []
    for line in row_drafts(invoice):
        failing = failing_conditions(rule.conditions, facts, line)
        result = [] if failing else apply_actions(rule, line, invoice.currency)
        verdicts.append(LineVerdict(line, failing, refusal, result))
    return verdicts
