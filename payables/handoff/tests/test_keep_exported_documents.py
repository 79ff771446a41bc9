"""``payables keep-exported-documents``: the backfill of the exported feed's stored parts."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from payables.cli import main
from payables.handoff.models import ExportedDocument
from payables.invoices.models import Invoice
from payables.tenancy.models import Company

FIELDS = ("export_count", "order_modified_at", "layout", "head", "posting_lines",
          "purchase_order_match")  # fmt: skip


def _kept() -> dict:
    """Every stored document's parts, by invoice."""
    return {d["invoice_id"]: d for d in ExportedDocument.objects.values("invoice_id", *FIELDS)}


def _run(*args: str) -> str:
    out = StringIO()
    call_command("keep-exported-documents", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def exported(make_exported: Callable[..., Invoice]) -> list[Invoice]:
    return [make_exported(), make_exported(), make_exported(currency="USD", currency_rate="0.9")]


def test_writes_the_missing_parts_as_export_wrote_them(exported):
    at_export = _kept()
    ExportedDocument.objects.all().delete()
    out = _run("--chunk", "2")
    assert _kept() == at_export
    assert "wrote the documents of 3 exported invoices; 0 were current" in out


def test_a_second_run_writes_nothing(exported):
    ExportedDocument.objects.all().delete()
    _run()
    written = dict(ExportedDocument.objects.values_list("invoice_id", "written_at"))
    out = _run()
    assert "wrote the documents of 0 exported invoices; 3 were current" in out
    assert dict(ExportedDocument.objects.values_list("invoice_id", "written_at")) == written


def test_stale_parts_are_written_again(exported):
    at_export = _kept()
    stale, other = exported[0], exported[1]
    ExportedDocument.objects.filter(invoice=stale).update(export_count=0, head="")
    ExportedDocument.objects.filter(invoice=other).update(
        order_modified_at="2026-01-01T00:00:00Z", posting_lines="[]"
    )
    out = _run()
    assert _kept() == at_export
    assert "wrote the documents of 2 exported invoices; 1 were current" in out


def test_only_exported_invoices_get_parts(exported, make_approved):
    approved = make_approved()
    ExportedDocument.objects.all().delete()
    _run()
    assert set(_kept()) == {i.id for i in exported}
    assert approved.id not in _kept()


def test_a_named_company_is_the_only_one_filled(
    exported, company, other_company: Company, make_key
):
    ExportedDocument.objects.all().delete()
    out = _run("--company", other_company.registry_code)
    assert ExportedDocument.objects.count() == 0
    assert "Other Oy: wrote the documents of 0" in out
    _run("--company", company.registry_code)
    assert ExportedDocument.objects.count() == len(exported)


def test_an_unknown_company_is_refused(exported):
    with pytest.raises(CommandError, match="No company named 'NOPE'"):
        _run("--company", "NOPE")


def test_a_chunk_must_be_positive(exported):
    with pytest.raises(CommandError, match="--chunk must be positive"):
        _run("--chunk", "0")


# Committed: Django's command line closes the connection when the command ends.
@pytest.mark.django_db(transaction=True)
def test_is_the_payables_keep_exported_documents_command(exported, capsys):
    ExportedDocument.objects.all().delete()
    main(["keep-exported-documents"])
    assert ExportedDocument.objects.count() == len(exported)
    assert "3 exported invoices to look at" in capsys.readouterr().out
