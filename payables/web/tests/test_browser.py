"""The inbox in a real browser: Playwright drives Debian's Chromium against the live server.

No browser is downloaded (``playwright install`` is never run): the tests use the
Chromium at ``/usr/bin/chromium`` and are skipped, saying so, where it or playwright is
missing. Screenshots of the pages land in ``var/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from payables.approvals.models import ApprovalStep
from payables.einvoice.tests.corpus import ABSENT, CORPUS_DIR
from payables.invoices.models import Invoice
from payables.invoices.services.attachments import add_attachment
from payables.invoices.services.einvoice_import import import_einvoice
from payables.masterdata.schemas import UserIn
from payables.masterdata.services import create_user
from payables.web.tests.conftest import PASSWORD, corpus_pdf
from payables.web.tests.mail_links import links_in

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # a dev install brings it; without it the tests say how to get it
    sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        sync_playwright is None,
        reason="browser tests need playwright: pip install -e '.[dev]' (no browser download)",
    ),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with pytest.MonkeyPatch.context() as env:
        # Playwright's sync API keeps an event loop in this thread, and Django refuses ORM
        # calls from a thread with a running loop; the tests' own ORM calls are synchronous.
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            # --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
            )
            yield chromium
            chromium.close()


@pytest.fixture
def page(browser: Browser, transactional_db: None, live_server: Any) -> Iterator[Page]:
    """A tab on the live server.

    Every test also checks that its pages broke no rule of the Content-Security-Policy
    (Chromium reports each refused script, style, image or connection on the console)
    and asked no other host for anything (they work offline).
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    tab = context.new_page()
    refused: list[str] = []
    elsewhere: list[str] = []
    tab.on("console", lambda message: _note_refusal(refused, message.text))
    tab.on("request", lambda request: _note_elsewhere(elsewhere, request.url, live_server.url))
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
    assert refused == [], "the pages broke the Content-Security-Policy"
    assert elsewhere == [], "the pages asked another host"


def _note_refusal(refused: list[str], text: str) -> None:
    if "Content Security Policy" in text:
        refused.append(text)


def _note_elsewhere(elsewhere: list[str], url: str, home: str) -> None:
    if not url.startswith((home, "data:")):
        elsewhere.append(url)


@pytest.fixture
def documented(chain: Any, actor: Any) -> Any:
    """The chain's invoice with its PDF beside the data, where the shared corpus has one."""
    content = corpus_pdf()
    if content is not None:
        add_attachment(
            chain[0], actor=actor, content=content, filename="INV-7.pdf",
            content_type="application/pdf",
        )  # fmt: skip
    return chain


def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def _sign_in(page: Page, email: str) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_approving_passes_the_invoice_to_the_next_approver(page: Page, documented: Any) -> None:
    invoice, first, _ = documented
    _sign_in(page, "ann@example.com")
    link = page.get_by_role("link", name="Tallinna Kontoritarbed AS")
    expect(link).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("step 1 of 2")
    _screenshot(page, "inbox.png")

    link.click()
    expect(page.get_by_role("heading", name="Your decision")).to_be_visible()
    if corpus_pdf() is not None:  # the PDF's first page is drawn beside the data
        image = page.get_by_role("img", name="Page 1 of INV-7.pdf")
        expect(image).to_be_visible()
        loaded = "img => img.complete && img.naturalWidth > 0"
        page.wait_for_function(loaded, arg=image.element_handle())
    _screenshot(page, "invoice.png")
    page.get_by_label("Comment (optional)").fill("Goods received")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("You approved invoice INV-7.")).to_be_visible()
    expect(page.locator("#decision")).to_contain_text("Waiting for Bob Example")
    assert ApprovalStep.objects.get(pk=first.pk).status == "approved"

    page.goto("/")
    expect(page.get_by_text("Nothing is waiting for you.")).to_be_visible()
    _sign_out(page)

    _sign_in(page, "bob@example.com")
    expect(page.get_by_role("table")).to_contain_text("step 2 of 2")
    page.get_by_role("link", name="Tallinna Kontoritarbed AS").click()
    expect(page.locator(".chain")).to_contain_text("Goods received")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("You approved invoice INV-7.")).to_be_visible()
    assert Invoice.objects.get(pk=invoice.pk).status == "approved"
    _screenshot(page, "invoice-approved.png")


