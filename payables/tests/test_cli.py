"""The ``payables`` script's own surface: its help, its version, and help that changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from django.core.management import get_commands

from payables.cli import COMMANDS, main

REPO_DIR = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys: pytest.CaptureFixture) -> str:
    main(argv)
    return capsys.readouterr().out


@pytest.mark.parametrize("argv", [[], ["--help"], ["-h"], ["help"]], ids=repr)
def test_help_lists_payables_commands_first_then_djangos(argv, capsys):
    text = run(argv, capsys)
    listed = [line.split()[0] for line in text.splitlines() if line.startswith("  ")]
    assert listed[:4] == ["serve", "worker", "import", "demo"]
    assert {"createkey", "revokekey", "setpassword"} <= set(listed)
    assert text.index("setpassword") < text.index("Every Django management command works too")
    assert "payables help --commands" in text


def test_help_lists_every_management_command_of_payables():
    ours = {name for name, app in get_commands().items() if app.startswith("payables")}
    assert ours <= set(COMMANDS), f"add {sorted(ours - set(COMMANDS))} to payables.cli.COMMANDS"


def test_version_is_the_installed_distributions(capsys):
    assert run(["--version"], capsys) == f"payables {version('payables')}\n"


def test_import_is_the_name_of_the_importer_everywhere(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: payables import ")
    readme = (REPO_DIR / "README.md").read_text(encoding="utf-8")
    assert "importinvoices" not in readme
    assert "import" in get_commands()


def test_demo_help_prints_help_and_changes_nothing(tmp_path):
    data_dir = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"PAYABLES_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO_DIR)}
    result = subprocess.run(
        [sys.executable, "-m", "payables.cli", "demo", "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: payables demo [-h] [--reset-passwords]")
    assert not data_dir.exists(), "demo --help created the data dir (and a database)"
