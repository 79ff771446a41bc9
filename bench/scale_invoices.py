"""The invoices of one company as table rows: what the services would have written over years.

Invoice i of a company is created at an even pace over ``YEARS`` up to a few minutes ago;
its status follows its age, as in a live ledger: the newest are new or waiting for
approval, then approved, exported, and the bulk booked (a few rejected or cancelled).
Each has 5 rows (1-3 VAT rates, Estonian rates), its VAT breakdown, posting lines derived
from the rows (as the coding app derives them), two events and two audit entries (created,
then its latest status; a new invoice only the first), the approval steps of its chain
(two for one waiting, the waiting step current; one for one approved), an original
attachment for e-invoices and digitized ones, and the document a digitized one was read
from. Amounts reconcile to the cent. Everything follows from the seed, so a rebuild is
the same database.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

YEARS = 3
DAY = 86_400.0
VAT_RATES = (24, 13, 9, 0)  # Estonia's standard, reduced and zero rates
ORIGINS = (("e-invoice", 45), ("api", 40), ("digitized", 10), ("upload", 5))
UNITS = ("pcs", "h", "kg", "m", "l")
ITEMS = ("Paper A4", "Toner", "Consulting", "Cleaning", "Fuel", "Coffee", "Licence", "Freight")

# (newest share, status) from the newest invoice back; the rest are booked.
RECENT = ((0.01, "new"), (0.04, "assigned"), (0.06, "approved"), (0.10, "exported"))
STATUS_EVENT = {
    "assigned": ("invoice.assigned", "routed"),
    "approved": ("invoice.approved", "invoice_approved"),
    "exported": ("invoice.exported", "exported"),
    "booked": ("invoice.booked", "booked"),
    "rejected": ("invoice.rejected", "rejected"),
    "cancelled": ("invoice.cancelled", "cancelled"),
}
EVENT_TYPES_USED = ("invoice.created", *(event for event, _ in STATUS_EVENT.values()))
EXPORTED = {"exported", "booked"}

INVOICE_COLUMNS = (
    "id", "company_id", "internal_id", "supplier_id", "invoice_number", "type", "status",
    "origin", "invoice_date", "due_date", "entry_date", "vat_date", "currency",
    "currency_rate", "currency_rate_source", "currency_rate_date", "net_amount", "vat_amount",
    "gross_amount", "home_net_amount", "home_vat_amount", "home_gross_amount",
    "payment_reference", "source_system", "source_invoice_id", "source_document_version",
    "exported_at", "export_count", "booked_at", "booking_document_id", "booking_date",
    "cancel_reason", "created_at", "modified_at",
)  # fmt: skip
ROW_COLUMNS = (
    "invoice_id", "position", "description", "quantity", "unit", "unit_price", "net_amount",
    "vat_rate", "vat_amount",
)  # fmt: skip
VAT_COLUMNS = ("invoice_id", "position", "vat_rate", "vat_category", "base_amount", "vat_amount")
POSTING_COLUMNS = (
    "id", "invoice_id", "position", "source", "row_position", "description", "net_amount",
    "vat_amount", "deductible_vat_amount", "expense_amount",
)  # fmt: skip
AUDIT_COLUMNS = ("invoice_id", "at", "actor", "action", "comment")
EVENT_COLUMNS = (
    "company_id", "sequence", "type", "subject_type", "subject_id", "actor", "payload",
    "created_at",
)  # fmt: skip
STEP_COLUMNS = (
    "id", "company_id", "invoice_id", "internal_id", "round", "position", "level",
    "approver_id", "status", "is_current", "comment", "acted_at", "acted_by", "created_at",
    "invoice_due_date", "invoice_internal_id",
)  # fmt: skip
ATTACHMENT_COLUMNS = (
    "id", "invoice_id", "internal_id", "kind", "filename", "content_type", "size", "sha256",
    "is_original", "created_at",
)  # fmt: skip
DOCUMENT_COLUMNS = (
    "id", "company_id", "state", "channel", "actor", "filename", "content_type", "kind", "size",
    "sha256", "method", "pages", "languages", "fields", "vat_breakdown", "lines", "invoice_id",
    "uploaded_at", "digitized_at", "created_at", "modified_at",
)  # fmt: skip
TABLES = ("invoice", "row", "vat", "posting", "audit", "step", "attachment", "document")


@dataclass
class CompanyPlan:
    """What the generator needs of a company the setup made through the services."""

    id: str
    invoices: int
    suppliers: list[str]  # supplier ids, most used first
    approvers: list[tuple[str, str]]  # (user id, actor label); the first is the bench's
    integrator_label: str
    first_sequence: int  # the event sequence after the setup's own events
    seed: int


@dataclass
class Chunk:
    """Rows of a slice of the company's invoices, table by table (``TABLES``)."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in TABLES})


