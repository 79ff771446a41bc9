"""`payables demo`: a newcomer sees data at once, and the printed key and passwords work."""

from __future__ import annotations

import io
import re

from payables.approvals.models import ApprovalStep
from payables.coding.models import CodingModel, CodingRule, PostingLine
from payables.conftest import ApiClient
from payables.demo import DEMO_COMPANY, load_demo
from payables.demo.coding import HISTORY, UNCODED
from payables.demo.orders import ORDER_INVOICES
from payables.events.models import Event
from payables.invoices.models import Invoice
from payables.masterdata.models import Account, DimensionValue, ProductItem, VatCode
from payables.tenancy.models import CompanyUser

# The 20 invoices waiting, the booked history and uncoded invoices of the coding demo, and
# the invoices that bill purchase orders.
ALL_INVOICES = 20 + HISTORY + len(UNCODED) + len(ORDER_INVOICES)


def run_demo(**options: bool) -> str:
    out = io.StringIO()
    load_demo(out=out, **options)
    return out.getvalue()


def printed_passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"^User: (\S+) password: (\S+)", output, flags=re.MULTILINE))


def test_demo_prints_a_working_key_and_loads_data(db):
    output = run_demo()
    [key] = re.findall(r"^API key: (\S+)$", output, flags=re.MULTILINE)
    body = ApiClient(key).get("/invoices", {"page_size": 5}).json()
    assert body["count"] == ALL_INVOICES
    assert Invoice.objects.filter(company__name=DEMO_COMPANY).count() == ALL_INVOICES
    assert ApiClient(key).get("/suppliers").json()["count"] == 5
    assert Account.objects.count() >= 5
    assert {"EE24", "FI25.5", "LT21"} <= set(VatCode.objects.values_list("code", flat=True))
    assert DimensionValue.objects.filter(type__code="cost_centre").count() == 3
    assert ProductItem.objects.filter(seller_mappings__isnull=False).distinct().count() == 5
    assert Event.objects.filter(type="invoice.created").count() == ALL_INVOICES


def test_demo_users_can_sign_in_with_the_printed_passwords(db):
    output = run_demo()
    printed = dict(re.findall(r"^User: (\S+) password: (\S+)", output, flags=re.MULTILINE))
    assert len(printed) == CompanyUser.objects.count() == 3
    for user in CompanyUser.objects.select_related("login"):
        assert user.login.check_password(printed[user.email])


def test_running_the_demo_again_only_issues_a_new_key(db):
    first = run_demo()
    second = run_demo()
    assert "exists already" in second
    assert re.search(r"^API key: \S+$", second, flags=re.MULTILINE)
    assert first != second
    assert Invoice.objects.count() == ALL_INVOICES


def test_running_the_demo_again_says_how_to_get_new_passwords(db):
    run_demo()
    second = run_demo()
    assert "`payables demo --reset-passwords` gives them new ones" in second
    assert printed_passwords(second) == {}


def test_reset_passwords_prints_new_ones_that_work_and_the_old_ones_stop(db):
    first = printed_passwords(run_demo())
    output = run_demo(reset_passwords=True)
    again = printed_passwords(output)
    assert (
        set(again) == set(first) == {"mari@demo.example", "jaan@demo.example", "liis@demo.example"}
    )
    for user in CompanyUser.objects.select_related("login"):
        assert user.login.check_password(again[user.email])
        assert not user.login.check_password(first[user.email])
    assert "API key" not in output  # only the passwords change
    assert Invoice.objects.count() == ALL_INVOICES


def test_reset_passwords_on_a_fresh_database_loads_the_demo(db):
    output = run_demo(reset_passwords=True)
    assert len(printed_passwords(output)) == 3
    assert re.search(r"^API key: \S+$", output, flags=re.MULTILINE)