def test_an_xml_only_einvoice_shows_its_content_where_the_pdf_would_be(
    page: Page, actor: Any, make_member: Any
) -> None:
    path = CORPUS_DIR / "ubl/en16931/guide-example1.xml"
    if not path.exists():
        pytest.skip(ABSENT)
    [result] = import_einvoice(path.read_bytes(), actor=actor).results
    make_member("ACC", roles=("accountant",))
    _sign_in(page, "acc@example.com")
    page.goto(f"/invoices/{result.invoice_id}/")
    content = page.locator("#einvoice-content")
    expect(content).to_be_visible()
    expect(content.get_by_role("heading", name="12115118")).to_be_visible()
    expect(content.get_by_label("Seller")).to_contain_text("De Koksmaat")
    expect(content.get_by_role("table").first).to_contain_text("PATAT FRITES 10MM 10KG")
    expect(content).to_contain_text("250.33 EUR")
    box, data = content.bounding_box(), page.locator(".invoice-data").bounding_box()
    assert box["x"] > data["x"] + data["width"]  # beside the data, where a PDF would be
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    _screenshot(page, "invoice-einvoice-content.png")


def test_rejecting_needs_a_reason(page: Page, chain: Any) -> None:
    invoice, first, _ = chain
    _sign_in(page, "ann@example.com")
    page.goto(f"/invoices/{invoice.id}/")
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("alert")).to_have_text("Give a reason for rejecting the invoice.")
    reason = page.get_by_label("Reason for rejecting")
    expect(reason).to_have_attribute("aria-invalid", "true")
    assert page.url.endswith(f"/invoices/{invoice.id}/")  # htmx swapped the form in place
    _screenshot(page, "invoice-reject-error.png")
    assert ApprovalStep.objects.get(pk=first.pk).status == "waiting"

    reason.fill("Wrong unit price")
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("You rejected invoice INV-7.")).to_be_visible()
    expect(page.locator(".chain")).to_contain_text("Wrong unit price")
    assert Invoice.objects.get(pk=invoice.pk).status == "rejected"


def test_the_inbox_fits_a_phone(page: Page, chain: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, "ann@example.com")
    expect(page.get_by_role("link", name="Tallinna Kontoritarbed AS")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing sticks out sideways
    _screenshot(page, "inbox-phone.png")


def test_an_invited_user_sets_a_password_signs_in_and_changes_it(
    page: Page, actor: Any, mailoutbox: list
) -> None:
    user = UserIn(code="NEW", name="Neeme Uus", email="neeme@example.com", roles=["approver"])
    create_user(user.model_dump(), actor=actor, invite=True)  # the mail leaves on commit
    [link] = links_in(mailoutbox[0])

    page.goto(link)
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    assert "/set-password/" in page.url  # the token left the address bar
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password again").fill("short")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("This password is too short.")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("sügisene-rabamatk-2026")
    page.get_by_label("New password again").fill("sügisene-rabamatk-2026")
    _screenshot(page, "password-set.png")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password for Acme Ostud OÜ is set")).to_be_visible()

    page.get_by_label("Email").fill("neeme@example.com")
    page.get_by_label("Password").fill("sügisene-rabamatk-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()

    page.get_by_role("link", name="Password").click()
    page.get_by_label("Current password").fill("sügisene-rabamatk-2026")
    page.get_by_label("New password", exact=True).fill("talvine-jõgi-2027")
    page.get_by_label("New password again").fill("talvine-jõgi-2027")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    _sign_out(page)

    page.goto(link)  # used: the page says so
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()


def test_the_api_docs_work_offline_under_the_policy(page: Page) -> None:
    """Swagger UI comes with the server (no CDN) and runs under the same strict policy."""
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="payables API")).to_be_visible()
    operation = page.locator(".opblock-get", has_text="List invoices").first
    operation.locator(".opblock-summary").click()  # open it: its parameters, examples
    expect(operation.get_by_role("button", name="Try it out")).to_be_visible()
    expect(operation.get_by_text("page_size").first).to_be_visible()
    _screenshot(page, "api-docs.png")


def test_the_admin_works_under_the_policy(page: Page, db: None) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    page.goto("/admin/")
    expect(page).to_have_title("Log in | payables admin")
    expect(page.get_by_role("banner").get_by_role("link", name="payables")).to_be_visible()
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    page.goto("/admin/invoices/invoice/")
    expect(page.get_by_role("heading", name="Select invoice to view")).to_be_visible()
    page.goto("/admin/tenancy/company/add/")  # a form, with the admin's scripts
    expect(page.get_by_role("heading", name="Add company")).to_be_visible()
