"""The architecture rules, enforced: transport and read modules do not write; services
take plain data; pure engines stay pure (layers and the lifecycle: ``test_layers.py``).

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
from pathlib import Path

import pytest

from payables.tests.source_tree import (
    ORM_WRITES,
    PACKAGE_DIR,
    REPO_DIR,
    imported_modules,
    our_modules,
)

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
    "cli/*.py",
    "demo/*.py",
    "web/**/*.py",
    "**/queries.py",
    "tenancy/auth.py",
    "tenancy/idempotency.py",
    "compat/**/*.py",  # the vendors' APIs are transport through and through
)

PRAGMA = "# not-orm"

# Modules and packages that must import without Django (packages: every submodule too).
# Add new pure engines here; the ones not written yet are skipped.
PURE_MODULES = (
    "payables.money",
    "payables.identifiers",
    "payables.einvoice",
    "payables.digitize",
    "payables.coding.learning",
)

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
        "compat/digitization/endpoints.py",
        "compat/fitek/credentials.py",
        "compat/upsert/mapping.py",
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