def test_demo_invoices_wait_in_the_approvers_queues(db):
    output = run_demo()
    [personal] = re.findall(r"^Personal API key of Mari Maasikas: (\S+)$", output, re.MULTILINE)
    statuses = set(Invoice.objects.values_list("status", flat=True))
    assert {"assigned", "approved", "rejected"} <= statuses
    mari = ApiClient(personal)
    queue = mari.get("/approvals/queue").json()
    assert queue["count"] > 0
    step_id = queue["items"][0]["step_id"]
    assert mari.post(f"/approvals/{step_id}/approve").status_code == 200
    assert mari.get("/approvals/queue").json()["count"] == queue["count"] - 1
    jaans = ApprovalStep.objects.filter(approver__code="E002", is_current=True)
    assert jaans.exists(), "warehouse invoices wait for Jaan's verification first"


def test_every_demo_invoice_has_a_pdf_that_renders_and_reads_back(db):
    from pypdf import PdfReader

    from payables.invoices.models import Attachment
    from payables.invoices.services import read_attachment
    from payables.web import previews

    run_demo()
    invoice = Invoice.objects.filter(supplier__name="Rīgas Loģistika SIA").first()
    [attachment] = Attachment.objects.filter(invoice=invoice)
    assert attachment.content_type == "application/pdf"
    data = read_attachment(attachment)
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert invoice.invoice_number in text
    assert "Rigas Logistika SIA" in text  # letters outside WinAnsi lose their accents
    assert f"{invoice.gross_amount:.2f}" in text
    assert previews.page_count(data) == 1
    png = previews.render_page(data, 0)
    assert png.data.startswith(b"\x89PNG")
    assert Attachment.objects.count() == Invoice.objects.count()


def test_the_demo_codes_by_rules_and_suggests_from_its_booked_history(db):
    output = run_demo()
    [key] = re.findall(r"^API key: (\S+)$", output, flags=re.MULTILINE)
    api = ApiClient(key)
    assert CodingModel.objects.get().booked_count == HISTORY
    fuel_rule = CodingRule.objects.get(name__startswith="Car fuel")

    fuel = PostingLine.objects.get(invoice__invoice_number="U-001")
    assert (fuel.account_code, fuel.vat_code) == ("4060", "EE24-CAR")
    assert fuel.source == f"rule:{fuel_rule.id}"
    assert fuel.non_deductible_vat_amount == fuel.vat_amount / 2
    cleaning = Invoice.objects.get(invoice_number="U-002")
    (line,) = api.get(f"/invoices/{cleaning.id}/suggestions").json()["lines"]
    assert line["account"][0]["value"] == "4010"
    assert line["dimensions"]["cost_centre"][0]["value"] == "CC100"


def test_the_demo_has_an_invoice_matching_its_order_and_one_routed_for_a_discrepancy(db):
    output = run_demo()
    [key] = re.findall(r"^API key: (\S+)$", output, flags=re.MULTILINE)
    api = ApiClient(key)
    orders = api.get("/purchase-orders").json()
    assert orders["count"] == 3
    assert {o["status"] for o in orders["items"]} == {"received", "partially_received"}

    matched = Invoice.objects.get(invoice_number="TK-5501")
    answer = api.get(f"/invoices/{matched.id}/purchase-order-match").json()
    assert (answer["status"], answer["purchase_order_number"]) == ("matched", "PO-2026-0001")
    assert answer["mode"] == "three_way"

    off = Invoice.objects.get(invoice_number="RL-0907")
    answer = api.get(f"/invoices/{off.id}/purchase-order-match").json()
    assert (answer["status"], answer["purchase_order_number"]) == ("discrepancy", "PO-2026-0002")
    assert [line["status"] for line in answer["lines"]] == ["price_variance"]
    first = ApprovalStep.objects.filter(invoice=off).order_by("position").first()
    assert (first.approver.code, first.is_current) == ("E002", True)  # the order's requester
    assert Invoice.objects.filter(po_match_status="discrepancy").count() == 1
