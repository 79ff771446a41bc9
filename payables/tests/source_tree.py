"""Reading the package's own source for the architecture tests: modules and what they import."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = PACKAGE_DIR.parent

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


def our_modules() -> dict[str, tuple[str, bool]]:
    """Every non-test, non-migration module of the package, by dotted name."""
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts) or path.name == "conftest.py":
            continue
        found[module_name(path)] = (path.read_text(encoding="utf-8"), path.name == "__init__.py")
    return found
