"""``python -m payables.cli``: the ``payables`` script, as the supervisors start their children."""

from __future__ import annotations

from payables.cli import main

main()
