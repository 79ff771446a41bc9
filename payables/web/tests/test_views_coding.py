"""The invoice page's Coding card: who sees the editor, saving lines, splits, suggestions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from payables.coding.inputs import PostingLineIn
from payables.coding.models import PostingLine, PrebookingSplit
from payables.coding.services import derive_posting_lines, replace_posting_lines
from payables.coding.services.training import train_coding_model
from payables.coding.tests.test_suggestions import DEVICE, SUBSCRIPTION, book, rows_payload  # noqa: F401
from payables.conftest import invoice_data
from payables.events.coding_event_types import INVOICE_CODING_CHANGED
from payables.events.models import Event
from payables.handoff.tests.handoff_support import (  # noqa: F401 (fixtures)
    approver,
    make_approved,
    make_exported,
)
from payables.invoices.models import Invoice
from payables.invoices.schemas import InvoiceIn
from payables.invoices.services import create_invoice
from payables.invoices.tests.master_data import MasterData
from payables.tenancy.models import CompanyUser
from payables.web.auth import BACKEND

HTMX = {"HX-Request": "true"}


@pytest.fixture
def master_data(api) -> MasterData:
    """Accounts 4000/4010/6000, purchase VAT codes 22 %, 9 % and 22 % half deductible,
    a sales code, and departments."""
    data = MasterData(api)
    for code in ("4000", "4010", "6000"):
        data.account(code)
    data.vat_code("VAT22", "22")
    data.vat_code("VAT9", "9")
    data.vat_code("VAT22HALF", "22", non_deductible_share="50")
    data.vat_code("SALES22", "22", kind="sales")
    for code in ("IT", "HR"):
        data.dimension("department", code)
    return data


@pytest.fixture
def acc(accountant: CompanyUser, browser_for):
    return browser_for(accountant)


def _url(invoice: Invoice, what: str = "") -> str:
    return f"/invoices/{invoice.id}/{what}"


def _lines(*lines: dict) -> dict[str, str]:
    """The editor's posted rows: ``line-<n>-<field>``, dimensions as ``dim_<i>``."""
    data = {}
    for n, line in enumerate(lines):
        for name, value in line.items():
            data[f"line-{n}-{name}"] = value
    return {**data, "action": "save"}


def _stored(invoice: Invoice) -> list[tuple]:
    return list(
        PostingLine.objects.filter(invoice=invoice).values_list(
            "source", "account_code", "vat_code", "net_amount", "vat_amount"
        )
    )


GOOD = _lines(
    {"account_code": "4000", "vat_code": "VAT22HALF", "dim_0": "IT", "net_amount": "100.00",
     "vat_amount": "22.00"},
    {"account_code": "6000", "vat_code": "VAT9", "net_amount": "50", "description": "Books"},
)  # fmt: skip


# --- who sees what --------------------------------------------------------------------------


def test_an_accountant_sees_the_lines_and_the_editor_with_pickers(master_data, make_invoice, acc):
    invoice = make_invoice()
    page = acc.get(_url(invoice)).text
    assert 'id="coding"' in page and "Edit posting lines" in page
    assert "Deductible VAT" in page and "Non-deductible VAT" in page and "Expense" in page
    assert '<datalist id="coding-accounts"><option value="4000">Account 4000</option>' in page
    assert '<option value="VAT22HALF">22 %, 50 % non-deductible</option>' in page
    assert "SALES22" not in page  # purchase codes only
    assert '<datalist id="coding-dim-0"><option value="HR">' in page
    assert 'name="line-1-net_amount" value="50.00"' in page
    assert 'aria-label="Account of line 2"' in page
    assert "Split by percent" in page and "Save coding" in page


def test_an_approver_sees_the_lines_read_only(chain, browser_for, ann):
    invoice, _, _ = chain
    page = browser_for(ann).get(_url(invoice)).text
    assert 'id="coding"' in page and "100.00" in page
    assert "Edit posting lines" not in page and "Split by percent" not in page


def test_an_approver_codes_only_where_the_company_lets_them_and_only_when_it_is_their_turn(
    chain, browser_for, ann, bob, company
):
    invoice, _, _ = chain
    company.approvers_may_code = True
    company.save()
    assert "Edit posting lines" in browser_for(ann).get(_url(invoice)).text
    assert "Edit posting lines" not in browser_for(bob).get(_url(invoice)).text


def test_an_exported_invoice_shows_no_editor(make_exported, acc):  # noqa: F811
    invoice = make_exported()
    page = acc.get(_url(invoice)).text
    assert 'id="coding"' in page and "Edit posting lines" not in page
    response = acc.post(_url(invoice, "coding/lines/"), GOOD)
    assert response.status_code == 409
    assert "accounting has it" in response.text


