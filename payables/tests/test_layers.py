"""The layers of DESIGN.md, enforced: apps import only the layers below them, peers never
each other, nothing below imports transport; only the lifecycle sets an invoice's status."""

from __future__ import annotations

import ast
from dataclasses import dataclass

import pytest

from payables.tests.source_tree import (
    ORM_WRITES,
    PACKAGE_DIR,
    imported_modules,
    our_modules,
)

# --- Layers ----------------------------------------------------------------------------------
# Each app imports only the layers below it (DESIGN.md). Apps on one layer may not import each
# other. Shared building blocks (errors, money, …) and the pure engines sit at the bottom;
# transport modules ("edges": the HTTP API, admin, web, CLI, demo, compatibility APIs) sit on
# top and may import anything, while nothing below imports them.

BASE = 0
EDGE = 99
LAYERS: dict[str, int] = {
    # shared building blocks and pure engines
    "errors": BASE,
    "money": BASE,
    "identifiers": BASE,
    "json_encoding": BASE,
    "schema_types": BASE,
    "rule_fields": BASE,
    "einvoice": BASE,
    "digitize": BASE,  # the pure extraction engine; the documents app drives it
    # the domain, bottom up
    "tenancy": 1,
    "events": 2,
    "masterdata": 3,
    "invoices": 4,
    "documents": 5,
    "coding": 5,
    "orders": 5,
    "approvals": 6,
    "handoff": 7,
}
EDGE_APPS = {
    "api",
    "api_contract",
    "urls",
    "wsgi",
    "asgi",
    "cli",
    "settings",
    "demo",
    "web",
    "compat",
    "backup",
}
# Inside an app, these modules are transport too.
EDGE_MODULE_NAMES = {"api", "admin"}


@dataclass(frozen=True)
class Place:
    """Where a module sits: its app and that app's layer (``EDGE`` for transport)."""

    app: str
    layer: int


def place_of(module: str) -> Place | None:
    """Place a dotted module name of ours; None for third-party modules and the package root.

    >>> place_of("payables.invoices.services.invoices")
    Place(app='invoices', layer=4)
    >>> place_of("payables.invoices.api"), place_of("payables.masterdata.api.users")
    (Place(app='invoices', layer=99), Place(app='masterdata', layer=99))
    >>> place_of("payables.admin_site"), place_of("django.db")
    (Place(app='admin_site', layer=99), None)
    """
    parts = module.split(".")
    if parts[0] != "payables" or len(parts) < 2:
        return None
    app, inner = parts[1], parts[2:]
    if app in EDGE_APPS or app.startswith("admin") or app not in LAYERS:
        return Place(app, EDGE)
    is_edge = any(
        name in EDGE_MODULE_NAMES or name.endswith("_api") or name == "management" for name in inner
    )
    return Place(app, EDGE if is_edge else LAYERS[app])


def upward_imports(modules: dict[str, tuple[str, bool]]) -> list[str]:
    """Return a line per import that breaks the layering, for ``{name: (source, is_package)}``.

    Breaks: an app importing an edge module, an app importing a higher layer, and two apps
    on one layer importing each other (any import between them at all: they are peers).
    """
    problems = []
    for name, (source, is_package) in sorted(modules.items()):
        here = place_of(name)
        if here is None or here.layer == EDGE:
            continue
        for line, target in imported_modules(source, name, is_package=is_package):
            there = place_of(target)
            if there is None or there.app == here.app:
                continue
            if there.layer == EDGE:
                problems.append(f"{name}:{line} imports the transport module {target}")
            elif there.layer > here.layer:
                problems.append(f"{name}:{line} imports {target}, a higher layer")
            elif there.layer == here.layer and here.layer != BASE:
                problems.append(f"{name}:{line} imports {target}, an app on its own layer")
    return problems


def test_apps_import_only_the_layers_below_them():
    assert upward_imports(our_modules()) == []


def test_every_app_has_a_layer():
    """A new app or top-level module must be placed in LAYERS (or named an edge) first."""
    apps = {p.name for p in PACKAGE_DIR.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE_DIR.glob("*.py")} - {"__init__", "conftest"}
    unplaced = (apps | modules) - set(LAYERS) - EDGE_APPS - {"tests", "admin_site"}
    assert unplaced == set()


