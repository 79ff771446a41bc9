"""The Saxon side of the business rules: one processor, each stylesheet compiled once.

A plain ISO schematron skeleton is compiled as ``skeleton.prepare`` rewrites it (one walk
instead of one per pattern, code lists loaded once, locations from ``path()``); the
lookup documents its parameters hold are parsed here once. Any other stylesheet is
compiled under a wrapper that only writes the locations from ``path()``. Saxon calls are
serialised under ``LOCK``, which also keeps the caches consistent across threads.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from payables.einvoice.validation.skeleton import FAST_LOCATION_TEMPLATE, prepare

try:
    from saxonche import PySaxonApiError, PySaxonProcessor
except ImportError:  # the rules are then reported as not run, never as passed
    PySaxonProcessor = None
    PySaxonApiError = RuntimeError

LOCK = threading.Lock()
_state: dict[str, Any] = {"processor": None, "compiler": None}
_compiled: dict[Path, Any] = {}

# The skeleton's location template overridden by import precedence.
_FAST_LOCATION = f"""<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="{{href}}"/>
  {FAST_LOCATION_TEMPLATE.replace('xmlns:xsl="http://www.w3.org/1999/XSL/Transform"', "")}
</xsl:stylesheet>"""


def processor() -> Any:
    """The process's Saxon processor; call under ``LOCK``."""
    if _state["processor"] is None:
        _state["processor"] = PySaxonProcessor(license=False)
        _state["compiler"] = _state["processor"].new_xslt30_processor()
    return _state["processor"]


def compile_rules(stylesheet: Path) -> Any:
    """The compiled stylesheet, compiled on first use and kept; call under ``LOCK``.

    Raises ``PySaxonApiError`` when it does not compile.
    """
    key = stylesheet.resolve()
    if key not in _compiled:
        processor()
        prepared = prepare(key)
        if prepared is None:
            wrapper = _FAST_LOCATION.format(href=escape(key.as_uri(), {'"': "&quot;"}))
            _compiled[key] = _state["compiler"].compile_stylesheet(stylesheet_text=wrapper)
        else:
            executable = _state["compiler"].compile_stylesheet(
                stylesheet_text=prepared.text, encoding="utf-8"
            )
            for name, path in prepared.lookups.items():
                document = _state["processor"].parse_xml(xml_file_name=str(path))
                executable.set_parameter(name, document)
            _compiled[key] = executable
    return _compiled[key]
