"""The clients of ``load.py``: what an integrator and an approver ask of ``payables serve``.

Run by locust (``load.py`` starts it headless); the plan it reads names the keys, the
invoices, feed positions and queues to use (``PAYABLES_LOAD_PLAN``, a file only its owner
may read). Each client asks without pause, one request after the other, a mix of reads
and writes weighted as below. Writes feed each other: an upserted invoice is routed to the
bench approver, whose approval makes it exportable. A write with nothing left to act on
(no step waiting, no approved invoice) is skipped, not counted.
"""

from __future__ import annotations

import json
import os
import random
import sys
import uuid
from pathlib import Path

from locust import FastHttpUser, constant, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import make_payloads
from load_plan import UPSERTED_BY_BENCH

PLAN = json.loads(Path(os.environ["PAYABLES_LOAD_PLAN"]).read_text())
API = "/api/v1"
RUN = uuid.uuid4().hex[:8]  # upserted identities and numbers are new on every run

# Shared by the clients of this process (gevent: one thread, no lock needed).
waiting_steps: list[str] = list(PLAN["waiting_steps"])
seen_steps: set[str] = set(waiting_steps)
approved: list[str] = list(PLAN["approved_invoices"])
batches = iter(range(1, 1_000_000))


class Client(FastHttpUser):
    """One integrator system and one approver, asking in turn without think time."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.as_integrator = {"X-API-Key": PLAN["integrator_key"]}
        self.as_approver = {"X-API-Key": PLAN["approver_key"]}
        self.rng = random.Random()

    def _get(
        self, path: str, name: str, headers: dict, *, read: bool = False, **params: object
    ) -> object:
        """GET and check the status; the answer is parsed only when ``read``: the clients
        share the server's two cores, and parsing a 400 KB feed page would be their time
        counted against the server's."""
        with self.client.get(
            API + path, params=params, headers=headers, name=name, catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
                return None
            if not answer.headers.get("Content-Type", "").startswith("application/json"):
                answer.failure(f"not JSON: {answer.headers.get('Content-Type')}")
                return None
            return answer.json() if read else None

    @task(4)
    def invoice_list(self) -> None:
        self._get("/invoices", "GET /invoices", self.as_integrator)

    @task(2)
    def invoice_list_uncounted(self) -> None:
        self._get("/invoices", "GET /invoices?count=false", self.as_integrator, count="false")

    @task(3)
    def invoice_list_booked(self) -> None:
        self._get("/invoices", "GET /invoices?status=booked", self.as_integrator, status="booked")

    @task(6)
    def invoice(self) -> None:
        ref = self.rng.choice(PLAN["invoice_ids"])
        self._get(f"/invoices/{ref}", "GET /invoices/{id}", self.as_integrator)

    @task(3)
    def queue(self) -> None:
        page = self._get("/approvals/queue", "GET /approvals/queue", self.as_approver, read=True)
        for item in (page or {}).get("items", []):
            if item["step_id"] not in seen_steps:  # e.g. an invoice upserted by this run
                seen_steps.add(item["step_id"])
                waiting_steps.append(item["step_id"])

    @task(3)
    def event_feed(self) -> None:
        position = self.rng.randint(PLAN["first_sequence"], PLAN["last_sequence"])
        self._get("/feeds/events", "GET /feeds/events", self.as_integrator, **{"from": position})

    @task(2)
    def exported_feed(self) -> None:
        cursor = self.rng.choice(PLAN["exported_cursors"])
        self._get(
            "/feeds/exported", "GET /feeds/exported (100)", self.as_integrator, **{"from": cursor}
        )

    @task(2)
    def digitized_feed(self) -> None:
        cursor = self.rng.choice(PLAN["digitized_cursors"])
        self._get(
            "/feeds/digitized", "GET /feeds/digitized (100)", self.as_integrator, **{"from": cursor}
        )

    @task(1)
    def upsert(self) -> None:
        batch = next(batches)
        size = PLAN["upsert_batch"]
        supplier = self.rng.choice(PLAN["suppliers"])
        items = [
            payload
            | {
                "source_system": UPSERTED_BY_BENCH,
                "source_invoice_id": f"{RUN}-{batch}-{n}",
                "source_document_version": "1",
                "supplier": supplier,
            }
            for n, payload in enumerate(make_payloads(size, 5, batch, f"LB-{RUN}-{batch}"), start=1)
        ]
        with self.client.post(
            f"{API}/invoices/import/upsert",
            json={"invoices": items},
            headers=self.as_integrator,
            name=f"POST /invoices/import/upsert ({size})",
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
            elif answer.json()["imported_count"] != size:
                answer.failure(f"not all imported: {answer.text[:300]}")

    @task(2)
    def approve(self) -> None:
        if not waiting_steps:
            return
        step = waiting_steps.pop(self.rng.randrange(len(waiting_steps)))
        with self.client.post(
            f"{API}/approvals/{step}/approve",
            json={"comment": "ok"},
            headers=self.as_approver,
            name="POST /approvals/{id}/approve",
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
            elif answer.json()["status"] == "approved":
                approved.append(answer.json()["invoice_id"])

    @task(1)
    def export(self) -> None:
        if not approved:
            return
        ref = approved.pop(self.rng.randrange(len(approved)))
        with self.client.post(
            f"{API}/invoices/{ref}/export",
            headers=self.as_integrator,
            name="POST /invoices/{id}/export",
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
