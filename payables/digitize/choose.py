"""From candidates to fields: the best value per field, amounts that add up, dates in order,
and a confidence that reaches ACCEPT_CONFIDENCE only for validated values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import product

from payables.digitize.candidates import Candidate, Document
from payables.digitize.model import Field
from payables.digitize.parsing import parse_values
from payables.digitize.validators import check_registry_code
from payables.digitize.values import find_percentages

ACCEPTED, ACCEPTED_BY_MEMORY = 0.95, 0.98
UNVALIDATED_CAP = 0.85
CHECKSUM_FAILED_CAP = 0.45
_PARTY_FIELDS = {"seller_vat_id": "buyer_vat_id", "seller_name": "buyer_name"}


def choose(doc: Document, candidates: list[Candidate]) -> tuple[dict[str, Field], tuple[dict, ...]]:
    """Pick every field's value; return the fields and the VAT breakdown found."""
    by_field: dict[str, list[Candidate]] = {}
    for candidate in _assign_parties(doc, candidates):
        by_field.setdefault(candidate.name, []).append(candidate)
    best = {name: _merge(cands) for name, cands in by_field.items()}
    fields: dict[str, Field] = {}

    iban = _pick_iban(best.get("iban", []))
    if iban:
        fields["iban"] = iban
    country = _country(best, iban)
    sellers, buyers = _split_vat_ids(best.get("seller_vat_id", []), best.get("buyer_vat_id", []))
    for name, pool in (("seller_vat_id", sellers), ("buyer_vat_id", buyers)):
        field = _pick_vat(pool, fields, iban)
        if field:
            fields[name] = field
    country = (fields["seller_vat_id"].value[:2] if "seller_vat_id" in fields else country) or ""
    for name in (
        "bic",
        "payment_reference",
        "seller_registry_code",
        "buyer_name",
        "seller_name",
        "invoice_number",
        "order_number",
    ):
        field = _pick_simple(name, best.get(name, []), fields, str(country))
        if field:
            fields[name] = field
    if "payment_reference" not in fields and "invoice_number" in fields:
        # Nothing printed as a reference: payers quote the invoice number (SEPA remittance
        # information); offered for review, never accepted on its own.
        number = fields["invoice_number"]
        fields["payment_reference"] = replace(
            number, name="payment_reference", confidence=0.5, validated=False, label=""
        )
    currency = _pick_currency(best.get("currency", []))
    if currency:
        fields["currency"] = currency
    fields.update(_pick_dates(best))
    amounts, breakdown = _solve_amounts(doc, best)
    fields.update(amounts)
    return fields, breakdown


def _assign_parties(doc: Document, candidates: Iterable[Candidate]) -> Iterable[Candidate]:
    """Seller fields found in the buyer's block become the buyer's; a third party's are dropped;
    those under the seller's own heading count a little more."""
    seller_fields = {"seller_vat_id", "seller_name", "seller_registry_code"}
    for candidate in candidates:
        if candidate.name in seller_fields and not candidate.memory:
            party = doc.party_at(candidate.page, candidate.box)
            if party == "other":
                continue
            if party == "buyer":
                if candidate.name == "seller_registry_code":
                    continue
                candidate = replace(candidate, name=_PARTY_FIELDS[candidate.name])
            elif party == "seller":
                candidate = replace(candidate, score=candidate.score + 0.15)
        yield candidate


