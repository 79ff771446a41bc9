"""Answers of the invoice page's editable cards (coding, purchase-order match): the card
alone for htmx, the whole page for a plain post, and after a change the fresh card or a
redirect back to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from payables.errors import PayablesError
from payables.invoices.models import Invoice
from payables.web.views.access import invoice_or_404, is_htmx, refused
from payables.web.views.invoice import invoice_context


@dataclass(frozen=True)
class Card:
    """How one card is built and where it sits: its partial, the names its context uses
    (in the partial and on the page), and its anchor on the page."""

    build: Callable[..., object]
    partial: str
    partial_name: str
    page_name: str
    anchor: str

    def answer(
        self, request: HttpRequest, invoice: Invoice, status: int, **kwargs: object
    ) -> HttpResponse:
        """The card (htmx) or the whole page (plain post) with what was sent and its errors."""
        card = self.build(invoice, request.actor, **kwargs)
        if is_htmx(request):
            context = {self.partial_name: card, "invoice": invoice}
            return render(request, self.partial, context, status=status)
        context = invoice_context(request, invoice, **{self.page_name: card})
        return render(request, "web/invoice.html", context, status=status)

    def refused(
        self, request: HttpRequest, invoice: Invoice, refusal: PayablesError
    ) -> HttpResponse:
        if is_htmx(request):
            return self.answer(request, invoice, refusal.status, errors=[refusal.message])
        return refused(request, refusal.message, refusal.status)

    def done(self, request: HttpRequest, invoice: Invoice, message: str) -> HttpResponse:
        """After a change: the fresh card (htmx), or back to the invoice (303)."""
        invoice = invoice_or_404(request, invoice.id)
        if is_htmx(request):
            return self.answer(request, invoice, 200, done=message)
        messages.success(request, message)
        url = reverse("web:invoice", args=[invoice.id]) + f"#{self.anchor}"
        response = HttpResponseRedirect(url)
        response.status_code = 303
        return response