@dataclass
class Totals:
    """Per company, what the counters and feed clocks must say once its rows are in."""

    invoices: int = 0
    steps: int = 0
    attachments: int = 0
    last_sequence: int = 0
    last_exported_at: datetime | None = None
    last_digitized_at: datetime | None = None
    events: list[tuple] = field(default_factory=list)


def uuid_text(rng: random.Random) -> str:
    """A random version-4 UUID drawn from ``rng`` (``uuid4()`` would ignore the seed)."""
    bits = rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48)
    h = f"{bits | (0x4000 << 64) | (0x8000 << 48):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def money(cents: int) -> str:
    """Cents as a decimal string: ``money(-1205) == '-12.05'``."""
    sign, cents = ("-", -cents) if cents < 0 else ("", cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def vat_of(net: int, rate: int) -> int:
    """VAT in cents, rounded half away from zero as the totals check does."""
    vat = (abs(net) * rate + 50) // 100
    return -vat if net < 0 else vat


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class CompanyInvoices:
    """Generates one company's invoices in chunks, then its events in sequence order."""

    def __init__(self, plan: CompanyPlan, *, end: datetime) -> None:
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.end = end.timestamp()
        self.start = self.end - YEARS * 365 * DAY
        self.totals = Totals()
        self.origins = [o for o, weight in ORIGINS for _ in range(weight)]

    def chunks(self, size: int) -> Iterator[Chunk]:
        """The company's invoices with everything stored beside them, ``size`` at a time."""
        n = self.plan.invoices
        for first in range(0, n, size):
            chunk = Chunk()
            for i in range(first, min(first + size, n)):
                self._invoice(i, chunk.rows)
            yield chunk

    def events(self) -> list[tuple]:
        """The company's events in time order, numbered from the setup's last sequence."""
        self.totals.events.sort(key=lambda e: e[0])
        seq = self.plan.first_sequence
        company = self.plan.id
        rows = []
        for when, kind, subject, actor, payload in self.totals.events:
            seq += 1
            rows.append((company, seq, kind, "invoice", subject, actor, payload, at(when)))
        self.totals.last_sequence = seq
        self.totals.events = []
        return rows

    def _status(self, i: int) -> str:
        rng, age = self.rng, (self.plan.invoices - 1 - i) / self.plan.invoices
        if rng.random() < 0.005:
            return "cancelled"
        for share, status in RECENT:
            if age < share:
                if status in {"assigned", "approved"} and rng.random() < 0.05:
                    return "rejected"
                return status
        return "booked"

    def _invoice(self, i: int, out: dict[str, list[tuple]]) -> None:
        rng, plan = self.rng, self.plan
        span = self.end - self.start
        created = self.start + span * (i + rng.random() * 0.9) / plan.invoices
        internal = i + 1
        status = self._status(i)
        invoice_id = uuid_text(rng)
        supplier = plan.suppliers[int(len(plan.suppliers) * rng.random() ** 2)]
        origin = rng.choice(self.origins)
        is_credit = rng.random() < 0.04
        sign = -1 if is_credit else 1
        entry = at(created).date()
        invoice_date = entry - timedelta(days=rng.randint(0, 10))
        due_date = invoice_date + timedelta(days=rng.choice((14, 14, 21, 30)))

        rates = rng.sample(VAT_RATES, rng.randint(1, 3))
        by_rate: dict[int, list[int]] = {}
        for position in range(1, 6):
            quantity = rng.randint(1, 40)
            price = rng.randint(100, 99_999)
            net = sign * quantity * price
            rate = rates[position % len(rates)]
            vat = vat_of(net, rate)
            base_vat = by_rate.setdefault(rate, [0, 0])
            base_vat[0] += net
            base_vat[1] += vat
            description = f"{ITEMS[(internal + position) % len(ITEMS)]} {position}"
            out["row"].append(
                (invoice_id, position, description, quantity, UNITS[position % len(UNITS)],
                 money(price), money(net), rate, money(vat))
            )  # fmt: skip
            out["posting"].append(
                (uuid_text(rng), invoice_id, position, "row", position, description,
                 money(net), money(vat), money(vat), money(net))
            )  # fmt: skip
        net_total = sum(b for b, _ in by_rate.values())
        vat_total = sum(v for _, v in by_rate.values())
        for position, (rate, (base, vat)) in enumerate(sorted(by_rate.items(), reverse=True), 1):
            category = "S" if rate else "Z"
            out["vat"].append((invoice_id, position, rate, category, money(base), money(vat)))

        currency, rate_text, home = "EUR", "1", 1.0
        rate_source, rate_date = "", None
        if rng.random() < 0.04:
            currency, rate_text, home = "USD", "0.92", 0.92
            rate_source, rate_date = "document", invoice_date
        gross = net_total + vat_total

        def home_of(cents: int) -> str:
            return money(round(cents * home))

        number = f"INV-{invoice_date.year}-{internal:07d}"
        source_system, source_id = "", ""
        if origin == "api":
            source_system, source_id = "erp", f"ERP-{internal}"
        elif origin == "e-invoice":
            source_system, source_id = "e-invoice", f"{supplier[:8]}:{number}"

        modified = created + rng.uniform(1, 600)
        exported_at = booked_at = None
        booking_id, booking_date, cancel_reason = "", None, ""
        approved_at = created + rng.uniform(0.5, 5) * DAY
        if status in EXPORTED:
            exported_at = min(approved_at + rng.uniform(0.1, 3) * DAY, self.end)
            modified = exported_at
            if status == "booked":
                booked_at = min(exported_at + rng.uniform(0.1, 5) * DAY, self.end)
                modified = booked_at
                booking_id, booking_date = f"BK-{internal}", at(booked_at).date()
        elif status in {"approved", "rejected"}:
            modified = min(approved_at, self.end)
        elif status == "cancelled":
            modified, cancel_reason = min(created + DAY, self.end), "Sent twice"
        modified = min(modified, self.end)

        out["invoice"].append(
            (invoice_id, plan.id, internal, supplier, number,
             "credit_note" if is_credit else "invoice", status, origin, invoice_date, due_date,
             entry, invoice_date, currency, rate_text, rate_source, rate_date, money(net_total),
             money(vat_total), money(gross), home_of(net_total), home_of(vat_total),
             home_of(gross), f"{internal}{internal % 7}", source_system, source_id,
             "1" if source_system else "", at(exported_at) if exported_at else None,
             1 if exported_at else 0, at(booked_at) if booked_at else None, booking_id,
             booking_date, cancel_reason, at(created), at(modified))
        )  # fmt: skip
        if exported_at and (
            self.totals.last_exported_at is None or at(exported_at) > self.totals.last_exported_at
        ):
            self.totals.last_exported_at = at(exported_at)

        snapshot = {
            "id": invoice_id,
            "internal_id": internal,
            "invoice_number": number,
            "type": "credit_note" if is_credit else "invoice",
            "status": "new",
            "supplier_id": supplier,
            "currency": currency,
            "gross_amount": money(gross),
            "amount_due": money(gross),
        }
        actor = plan.integrator_label
        events = self.totals.events
        events.append((created, "invoice.created", invoice_id, actor, json.dumps(snapshot)))
        out["audit"].append((invoice_id, at(created), actor, "created", ""))
        if status in STATUS_EVENT:
            kind, action = STATUS_EVENT[status]
            queue_keys = (due_date, internal)
            approver = (
                ""
                if status == "cancelled"
                else self._steps(i, invoice_id, status, created, approved_at, out, queue_keys)
            )
            who = approver if status in {"approved", "rejected"} else actor
            when = created + 1 if status == "assigned" else modified
            payload = snapshot | {"status": status}
            if exported_at:
                payload |= {"export_count": 1, "document_id": f"{invoice_id}/1"}
            events.append((when, kind, invoice_id, who, json.dumps(payload)))
            out["audit"].append((invoice_id, at(when), who, action, ""))
        self._originals(invoice_id, origin, number, created, out)
        self.totals.invoices += 1

    def _steps(
        self,
        i: int,
        invoice_id: str,
        status: str,
        created: float,
        approved: float,
        out: dict,
        queue_keys: tuple,
    ) -> str:
        """The approval steps of the invoice's chain; answers the label of its approver.

        The current step carries its invoice's queue sort keys (due date, internal id), as
        the services copy them when a step becomes current."""
        approvers, plan = self.plan.approvers, self.plan
        waiting = approvers[i % len(approvers)]
        other = approvers[(i + 1) % len(approvers)]
        routed = at(created + 1)
        if status == "assigned":
            # The bench approver's turn is always the last step: approving finishes the chain.
            last = waiting is approvers[0] or self.rng.random() < 0.5
            first = (
                (other, "approved", False, at(min(created + 3600, self.end)))
                if last
                else (waiting, "waiting", True, None)
            )
            second = (waiting, "waiting", True, None) if last else (other, "waiting", False, None)
            steps = [(2, *first), (1, *second)]
        else:
            acted = at(min(approved, self.end))
            state = "rejected" if status == "rejected" else "approved"
            steps = [(1, waiting, state, False, acted)]
        for position, (level, (user, label), state, current, acted_at) in enumerate(steps, 1):
            self.totals.steps += 1
            comment = "Wrong cost centre" if state == "rejected" else ""
            out["step"].append(
                (uuid_text(self.rng), plan.id, invoice_id, self.totals.steps, 1, position, level,
                 user, state, current, comment, acted_at, label if acted_at else "", routed,
                 *(queue_keys if current else (None, None)))
            )  # fmt: skip
        return waiting[1]

    def _originals(
        self, invoice_id: str, origin: str, number: str, created: float, out: dict
    ) -> None:
        """The original file of an e-invoice or digitized invoice, and the digitized document."""
        if origin not in {"e-invoice", "digitized"}:
            return
        rng = self.rng
        pdf = origin == "digitized"
        size = rng.randint(20_000, 400_000) if pdf else rng.randint(4_000, 40_000)
        self.totals.attachments += 1
        out["attachment"].append(
            (uuid_text(rng), invoice_id, self.totals.attachments, "file",
             f"{number}.{'pdf' if pdf else 'xml'}", "application/pdf" if pdf else "application/xml",
             size, f"{rng.getrandbits(256):064x}", True, at(created))
        )  # fmt: skip
        if pdf:
            self._document(invoice_id, number, size, created, out)

    def _document(self, invoice_id: str, number: str, size: int, created: float, out: dict) -> None:
        rng = self.rng
        read_at = at(created - 1)
        fields = {
            name: {"value": value, "confidence": 0.95, "page": 1, "label": label,
                   "box": [0.6, 0.1 + 0.03 * n, 0.9, 0.12 + 0.03 * n], "validated": True}
            for n, (name, value, label) in enumerate(
                (("invoice_number", number, "Invoice no"),
                 ("issue_date", str(read_at.date()), "Date"),
                 ("due_date", str(read_at.date() + timedelta(days=14)), "Due date"),
                 ("currency", "EUR", ""),
                 ("gross_amount", "1234.56", "Total"),
                 ("iban", "EE382200221020145685", "IBAN"),
                 ("payment_reference", "13", "Reference"))
            )
        }  # fmt: skip
        lines = [{"description": f"Line {n}", "net_amount": "100.00"} for n in range(1, 4)]
        vat = [{"vat_rate": "24", "base_amount": "995.61", "vat_amount": "238.95"}]
        self.totals.last_digitized_at = max(
            filter(None, (self.totals.last_digitized_at, read_at)), default=read_at
        )
        out["document"].append(
            (uuid_text(rng), self.plan.id, "invoice_created", "api", self.plan.integrator_label,
             f"{number}.pdf", "application/pdf", "pdf", size, f"{rng.getrandbits(256):064x}",
             "text", 1, '["et"]', json.dumps(fields), json.dumps(vat), json.dumps(lines),
             invoice_id, at(created - 60), read_at, at(created - 60), read_at)
        )  # fmt: skip


def company_sizes(total: int, companies: int) -> list[int]:
    """Unequal companies, as in a group: the first is the largest (weights 1/k^0.8).

    >>> sizes = company_sizes(1000, 3)
    >>> sum(sizes), sizes[0] > sizes[1] > sizes[2]
    (1000, True)
    """
    weights = [1 / (k + 1) ** 0.8 for k in range(companies)]
    scale = total / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    sizes[0] += total - sum(sizes)
    return sizes
