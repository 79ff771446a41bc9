"""The admin writes through services, visibly: one pattern, enforced.

Every admin screen that adds, changes or deletes names its services in its own
``save_model``/``delete_model`` (a ``ServiceAdmin``); the others are read-only. Nothing
looks a service up by name, so a grep for a service finds every caller.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory

from payables.admin_site import ServiceAdmin

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def services_looked_up_by_name(source: str) -> list[int]:
    """Lines of ``getattr(<a services module>, ...)`` calls in ``source``."""
    tree = ast.parse(source)
    modules = {"services"}  # the usual name, however it was imported
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                path = f"{getattr(node, 'module', None) or ''}.{alias.name}"
                if "services" in path.split("."):
                    modules.add(alias.asname or alias.name.split(".")[0])
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr"):
            continue
        target = node.args[0] if node.args else None
        named = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
        if named in modules or (named or "").endswith("services"):
            found.append(node.lineno)
    return found


def test_the_detector_finds_services_looked_up_by_name():
    source = (
        "from payables.masterdata import services\n"
        "from payables.tenancy import services as tenancy_services\n"
        "import payables.approvals.services as rules\n"
        "create = getattr(services, f'create_{kind}')\n"
        "update = getattr(tenancy_services, 'update_company')\n"
        "delete = getattr(rules, 'delete_rule')\n"
        "other = getattr(payables.invoices.services, name)\n"
        "label = getattr(obj, 'name', None)\n"
    )
    assert services_looked_up_by_name(source) == [4, 5, 6, 7]


def test_no_module_looks_a_service_up_by_name():
    modules = sorted(p for p in PACKAGE_DIR.rglob("*.py") if "tests" not in p.parts)
    assert len(modules) > 100  # guard: the walk found the package
    found = {
        path.relative_to(PACKAGE_DIR).as_posix(): lines
        for path in modules
        if (lines := services_looked_up_by_name(path.read_text(encoding="utf-8")))
    }
    assert found == {}


OURS = sorted(
    (
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model.__module__.startswith("payables.")
    ),
    key=lambda model_admin: str(model_admin),
)


@pytest.mark.parametrize("model_admin", OURS, ids=str)
def test_an_admin_writes_only_through_the_services_it_names(db, model_admin):
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser("root", "root@example.com", "pw")
    saves = model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
    deletes = model_admin.has_delete_permission(request)
    if not (saves or deletes):
        return  # read-only
    assert isinstance(model_admin, ServiceAdmin)
    if saves:
        assert type(model_admin).save_model is not ServiceAdmin.save_model
    if deletes:
        assert type(model_admin).delete_model is not ServiceAdmin.delete_model
