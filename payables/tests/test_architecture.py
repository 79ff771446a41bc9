"""The architecture rules, enforced: layers import downwards; transport and read modules
do not write; one lifecycle sets invoice status; services take plain data; pure engines
stay pure.

Services that take plain data never import an API schema: callers convert at the edge.

An ORM write in a transport module (API handler, view, task, management command) is
refused. A line that calls such a method on something that is not a model or queryset
(a dict's ``update``, say) may say so with a trailing ``# not-orm`` comment.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = PACKAGE_DIR.parent

# Modules that must not write: transport (they parse, authorise, call a service and shape
# the answer), reads (queries), and the request plumbing of authentication.
TRANSPORT_GLOBS = (
    "**/api.py",
    "**/api/*.py",
    "**/*_api.py",
    "**/views.py",
    "**/views/*.py",
    "**/tasks.py",
    "**/management/commands/*.py",
    "**/admin.py",
    "admin_site.py",
    "cli.py",
    "demo/*.py",
    "web/**/*.py",
    "**/queries.py",
    "tenancy/auth.py",
    "tenancy/idempotency.py",
)

ORM_WRITES = frozenset(
    {
        "save",
        "create",
        "update",
        "delete",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
    }
)
PRAGMA = "# not-orm"

# Modules and packages that must import without Django (packages: every submodule too).
# Add new pure engines here; the ones not written yet are skipped.
PURE_MODULES = ("payables.money", "payables.identifiers", "payables.einvoice")

# Services that take plain data (dicts of shape-checked values), never API schemas. The
# bulk job runner is not one: it checks the shape of each record of a load as it reads it.
# Services take plain data (dicts, dataclasses, the shape models of ``<app>/inputs.py``),
# never an API schema: every channel calls them. The bulk runner checks each record's shape
# with the kind's schema where it reads the record, by design.
PLAIN_DATA_SERVICES = sorted(
    {
        *PACKAGE_DIR.glob("*/services.py"),
        *PACKAGE_DIR.glob("*/services/*.py"),
        *PACKAGE_DIR.glob("*/*/services.py"),
        PACKAGE_DIR / "invoices/lifecycle.py",
    }
    - {PACKAGE_DIR / "masterdata/services/bulk.py"}
)


def transport_modules() -> list[Path]:
    found = {p for pattern in TRANSPORT_GLOBS for p in PACKAGE_DIR.glob(pattern)}
    return sorted(p for p in found if p.name != "__init__.py" and "tests" not in p.parts)


def orm_writes(source: str) -> list[tuple[int, str]]:
    """Return (line, method) of every call of an ORM write method in ``source``."""
    lines = source.splitlines()
    tree = ast.parse(source)
    # ``@router.delete("/{id}")`` declares an HTTP route; it writes nothing.
    decorators = {
        id(decorator)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for decorator in node.decorator_list
    }
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and id(node) not in decorators
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ORM_WRITES
            and not lines[node.lineno - 1].rstrip().endswith(PRAGMA)
        ):
            found.append((node.lineno, node.func.attr))
    return sorted(found)


def test_the_detector_finds_orm_writes():
    source = (
        "Invoice.objects.create(number=1)\n"
        "invoice.save(update_fields=['status'])\n"
        "Invoice.objects.filter(pk=1).update(status='new')\n"
        "qs.delete()\n"
        "Supplier.objects.get_or_create(name='x')\n"
        "Row.objects.bulk_create(rows)\n"
        "params.update(extra)  # not-orm\n"
        "print(invoice.total)\n"
        "@router.delete('/{id}')\n"
        "def remove(request, id):\n"
        "    Invoice.objects.filter(pk=id).delete()\n"
    )
    assert orm_writes(source) == [
        (1, "create"),
        (2, "save"),
        (3, "update"),
        (4, "delete"),
        (5, "get_or_create"),
        (6, "bulk_create"),
        (11, "delete"),
    ]


def test_transport_modules_are_found():
    """Guard: if the globs matched nothing, the rule below would pass without checking."""
    names = {p.relative_to(PACKAGE_DIR).as_posix() for p in transport_modules()}
    assert {
        "api.py",
        "invoices/api.py",
        "tenancy/management/commands/createkey.py",
        "web/views/invoice.py",
    } <= names


@pytest.mark.parametrize(
    "path", transport_modules(), ids=lambda p: p.relative_to(PACKAGE_DIR).as_posix()
)
def test_transport_module_does_not_write_to_the_orm(path):
    writes = orm_writes(path.read_text(encoding="utf-8"))
    where = path.relative_to(REPO_DIR).as_posix()
    assert not writes, [
        f"{where}:{line} calls .{method}(): call a service instead" for line, method in writes
    ]


def schema_imports(source: str) -> list[tuple[int, str]]:
    """Return (line, module) of every import of a ``schemas`` module or package."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [(node.lineno, n) for n in names if "schemas" in n.split(".")][:1]
    return sorted(found)