@pytest.mark.parametrize(
    ("module", "source", "problem"),
    [
        # invoices routing a new invoice by importing approvals, inside a function
        (
            "payables.invoices.services.invoices",
            "def route(i):\n    from payables.approvals.services import route_new_invoice\n",
            "payables.invoices.services.invoices:2 imports "
            "payables.approvals.services.route_new_invoice, a higher layer",
        ),
        # tenancy naming a master data model for typing only
        (
            "payables.tenancy.actors",
            "if TYPE_CHECKING:\n    from payables.masterdata.models import Supplier\n",
            "payables.tenancy.actors:2 imports payables.masterdata.models.Supplier, a higher layer",
        ),
        # an app reaching into the admin building blocks
        (
            "payables.masterdata.services.records",
            "import payables.admin_site\n",
            "payables.masterdata.services.records:1 imports the transport module "
            "payables.admin_site",
        ),
        # a relative import from the events app up to handoff
        (
            "payables.events.queries",
            "from ..handoff.models import SyncError\n",
            "payables.events.queries:1 imports payables.handoff.models.SyncError, a higher layer",
        ),
        # a model of a higher app named by string
        (
            "payables.invoices.models",
            "approver = models.ForeignKey('approvals.ApprovalStep', on_delete=CASCADE)\n",
            "payables.invoices.models:1 imports payables.approvals.models, a higher layer",
        ),
        # a dynamic import of a higher app
        (
            "payables.masterdata.services.records",
            "m = importlib.import_module('payables.handoff.services')\n",
            "payables.masterdata.services.records:1 imports payables.handoff.services, "
            "a higher layer",
        ),
        # peers on one layer
        (
            "payables.coding.services",
            "from payables.orders.models import PurchaseOrder\n",
            "payables.coding.services:1 imports payables.orders.models.PurchaseOrder, "
            "an app on its own layer",
        ),
    ],
)
def test_the_layer_check_finds_an_upward_import(module, source, problem):
    assert upward_imports({module: (source, False)}) == [problem]


def test_the_layer_check_allows_downward_and_edge_imports():
    modules = {
        "payables.approvals.services.chains": (
            "from payables.invoices import lifecycle\n"
            "from payables.tenancy.models import Company\n",
            False,
        ),
        "payables.invoices.api": ("from payables.approvals.schemas import StepOut\n", False),
        "payables.web.views.invoice": ("from payables.handoff.services import export\n", False),
        "payables.masterdata.admin": ("from payables.admin_site import ReadOnlyAdmin\n", False),
    }
    assert upward_imports(modules) == []


# --- One owner of an invoice's status ----------------------------------------------------------
LIFECYCLE = "payables.invoices.lifecycle"


STATUS_PRAGMA = "# not-invoice-status"


def status_writes(source: str) -> list[int]:
    """Lines that may set an invoice's status, found without knowing types, so strictly:
    any ``….status = …``; ``status=`` (or ``"status"`` in ``update_fields``) passed to an ORM
    write or to ``Invoice(…)``; ``setattr`` on an invoice with a computed name. A line about
    another model's status (an approval step's) says so with a trailing ``# not-invoice-status``.
    """
    lines = source.splitlines()
    found = set()
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Attribute) and t.attr == "status" for t in targets):
            found.add(node.lineno)
        if not isinstance(node, ast.Call):
            continue
        callee = ast.unparse(node.func)
        method = callee.rsplit(".", 1)[-1]
        if method in ORM_WRITES or callee == "Invoice":
            for keyword in node.keywords:
                value = ast.unparse(keyword.value)
                if keyword.arg == "status" or (
                    keyword.arg == "update_fields" and "'status'" in value
                ):
                    found.add(node.lineno)
                if keyword.arg is None and "invoice" in callee.lower():  # **fields
                    found.add(node.lineno)
        if callee == "setattr" and len(node.args) >= 2 and "invoice" in ast.unparse(node.args[0]):
            name = node.args[1]
            if not (isinstance(name, ast.Constant) and name.value != "status"):
                found.add(node.lineno)
    return sorted(n for n in found if not lines[n - 1].rstrip().endswith(STATUS_PRAGMA))


def test_the_status_check_finds_status_writes():
    source = (
        "invoice.status = Invoice.Status.APPROVED\n"
        "obj.status = 'new'\n"
        "Invoice.objects.filter(pk=1).update(status='booked')\n"
        "setattr(invoice, 'status', 'new')\n"
        "invoice = Invoice(company=c, status='exported')\n"
        "step.status = ApprovalStep.Status.SKIPPED  # not-invoice-status\n"
        "invoice.approval_steps.filter(x=1)\n"
        "Invoice.objects.filter(status='new')\n"
        "Invoice.objects.create(company=c, status='approved')\n"
        "invoice.save(update_fields=['status'])\n"
        "invoices.update(**changes)\n"
        "setattr(invoice, name, value)\n"
        "setattr(invoice, 'cancel_reason', reason)\n"
    )
    assert status_writes(source) == [1, 2, 3, 4, 5, 9, 10, 11, 12]


def test_only_the_lifecycle_sets_an_invoice_status():
    """A hit outside the lifecycle is a transition done behind its back."""
    writers = {
        name: lines
        for name, (source, _) in our_modules().items()
        if name != LIFECYCLE and (lines := status_writes(source))
    }
    assert writers == {}
