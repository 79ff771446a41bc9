"""Layer 2: the official business rules (schematron compiled to XSLT) of each version.

Which rule sets apply follows from what the document declares (``artefacts.rules_for``):
CEN EN 16931 for UBL and CII, plus XRechnung or Peppol BIS 3 when it declares that CIUS;
a Factur-X / ZUGFeRD document its own version's profile rules. The stylesheets are
XSLT 2.0, so they run on Saxon (``saxonche``, no Java) rather than on lxml; each is
compiled once per process and reused (``saxon``), a plain schematron skeleton as
``skeleton`` rewrites it to check the same rules faster. The SVRL output's
``failed-assert`` elements become findings: rules flagged ``fatal`` (or not flagged, as
in the Factur-X stylesheets) are errors, the others warnings.
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path
from typing import Any

from lxml import etree

from payables.einvoice.model import Finding
from payables.einvoice.validation.artefacts import (
    RULE_RULES_SKIPPED,
    RULE_RULES_STAND_IN,
    Folders,
    Stylesheet,
    rules_for,
)
from payables.einvoice.validation.documents import PREFIXES, Document
from payables.einvoice.validation.saxon import (
    LOCK,
    PySaxonApiError,
    PySaxonProcessor,
    compile_rules,
    processor,
)
from payables.einvoice.validation.skeleton import PATTERN_ATTRIBUTE
from payables.einvoice.validation.versions import ZUGFERD1_PROFILES

RULE_GUIDELINE = "PAY-GUIDELINE"
RULE_RULES_FAILED = "PAY-RULES-FAILED"
RULE_RULES_MORE = "PAY-RULES-MORE"
MAX_RULE_FINDINGS = 200
SVRL = "http://purl.oclc.org/dsdl/svrl"

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


def stylesheet_path(
    document: Document, *, rules_dir: Path | None = None, artefacts_dir: Path | None = None
) -> Path | None:
    """The first official rule set for this document (see ``stylesheets``); None if none."""
    found = stylesheets(document, rules_dir=rules_dir, artefacts_dir=artefacts_dir)
    return found[0].path if found else None


def stylesheets(
    document: Document, *, rules_dir: Path | None = None, artefacts_dir: Path | None = None
) -> tuple[Stylesheet, ...]:
    """Every official rule set that applies to this document, in the order they run."""
    folders = Folders(rules_dir=rules_dir, artefacts_dir=artefacts_dir)
    return rules_for(document, folders).stylesheets


def check_rules(
    root: etree._Element,
    document: Document,
    *,
    rules_dir: Path | None = None,
    artefacts_dir: Path | None = None,
) -> tuple[Finding, ...]:
    """Run the official business rules that apply to what the document declares.

    Severities are the rule set's own: CEN, XRechnung and Peppol flag each assertion
    fatal or warning; Factur-X flags only its warnings. Rule sets that are not installed
    are reported by an ``info`` finding.
    """
    if document.family == "zugferd1":
        return _zugferd1(document)
    if document.family in {"finvoice", "ee-einvoice"}:
        return ()  # no official schematron exists; the booking checks cover them
    plan = rules_for(document, Folders(rules_dir=rules_dir, artefacts_dir=artefacts_dir))
    if not plan.stylesheets and not plan.notes:
        what = document.label or document.family or "this document"
        message = f"No official EN 16931 business rules apply to {what}: not checked"
        return (Finding(RULE_RULES_SKIPPED, "info", message),)
    findings: list[Finding] = []
    notes = list(plan.notes)
    elements = sum(1 for _ in root.iter()) if any(s.max_elements for s in plan.stylesheets) else 0
    for chosen in plan.stylesheets:
        stylesheet: Stylesheet | None = chosen
        if chosen.max_elements and elements > chosen.max_elements:
            stylesheet = chosen.fallback
            instead = f"the {stylesheet.name} rules instead" if stylesheet else "no rules"
            message = (
                f"The document has {elements} elements, more than the {chosen.name} rules are "
                f"run on ({chosen.max_elements}, about 2 s): checked with {instead}"
            )
            notes.append(Finding(RULE_RULES_STAND_IN, "info", message))
        if stylesheet is None:
            continue
        found = run_stylesheet(root, stylesheet.path, default_rule_id=stylesheet.default_rule_id)
        if stylesheet.kind == "stand-in":
            found = tuple(_as_en16931_stand_in(finding) for finding in found)
        findings.extend(found)
    return (*_capped(tuple(findings)), *notes)


def _as_en16931_stand_in(finding: Finding) -> Finding:
    """Standing in for rules that are not installed (the CEN CII rules on a document that
    is not Factur-X; the ZUGFeRD 2.0.1 rules on a ZUGFeRD 2.0 document), the current
    Factur-X stylesheet's own profile checks (its code lists, cardinalities and guideline
    ids, numbered FX-SCH-A-...) only warn: they are not the document's rules. The EN 16931
    rules it carries keep their severity."""
    if not finding.rule_id.startswith("FX-") or finding.severity != "error":
        return finding
    message = f"{finding.message} (a current Factur-X profile rule standing in; warns only)"
    return dataclasses.replace(finding, severity="warning", message=message)


def _zugferd1(document: Document) -> tuple[Finding, ...]:
    """ZUGFeRD 1.0 has a schema but no official rules; its guideline id must be one of
    the three invoice profiles (an order, a draft's "komfort" are not ZUGFeRD invoices)."""
    skipped = Finding(
        RULE_RULES_SKIPPED,
        "info",
        "No official business rules exist for ZUGFeRD 1.0: the schema is checked",
    )
    if document.known_id:
        return (skipped,)
    profiles = ", ".join(sorted(ZUGFERD1_PROFILES))
    message = (
        f"The ZUGFeRD 1.0 guideline id (BT-24) {document.guideline!r} is not an invoice "
        f"profile of ZUGFeRD 1.0 (one of {profiles})"
    )
    location = "/rsm:CrossIndustryDocument/rsm:SpecifiedExchangedDocumentContext"
    return (Finding(RULE_GUIDELINE, "error", message, location), skipped)


def run_stylesheet(
    root: etree._Element, stylesheet: Path, *, default_rule_id: str = "EN16931"
) -> tuple[Finding, ...]:
    """Apply a schematron XSLT to the document and turn its SVRL into findings."""
    if PySaxonProcessor is None:
        message = "saxonche is not installed, so the EN 16931 business rules were not checked"
        return (Finding(RULE_RULES_SKIPPED, "info", message),)
    if not stylesheet.is_file():
        message = f"The rules stylesheet {stylesheet} is missing, so the rules were not checked"
        return (Finding(RULE_RULES_SKIPPED, "info", message),)
    # lxml already refused DTDs and entities; Saxon gets the re-serialised, clean tree.
    text = _serialised_for_rules(root)
    with LOCK:
        try:
            executable = compile_rules(stylesheet)
        except PySaxonApiError as exc:
            message = f"The rules stylesheet {stylesheet.name} does not compile: {_first_line(exc)}"
            return (Finding(RULE_RULES_SKIPPED, "info", message),)
        try:
            node = processor().parse_xml(xml_text=text)
            svrl = executable.transform_to_string(xdm_node=node)
        except PySaxonApiError as exc:
            message = f"The rules {stylesheet.name} stopped on this document: {_first_line(exc)}"
            return (Finding(RULE_RULES_FAILED, "error", message),)
    return svrl_findings(svrl.encode("utf-8"), default_rule_id=default_rule_id)


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
    with LOCK:
        return compile_rules(stylesheet)


def svrl_findings(svrl: bytes, *, default_rule_id: str = "EN16931") -> tuple[Finding, ...]:
    """Findings from SVRL ``failed-assert`` elements: fatal or unflagged ones are errors,
    the others (warning, information) warnings.

    The report is our own stylesheet's output, but its size follows the document (a
    ``fired-rule`` per rule context, a ``failed-assert`` per failure), so it is read as a
    stream that keeps only the findings.
    """
    findings: list[tuple[int, Finding]] = []
    try:
        for _event, failed in etree.iterparse(
            io.BytesIO(svrl), tag=f"{{{SVRL}}}failed-assert", **_SVRL_PARSER_OPTIONS
        ):
            pattern = int(failed.get(PATTERN_ATTRIBUTE) or 0)
            findings.append((pattern, _finding(failed, default_rule_id)))
            failed.clear()
            while failed.getprevious() is not None:  # the fired rules before it
                del failed.getparent()[0]
    except etree.XMLSyntaxError as exc:
        message = f"Unreadable rules report: {' '.join(str(exc).split())}"
        return (Finding(RULE_RULES_FAILED, "error", message),)
    # A stylesheet walked once (``skeleton``) reports pattern by pattern, as the
    # skeleton's own does, once its findings are in pattern order (a stable sort).
    return tuple(finding for _pattern, finding in sorted(findings, key=lambda f: f[0]))


def _capped(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """The first ``MAX_RULE_FINDINGS``, and one finding that counts the rest."""
    if len(findings) <= MAX_RULE_FINDINGS:
        return findings
    rest = findings[MAX_RULE_FINDINGS:]
    severity = "error" if any(f.is_blocking for f in rest) else "warning"
    message = f"... and {len(rest)} more failed business rules"
    return (*findings[:MAX_RULE_FINDINGS], Finding(RULE_RULES_MORE, severity, message))


def _finding(failed: etree._Element, default_rule_id: str = "EN16931") -> Finding:
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
        rule_id=rule_id or default_rule_id,
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


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]