def test_the_detector_finds_schema_imports():
    source = (
        "from payables.masterdata.schemas import AccountIn\n"
        "from payables.events.webhooks import schemas\n"
        "import payables.invoices.schemas.numbering\n"
        "from payables.schema_types import Money\n"
    )
    assert schema_imports(source) == [
        (1, "payables.masterdata.schemas"),
        (2, "payables.events.webhooks.schemas"),
        (3, "payables.invoices.schemas.numbering"),
    ]


@pytest.mark.parametrize(
    "path", PLAIN_DATA_SERVICES, ids=lambda p: p.relative_to(PACKAGE_DIR).as_posix()
)
def test_plain_data_service_imports_no_schema(path):
    assert path.exists()
    imports = schema_imports(path.read_text(encoding="utf-8"))
    where = path.relative_to(REPO_DIR).as_posix()
    assert not imports, [
        f"{where}:{line} imports {module}: take plain data, let the caller convert"
        for line, module in imports
    ]


_IMPORT_AND_REPORT = """
import importlib, json, pkgutil, sys
name = sys.argv[1]
module = importlib.import_module(name)
imported = [name]
for info in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
    if ".tests" not in info.name:
        importlib.import_module(info.name)
        imported.append(info.name)
django = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print(json.dumps({"imported": imported, "django": django}))
"""


@pytest.mark.parametrize("name", PURE_MODULES)
def test_pure_module_names_no_django_anywhere(name):
    """Also inside functions, which importing the module does not run."""
    found = [
        f"{module}:{line} imports {target}"
        for module, (source, is_package) in our_modules().items()
        if module == name or module.startswith(name + ".")
        for line, target in imported_modules(source, module, is_package=is_package)
        if target.split(".")[0] == "django"
    ]
    assert found == []


@pytest.mark.parametrize("name", PURE_MODULES)
def test_pure_module_imports_without_django(name):
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} does not exist yet")
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_AND_REPORT, name],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert name in report["imported"]
    assert report["django"] == [], f"{name} pulled in {report['django'][:5]}"


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
    "einvoice": BASE,
    # the domain, bottom up
    "tenancy": 1,
    "events": 2,
    "masterdata": 3,
    "invoices": 4,
    "documents": 5,
    "digitize": 5,
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


def module_name(path: Path) -> str:
    relative = path.relative_to(REPO_DIR).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool) -> list[tuple[int, str]]:
    """Every module ``source`` imports, at any depth (functions and TYPE_CHECKING included).

    ``from a import b`` counts as importing ``a.b`` (b may be a submodule), resolved
    relative imports included. Imports by name count too: ``import_module("payables.x")``,
    ``apps.get_model("label", …)`` and a model named ``"label.Model"`` in a relation field.
    """
    found = []
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            found += [(node.lineno, name) for name in _named_modules(node)]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


# Django app labels that differ from the package name.
LABELS = {"sync": "events"}
RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def _named_modules(call: ast.Call) -> list[str]:
    """Modules a call names by string: dynamic imports and model references."""
    callee = ast.unparse(call.func).rsplit(".", 1)[-1]
    strings = [
        a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
    ]
    if not strings:
        return []
    if callee in {"import_module", "__import__", "import_string"}:
        return [strings[0]]
    if callee == "get_model" or (callee in RELATIONS and "." in strings[0]):
        label = strings[0].split(".")[0]
        return [f"payables.{LABELS.get(label, label)}.models"]
    return []


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


def our_modules() -> dict[str, tuple[str, bool]]:
    """Every non-test, non-migration module of the package, by dotted name."""
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts) or path.name == "conftest.py":
            continue
        found[module_name(path)] = (path.read_text(encoding="utf-8"), path.name == "__init__.py")
    return found


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