# --- saving posting lines -------------------------------------------------------------------


def test_saving_lines_with_htmx_swaps_the_card_with_the_vat_split(master_data, make_invoice, acc):
    invoice = make_invoice()
    response = acc.post(_url(invoice, "coding/lines/"), GOOD, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="coding"')
    assert "The posting lines are saved." in response.text
    assert _stored(invoice) == [
        ("manual", "4000", "VAT22HALF", Decimal("100.00"), Decimal("22.00")),
        ("manual", "6000", "VAT9", Decimal("50.00"), Decimal("4.50")),  # VAT from the code
    ]
    first = PostingLine.objects.get(invoice=invoice, position=1)
    assert first.dimensions == {"department": "IT"}
    assert (first.deductible_vat_amount, first.non_deductible_vat_amount) == (
        Decimal("11.00"),
        Decimal("11.00"),
    )
    assert ">111.00<" in response.text  # the expense: net + non-deductible VAT
    assert Event.objects.filter(type=INVOICE_CODING_CHANGED, subject_id=invoice.id).exists()


def test_saving_lines_without_javascript_redirects_to_the_invoice(master_data, make_invoice, acc):
    invoice = make_invoice()
    response = acc.post(_url(invoice, "coding/lines/"), GOOD)
    assert response.status_code == 303
    assert response["Location"] == _url(invoice) + "#coding"
    assert "The posting lines are saved." in acc.get(response["Location"]).text


def test_lines_that_do_not_add_up_are_refused_and_nothing_changes(master_data, make_invoice, acc):
    invoice = make_invoice()
    before = _stored(invoice)
    wrong = {**GOOD, "line-1-net_amount": "49.99"}
    response = acc.post(_url(invoice, "coding/lines/"), wrong, headers=HTMX)
    assert response.status_code == 422
    assert "The lines&#x27; net adds up to 149.99 EUR" in response.text
    assert 'name="line-1-net_amount" value="49.99"' in response.text  # kept as typed
    assert _stored(invoice) == before


def test_an_unknown_account_is_refused_beside_its_input(master_data, make_invoice, acc):
    invoice = make_invoice()
    before = _stored(invoice)
    wrong = {**GOOD, "line-1-account_code": "9999"}
    response = acc.post(_url(invoice, "coding/lines/"), wrong)  # plain post: the whole page
    assert response.status_code == 422
    page = response.text
    assert '<p class="field-error" id="id_line-1-account_code-error" role="alert">' in page
    assert "There is no account &#x27;9999&#x27;." in page
    assert 'aria-describedby="id_line-1-account_code-error"' in page
    assert 'aria-invalid="true"' in page
    assert "<h1>" in page  # the whole invoice page
    assert _stored(invoice) == before


def test_an_unknown_dimension_value_is_refused_beside_its_input(master_data, make_invoice, acc):
    invoice = make_invoice()
    response = acc.post(_url(invoice, "coding/lines/"), {**GOOD, "line-0-dim_0": "NOPE"})
    assert response.status_code == 422
    assert 'id="id_line-0-dim_0-error"' in response.text


def test_a_line_without_account_or_amount_is_refused_by_the_form(master_data, make_invoice, acc):
    invoice = make_invoice()
    wrong = {**GOOD, "line-1-account_code": "", "line-0-net_amount": "ten"}
    response = acc.post(_url(invoice, "coding/lines/"), wrong, headers=HTMX)
    assert response.status_code == 422
    assert "Give the line&#x27;s account." in response.text
    assert 'id="id_line-0-net_amount-error"' in response.text
    assert {source for source, *_ in _stored(invoice)} == {"row"}


def test_add_and_remove_change_the_form_only(master_data, make_invoice, acc):
    invoice = make_invoice()
    before = _stored(invoice)
    added = acc.post(_url(invoice, "coding/lines/"), {**GOOD, "action": "add"}, headers=HTMX)
    assert added.status_code == 200
    assert 'aria-label="Account of line 3"' in added.text
    assert "field-error" not in added.text  # the empty new line is not judged
    removed = acc.post(_url(invoice, "coding/lines/"), {**GOOD, "action": "remove-0"}, headers=HTMX)
    assert 'name="line-0-account_code"' not in removed.text
    assert 'name="line-1-account_code"' in removed.text
    assert 'aria-label="Account of line 2"' not in removed.text
    assert _stored(invoice) == before


def test_an_empty_row_is_left_out(master_data, make_invoice, acc):
    invoice = make_invoice()
    data = {**GOOD, "line-2-account_code": "", "line-2-net_amount": ""}
    assert acc.post(_url(invoice, "coding/lines/"), data).status_code == 303
    assert len(_stored(invoice)) == 2


# --- prebooking -----------------------------------------------------------------------------


def test_splitting_by_percent_prebooks_the_invoice(master_data, make_invoice, acc):
    invoice = make_invoice()
    data = {
        "split-0-percent": "60", "split-0-account_code": "4000", "split-0-vat_code": "VAT22",
        "split-1-percent": "40", "split-1-account_code": "6000", "split-1-dim_0": "HR",
        "action": "save",
    }  # fmt: skip
    response = acc.post(_url(invoice, "coding/prebooking/"), data, headers=HTMX)
    assert response.status_code == 200
    assert "The invoice is split by percent." in response.text
    assert list(PrebookingSplit.objects.filter(invoice=invoice).values_list("percent", flat=True))
    assert [(s, a, n) for s, a, _, n, _ in _stored(invoice)] == [
        ("prebooking", "4000", Decimal("90.00")),
        ("prebooking", "6000", Decimal("60.00")),
    ]
    assert PostingLine.objects.get(invoice=invoice, position=2).dimensions == {"department": "HR"}
    assert '<details class="coding-split" open>' in response.text  # its splits are shown


def test_percentages_that_do_not_total_100_are_refused(master_data, make_invoice, acc):
    invoice = make_invoice()
    data = {
        "split-0-percent": "60", "split-0-account_code": "4000",
        "split-1-percent": "30", "split-1-account_code": "SALES22",
        "split-1-vat_code": "SALES22", "action": "save",
    }  # fmt: skip
    response = acc.post(_url(invoice, "coding/prebooking/"), data, headers=HTMX)
    assert response.status_code == 422
    assert "The percentages add up to 90" in response.text
    assert 'id="id_split-1-vat_code-error"' in response.text  # a sales code
    assert 'id="id_split-1-account_code-error"' in response.text  # not an account
    assert not PrebookingSplit.objects.filter(invoice=invoice).exists()


# --- who may post ---------------------------------------------------------------------------


def test_an_approver_without_the_setting_is_refused(chain, browser_for, ann, master_data):
    invoice, _, _ = chain
    before = _stored(invoice)
    response = browser_for(ann).post(_url(invoice, "coding/lines/"), GOOD)
    assert response.status_code == 403
    assert "does not let approvers change coding" in response.text
    assert (
        browser_for(ann).post(_url(invoice, "coding/lines/"), GOOD, headers=HTMX).status_code == 403
    )
    assert _stored(invoice) == before


def test_an_approver_with_the_setting_codes_the_invoice_waiting_for_them(
    chain, browser_for, ann, bob, company, master_data
):
    invoice, _, _ = chain
    company.approvers_may_code = True
    company.save()
    assert browser_for(bob).post(_url(invoice, "coding/lines/"), GOOD).status_code == 403
    assert browser_for(ann).post(_url(invoice, "coding/lines/"), GOOD).status_code == 303
    assert {source for source, *_ in _stored(invoice)} == {"manual"}


def test_another_companys_invoice_is_not_found(
    make_invoice, make_member, browser_for, other_company
):
    invoice = make_invoice()
    stranger = make_member("OTHER", roles=("accountant",), company=other_company)
    client = browser_for(stranger)
    for what in ("coding/lines/", "coding/prebooking/", "coding/suggestions/accept/"):
        assert client.post(_url(invoice, what), GOOD).status_code == 404


def test_the_forms_need_the_csrf_token(make_invoice, accountant):
    invoice = make_invoice()
    client = Client(enforce_csrf_checks=True)
    client.force_login(accountant.login, backend=BACKEND)
    assert client.post(_url(invoice, "coding/lines/"), GOOD).status_code == 403
    assert _stored(invoice)[0][0] == "row"


# --- suggestions ----------------------------------------------------------------------------


@pytest.fixture
def uncoded(actor, supplier) -> Invoice:
    """A subscription and a phone, uncoded (the company keeps no master data)."""
    rows = rows_payload(
        ("MOBILE SUBSCRIPTION 07/2026", "39.90", ""),
        ("device purchase phone model 99", "650", ""),
    )
    return create_invoice(InvoiceIn(**invoice_data(supplier.id, **rows)), actor=actor)


def test_suggestions_are_shown_beside_each_line_and_accepted_one_by_one(
    book,  # noqa: F811 (the imported fixture)
    actor,
    company,
    uncoded,
    acc,
):
    book(SUBSCRIPTION, 6)
    book(DEVICE, 4, start=10)
    train_coding_model(company)
    page = acc.get(_url(uncoded)).text
    assert "Suggestion" in page and "Accept all suggestions" in page
    assert 'aria-label="Accept the suggestion for line 1"' in page
    assert '<span class="mono">6010</span> <span class="muted small">' in page

    response = acc.post(
        _url(uncoded, "coding/suggestions/accept/"), {"position": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "The suggestion is accepted." in response.text
    first, second = PostingLine.objects.filter(invoice=uncoded)
    assert (first.source, first.account_code, first.vat_code) == ("suggestion", "6010", "VAT24")
    assert first.confidence is not None and first.confidence > Decimal("0.5")
    assert (first.net_amount, first.vat_amount) == (Decimal("39.90"), Decimal("9.58"))
    assert second.account_code == ""
    assert "(as coded)" in response.text
    assert 'aria-label="Accept the suggestion for line 1"' not in response.text
    event = Event.objects.filter(type=INVOICE_CODING_CHANGED, subject_id=uncoded.id).get()
    assert event.payload["how"] == "posting_lines"
    assert [line["source"] for line in event.payload["posting_lines"]] == ["suggestion", "row"]

    response = acc.post(_url(uncoded, "coding/suggestions/accept/"), {"position": "all"})
    assert response.status_code == 303
    second = PostingLine.objects.get(invoice=uncoded, position=2)
    assert (second.source, second.account_code, second.dimensions) == (
        "suggestion",
        "1210",
        {"department": "IT"},
    )
    uncoded.refresh_from_db()
    assert uncoded.coded and uncoded.prebooked  # a person accepted them

    # Accepted suggestions are a person's coding: routing the invoice again keeps them.
    derive_posting_lines(uncoded, actor=actor)
    kept = PostingLine.objects.filter(invoice=uncoded)
    assert [(p.source, p.account_code) for p in kept] == [
        ("suggestion", "6010"),
        ("suggestion", "1210"),
    ]


def test_without_a_model_there_is_nothing_to_accept(uncoded, acc):
    page = acc.get(_url(uncoded)).text
    assert "Accept all suggestions" not in page
    response = acc.post(
        _url(uncoded, "coding/suggestions/accept/"), {"position": "all"}, headers=HTMX
    )
    assert response.status_code == 422
    assert "There are no suggestions to accept." in response.text
    bad = acc.post(_url(uncoded, "coding/suggestions/accept/"), {"position": "x"}, headers=HTMX)
    assert bad.status_code == 422


# --- the worklists --------------------------------------------------------------------------


def _numbers(client, query: str = "") -> set[str]:
    page = client.get(f"/invoices/{query}").text
    return {n for n in ("W-NEW", "W-PRE", "W-OK", "W-OUT", "W-REV") if f">{n}<" in page}


def test_the_worklist_tabs_filter_the_list(make_invoice, make_approved, make_exported, acc, actor):  # noqa: F811
    make_invoice(invoice_number="W-NEW")
    prebooked = make_invoice(invoice_number="W-PRE")
    replace_posting_lines(
        prebooked,
        [PostingLineIn(account_code="4000", vat_code="V", net_amount="150", vat_amount="26.50")],
        actor=actor,
    )
    make_approved(invoice_number="W-OK")
    make_exported(invoice_number="W-OUT")
    review = make_invoice(invoice_number="W-REV")
    Invoice.objects.filter(pk=review.pk).update(needs_review=True)  # flagged (test input)

    assert _numbers(acc) == {"W-NEW", "W-PRE", "W-OK", "W-OUT", "W-REV"}
    assert _numbers(acc, "?booked=false") == {"W-NEW", "W-PRE", "W-OK", "W-OUT", "W-REV"}
    assert _numbers(acc, "?prebooked=true") == {"W-PRE"}
    assert _numbers(acc, "?approved=false") == {"W-NEW", "W-PRE", "W-REV"}
    assert _numbers(acc, "?approved=true&booked=false") == {"W-OK", "W-OUT"}
    assert _numbers(acc, "?needs_review=true") == {"W-REV"}
    assert _numbers(acc, "?coded=false") == {"W-NEW", "W-OK", "W-OUT", "W-REV"}
    assert _numbers(acc, "?coded=false&supplier=nobody") == set()

    page = acc.get("/invoices/?approved=true&booked=false").text
    assert (
        '<a href="/invoices/?approved=true&amp;booked=false" aria-current="page">Approved</a>'
        in page
    )
    assert '<a href="/invoices/?booked=false">Unbooked</a>' in page
    assert '<input type="hidden" name="approved" value="true">' in page  # kept when filtering
    assert '<a href="/invoices/" aria-current="page">All</a>' in acc.get("/invoices/").text
