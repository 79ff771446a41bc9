"""The WSGI module a server loads: the whole app loaded, kept out of full GC passes, and
threads that hand the interpreter over within a millisecond."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
PROBE = """
import gc, sys
import payables.wsgi
print(gc.get_freeze_count(), len(gc.get_objects()), "payables.invoices.api" in sys.modules)
print(sys.getswitchinterval())
"""


def test_loading_the_wsgi_app_loads_the_api_and_freezes_what_it_loaded(tmp_path):
    env = os.environ | {"PAYABLES_DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO_DIR)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    frozen, tracked, api_loaded, switch_interval = done.stdout.split()
    assert api_loaded == "True"
    assert int(frozen) > 100_000  # the app's own objects: Django, the API, its schemas
    assert int(tracked) < int(frozen) / 10
    assert float(switch_interval) == 0.001  # Python's default is 0.005