def _merge(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per value, the best placed, a little stronger for each repetition."""
    groups: dict[object, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(_key(candidate.value), []).append(candidate)
    merged = []
    for group in groups.values():
        group.sort(key=lambda c: -c.score)
        top = group[0]
        places = len({(c.page, c.box) for c in group})
        merged.append(
            replace(
                top,
                score=top.score + min(0.15, 0.05 * (places - 1)),
                support=places,
                memory=any(c.memory for c in group),
                memory_confirmed=any(c.memory_confirmed for c in group),
                label=top.label or next((c.label for c in group if c.label), ""),
            )
        )
    return sorted(merged, key=lambda c: -c.score)


def _key(value: object) -> object:
    if isinstance(value, str):
        return value.upper().replace(" ", "")
    return value


def _support(candidates: list[Candidate], value: object) -> int:
    return sum(1 for c in candidates if _key(c.value) == _key(value))


def field_of(candidate: Candidate, *, validated: bool, name: str | None = None) -> Field:
    """The field for a chosen candidate; confidence from validation, label and reading."""
    if validated:
        confidence = ACCEPTED_BY_MEMORY if candidate.memory else ACCEPTED
    else:
        confidence = min(UNVALIDATED_CAP, 0.3 + 0.55 * min(candidate.score, 1.0))
        if candidate.memory:
            confidence = min(0.88, confidence + 0.1)
        confidence *= 0.7 + 0.3 * candidate.word_confidence
        if candidate.valid is False:
            confidence = min(confidence, CHECKSUM_FAILED_CAP)
    return Field(
        name=name or candidate.name,
        value=candidate.value,
        confidence=round(confidence, 3),
        page=candidate.page,
        box=tuple(round(v, 4) for v in candidate.box),  # type: ignore[arg-type]
        label=candidate.label,
        source_text=candidate.source,
        validated=validated,
    )


def _pick_iban(candidates: list[Candidate]) -> Field | None:
    valid = [c for c in candidates if c.valid]
    if valid:
        return field_of(max(valid, key=lambda c: c.score), validated=True)
    if candidates:  # shown for review, never accepted
        return replace(field_of(candidates[0], validated=False), confidence=0.2)
    return None


def _country(best: dict[str, list[Candidate]], iban: Field | None) -> str:
    return str(iban.value)[:2] if iban and iban.validated else ""


def _split_vat_ids(sellers: list[Candidate], buyers: list[Candidate]):
    """Each VAT id goes to the party where it was found most strongly (the seller's id may
    also be printed in the footer under the buyer's block, the buyer's once by its label)."""
    seller_best = {_key(c.value): c.score for c in sellers}
    buyer_best = {_key(c.value): c.score for c in buyers}
    return (
        [c for c in sellers if seller_best[_key(c.value)] >= buyer_best.get(_key(c.value), 0)],
        [c for c in buyers if buyer_best[_key(c.value)] > seller_best.get(_key(c.value), 0)],
    )


def _pick_vat(candidates: list[Candidate], fields: dict[str, Field], iban: Field | None):
    taken = {_key(f.value) for f in fields.values() if f.name.endswith("vat_id")}
    pool = [c for c in candidates if _key(c.value) not in taken]
    if not pool:
        return None

    def rank(c: Candidate) -> float:
        bonus = 0.2 if c.valid else 0.0
        if iban and str(c.value)[:2] == str(iban.value)[:2]:
            bonus += 0.05
        return c.score + bonus

    chosen = max(pool, key=rank)
    validated = bool(chosen.valid) and (chosen.score >= 0.4 or chosen.memory)
    return field_of(chosen, validated=validated)


def _pick_simple(name: str, candidates: list[Candidate], fields: dict[str, Field], country: str):
    if not candidates:
        return None
    if name == "seller_name":
        buyer = fields.get("buyer_name")
        candidates = [c for c in candidates if not buyer or _key(c.value) != _key(buyer.value)]
        if not candidates:
            return None
    if name == "seller_registry_code":
        taken = {_key(f.value) for f in fields.values()}
        candidates = [c for c in candidates if _key(c.value) not in taken or c.memory]
        if not candidates:
            return None
        chosen = candidates[0]
        value, valid = check_registry_code(str(chosen.value), country)
        chosen = replace(chosen, value=value, valid=valid)
        return field_of(chosen, validated=bool(valid))
    if name in ("bic", "payment_reference"):
        chosen = max(candidates, key=lambda c: c.score + (0.3 if c.valid else 0.0))
        validated = bool(chosen.valid)
        if name == "bic" and "iban" in fields and validated:
            validated = str(chosen.value)[4:6] == str(fields["iban"].value)[:2] or chosen.memory
        return field_of(chosen, validated=validated)
    chosen = candidates[0]
    validated = chosen.memory_confirmed  # the remembered label, at the remembered place
    if name == "invoice_number" and chosen.support >= 2 and chosen.score >= 0.9:
        validated = True  # labelled, and printed again under a label elsewhere
    return field_of(chosen, validated=validated)


def _pick_currency(candidates: list[Candidate]) -> Field | None:
    if not candidates:
        return None
    labelled = [c for c in candidates if c.label]
    votes: dict[str, float] = {}
    for c in candidates:
        votes[str(c.value)] = votes.get(str(c.value), 0.0) + c.score * c.support
    if labelled:
        chosen = max(labelled, key=lambda c: c.score)
    else:
        code = max(votes, key=lambda k: votes[k])
        chosen = max((c for c in candidates if c.value == code), key=lambda c: c.score)
    agree = len(votes) == 1 or votes[str(chosen.value)] >= 0.8 * sum(votes.values())
    validated = (
        chosen.memory_confirmed
        or (bool(chosen.label) and chosen.score >= 0.8)
        or (agree and votes[str(chosen.value)] >= 0.6)
    )
    return field_of(chosen, validated=validated)


def _pick_dates(best: dict[str, list[Candidate]]) -> dict[str, Field]:
    issue_pool = best.get("issue_date", [])
    due_pool = best.get("due_date", [])
    vat_pool = best.get("vat_date", [])
    issue = issue_pool[0] if issue_pool else None
    due = None
    for candidate in due_pool:
        if issue is None or candidate.value >= issue.value:
            due = candidate
            break
    vat = vat_pool[0] if vat_pool else None
    out = {}
    if issue:
        ok = due is None or due.value <= issue.value + timedelta(days=400)
        out["issue_date"] = field_of(issue, validated=_date_valid(issue) and ok)
    if due:
        ok = issue is not None and issue.value <= due.value <= issue.value + timedelta(days=400)
        out["due_date"] = field_of(due, validated=_date_valid(due) and (ok or due.memory_confirmed))
    if vat:
        ok = issue is None or abs((vat.value - issue.value).days) <= 366
        out["vat_date"] = field_of(vat, validated=_date_valid(vat) and ok)
    return out


def _date_valid(candidate: Candidate) -> bool:
    assert isinstance(candidate.value, date)
    return not candidate.ambiguous and (candidate.score >= 0.7 or candidate.memory_confirmed)


# --- Amounts --------------------------------------------------------------------------------

STANDARD_RATES = {
    Decimal(r)
    for r in [
        "0",
        "2.1",
        "5",
        "5.5",
        "6",
        "7",
        "8",
        "9",
        "10",
        "12",
        "13",
        "14",
        "19",
        "20",
        "21",
        "22",
        "23",
        "24",
        "25",
        "25.5",
    ]
}
_CENT = Decimal("0.01")


def _solve_amounts(doc: Document, best: dict[str, list[Candidate]]):
    """Net, VAT and gross that add up (and match the VAT breakdown), nearest labels first."""
    breakdown = vat_breakdown(doc)
    anywhere = {c.value: c for c in best.get("any_amount", [])}
    pools = [best.get(n, [])[:6] for n in ("net_amount", "vat_amount", "gross_amount")]
    rates = {row["rate"] for row in breakdown}
    sum_net = sum((row["net"] for row in breakdown), Decimal(0))
    sum_vat = sum((row["vat"] for row in breakdown), Decimal(0))
    best_score, best_pick, best_consistent = float("-inf"), (None, None, None), False
    for net, vat, gross in product(*[[*p, None] for p in pools]):
        picked = [net, vat, gross]
        boxes = [(c.page, c.box) for c in picked if c is not None]
        if len(set(boxes)) < len(boxes):
            continue  # one printed amount cannot be two totals
        present = [c for c in picked if c is not None]
        if len(present) == 2:
            picked = _derive(picked, anywhere)
        score = sum(c.score for c in picked if c is not None)
        consistent = None not in picked and picked[0].value + picked[1].value == picked[2].value
        if None not in picked:
            score += 1.5 if consistent else -0.6
        if breakdown and picked[0] is not None and picked[0].value == sum_net:
            score += 0.4
        if breakdown and picked[1] is not None and picked[1].value == sum_vat:
            score += 0.4
        if score > best_score:
            best_score, best_pick, best_consistent = score, tuple(picked), consistent
    net, vat, gross = best_pick
    exact = all(c.exact for c in best_pick if c is not None)  # "15387" may be "15.387,08"
    proven = (
        best_consistent
        and exact
        and (
            len(rates) < 2
            or (
                net is not None and vat is not None and (net.value, vat.value) == (sum_net, sum_vat)
            )
        )
    )
    fields = {}
    for name, candidate in zip(
        ("net_amount", "vat_amount", "gross_amount"), best_pick, strict=True
    ):
        if candidate is not None:
            fields[name] = field_of(candidate, validated=bool(proven), name=name)
    return fields, tuple(breakdown)


def _derive(picked: list[Candidate | None], anywhere: dict) -> list[Candidate | None]:
    """With two of net/VAT/gross, the third is where its printed value stands, if it does."""
    net, vat, gross = picked
    if gross is None and net is not None and vat is not None:
        found = anywhere.get(net.value + vat.value)
        return [net, vat, _as(found, "gross_amount")]
    if vat is None and net is not None and gross is not None:
        found = anywhere.get(gross.value - net.value)
        return [net, _as(found, "vat_amount"), gross]
    if net is None and vat is not None and gross is not None:
        found = anywhere.get(gross.value - vat.value)
        return [_as(found, "net_amount"), vat, gross]
    return picked


def _as(candidate: Candidate | None, name: str) -> Candidate | None:
    if candidate is None or not candidate.exact:
        return None
    return replace(candidate, name=name, score=0.3)


def vat_breakdown(doc: Document) -> list[dict]:
    """Rows that hold a rate, a base and the VAT the rate gives on it (rounded to the cent)."""
    found: list[dict] = []
    for row in doc.rows():
        text = row.text
        amounts = [p for p in parse_values("amount", text) if p.exact]
        rates = [r for r, _, _ in find_percentages(text)]
        rates += [
            p.value
            for p in parse_values("amount", text)
            if not p.exact and p.value in STANDARD_RATES and p.value > 0
        ]
        rates += [p.value for p in amounts if p.value in STANDARD_RATES and 0 < p.value < 30]
        for rate in dict.fromkeys(rates):
            for i, base in enumerate(amounts):
                for tax in amounts[i + 1 :]:
                    if base.value == 0 and rate:
                        continue
                    expected = (base.value * rate / 100).quantize(_CENT)
                    if abs(expected - tax.value) <= _CENT and (rate or tax.value == 0):
                        entry = {"rate": rate, "net": base.value, "vat": tax.value}
                        if entry not in found:
                            found.append(entry)
    return found
