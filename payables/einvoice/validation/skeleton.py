"""Rewrite an ISO schematron skeleton stylesheet, before it is compiled, to do the same
checks in a fraction of the time; its findings are the same, character for character.

The skeleton's XSLT walks the whole document once per schematron pattern (the Factur-X
rules have 50 to 90 patterns), once more per pattern for nothing (``active-pattern``'s
``apply-templates`` in the default mode, whose text is stripped), counts preceding
siblings to write each location, and the Factur-X rules re-read their code lists with
``document()`` in every transformation. ``prepare`` returns the stylesheet with:

* each ``document('file')`` with a literal file name made a parameter, which
  ``saxon.compile_rules`` fills once with that file parsed;
* the location written from XPath's ``path()``;
* the idle default-mode walks dropped, and the report's elements that are never read
  (``fired-rule``, ``active-pattern``) left out;
* one walk instead of one per pattern: at each node the rules of every pattern that has
  a rule for its name (or one that could match any name, ``patterns``) are applied in
  turn, and each failed assertion is tagged with its pattern's number
  (``PATTERN_ATTRIBUTE``) so that the report is read back in the skeleton's order,
  pattern by pattern (``schematron.svrl_findings``).

Each step checks that the stylesheet has the plain skeleton's shape it relies on, and is
left out otherwise; a stylesheet that is not the plain skeleton at all gets None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from payables.einvoice.validation.patterns import last_step_names

XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"
PAY = "urn:payables:einvoice:validation"
PATTERN_ATTRIBUTE = f"{{{PAY}}}pattern"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_FULL_PATH_MODE = "schematron-get-full-path"
FAST_LOCATION_TEMPLATE = """<xsl:template match="*" mode="schematron-get-full-path"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
    <xsl:value-of select="replace(replace(path(.), 'Q\\{{\\}}', ''),
      'Q\\{{([^}}]*)\\}}([^\\[/]+)', '*:$2[namespace-uri()=''$1'']')"/>
  </xsl:template>"""
# document('name.xml') with a literal file name beside the stylesheet
_LOOKUP_CALL = re.compile(r"""\bdocument\(\s*(?:'([\w.-]+)'|"([\w.-]+)")\s*\)""")
_LOOKUP_PARAM = "pay-lookup-document-"
_WALK_MODE = "pay-walk-once"
_XPATH_ATTRIBUTES = ("test", "select")
_RECURSIONS = ("@*|*", "*")


@dataclass
class Prepared:
    """The rewritten stylesheet, and the files its lookup parameters hold."""

    text: str
    lookups: dict[str, Path] = field(default_factory=dict)


def prepare(stylesheet: Path) -> Prepared | None:
    """The stylesheet rewritten (see the module); None when it is not a plain skeleton."""
    try:
        source = stylesheet.read_bytes()
    except OSError:
        return None
    if PAY.encode() in source or _LOOKUP_PARAM.encode() in source:
        return None
    try:
        root = etree.fromstring(source, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None
    if not _is_plain_skeleton(root):
        return None
    lookups = _lookups_as_parameters(root, stylesheet.parent)
    for template in root.findall(f"{{{XSL}}}template[@mode='{_FULL_PATH_MODE}'][@match='*']"):
        root.replace(template, etree.fromstring(FAST_LOCATION_TEMPLATE.format()))
    # The default mode has only the "/" and text() templates: its other walks are idle.
    etree.SubElement(root, f"{{{XSL}}}template", match="node()")
    _drop_unread_output(root)
    _walk_once(root)
    # Relative references keep resolving against the stylesheet's own folder.
    root.set(XML_BASE, stylesheet.as_uri())
    return Prepared(etree.tostring(root, encoding="unicode"), lookups)


def _is_plain_skeleton(root: etree._Element) -> bool:
    """No imports, includes, base URIs or whitespace stripping (which would apply to a
    document() but not to a parameter); the skeleton's two location templates; and in
    the default mode only the skeleton's "/" and text() templates."""
    if root.tag not in {f"{{{XSL}}}stylesheet", f"{{{XSL}}}transform"}:
        return False
    for tag in ("import", "include", "strip-space", "preserve-space"):
        if next(root.iter(f"{{{XSL}}}{tag}"), None) is not None:
            return False
    if any(XML_BASE in element.attrib for element in root.iter() if isinstance(element.tag, str)):
        return False
    templates = list(root.iter(f"{{{XSL}}}template"))
    locations = sorted(t.get("match") for t in templates if t.get("mode") == _FULL_PATH_MODE)
    defaults = [t.get("match") for t in templates if t.get("match") and not t.get("mode")]
    return (
        locations == ["*", "@*"] and defaults.count("/") == 1 and set(defaults) <= {"/", "text()"}
    )


def _drop_unread_output(root: etree._Element) -> None:
    """Leave out the report's ``fired-rule`` (one per rule per node it applies to) and
    ``active-pattern`` elements: only failed assertions are read, and these evaluate
    nothing that could fail (literal attributes, the document's URI, the idle walk)."""
    for element in list(root.iter(f"{{{SVRL}}}fired-rule", f"{{{SVRL}}}active-pattern")):
        if all(_is_inert(node) for node in element.iter()):
            element.getparent().remove(element)


def _is_inert(node: etree._Element) -> bool:
    if not isinstance(node.tag, str):
        return True  # a comment
    if node.tag.startswith(f"{{{SVRL}}}"):
        return not any("{" in value for value in node.attrib.values())  # no expressions
    local = node.tag.removeprefix(f"{{{XSL}}}")
    if local == "value-of":
        return node.get("select") == "document-uri(/)"
    if local == "apply-templates":
        return not node.attrib and len(node) == 0  # the idle default-mode walk
    return local in {"attribute", "text"} and "{" not in (node.get("name") or "")


def _lookups_as_parameters(root: etree._Element, folder: Path) -> dict[str, Path]:
    lookups: dict[str, Path] = {}
    names: dict[str, str] = {}

    def parameter(match: re.Match[str]) -> str:
        file_name = match.group(1) or match.group(2)
        if not (folder / file_name).is_file():
            return match.group(0)  # left to fail (or not) as it would
        if file_name not in names:
            names[file_name] = f"{_LOOKUP_PARAM}{len(names) + 1}"
            lookups[names[file_name]] = folder / file_name
        return f"${names[file_name]}"

    for element in root.iter(f"{{{XSL}}}*"):
        for attribute in _XPATH_ATTRIBUTES:
            value = element.get(attribute)
            if value is not None and "document(" in value:
                element.set(attribute, _LOOKUP_CALL.sub(parameter, value))
    for index, name in enumerate(lookups):
        root.insert(index, etree.Element(f"{{{XSL}}}param", name=name))
    return lookups


def _walk_once(root: etree._Element) -> None:
    """Apply every pattern's rules in one walk, when each pattern's mode is the
    skeleton's: rule templates that end by applying the same mode to the same children
    and nothing that depends on the position among them."""
    main = next(
        t for t in root.iter(f"{{{XSL}}}template") if t.get("match") == "/" and not t.get("mode")
    )
    calls = [
        call
        for call in main.iter(f"{{{XSL}}}apply-templates")
        if call.get("select") == "/" and call.get("mode")
    ]
    modes = [call.get("mode") for call in calls]
    if not modes or len(set(modes)) != len(modes):
        return
    recursions: list[tuple[etree._Element, etree._Element, int]] = []
    for template in root.iter(f"{{{XSL}}}template"):
        mode = template.get("mode") or ""
        if not set(mode.split()) & set(modes):
            continue
        if mode not in modes:
            return  # a template of several modes
        if template.get("match") == "text()" and len(template) == 0:
            continue
        recursion = _recursion(template, mode)
        if recursion is None:
            return
        recursions.append((template, recursion, modes.index(mode)))
    selects = {recursion.get("select") for _template, recursion, _index in recursions}
    applied = sum(1 for call in root.iter(f"{{{XSL}}}apply-templates") if call.get("mode") in modes)
    if len(selects) != 1 or applied != len(calls) + len(recursions):
        return
    if any(next(t.iter(f"{{{XSL}}}element"), None) is not None for t, _r, _i in recursions):
        return  # a failed assertion could be written other than literally
    (select,) = selects
    if select not in _RECURSIONS:
        return
    for template, recursion, index in recursions:
        template.remove(recursion)
        for failed in template.iter(f"{{{SVRL}}}failed-assert"):
            failed.set(PATTERN_ATTRIBUTE, str(index))
    for mode in modes:  # a pattern's mode no longer walks down from the document node
        etree.SubElement(root, f"{{{XSL}}}template", match="/", mode=mode, priority="-2")
    walk = etree.Element(f"{{{XSL}}}apply-templates", select="/", mode=_WALK_MODE)
    calls[0].getparent().replace(calls[0], walk)
    for call in calls[1:]:
        call.getparent().remove(call)
    # At each node, the patterns that have a rule for its name, or could have.
    names = _names_by_mode(root, [(t, modes[i]) for t, _r, i in recursions], modes)
    everywhere = [mode for mode in modes if names[mode] is None]
    walks = [("/", "*", modes), ("@*|*", select, everywhere)]
    for name in sorted({name for found in names.values() for name in found or ()}):
        applied = [mode for mode in modes if names[mode] is None or name in names[mode]]
        at, local = ("@", name[1:]) if name.startswith("@") else ("", name)
        uri, local = local[1:].split("}") if local.startswith("{") else ("", local)
        walks.append((f"{at}Q{{{uri}}}{local}", select, applied))
    for match, children, applied in walks:
        walk = etree.SubElement(root, f"{{{XSL}}}template", match=match, mode=_WALK_MODE)
        for mode in applied:
            etree.SubElement(walk, f"{{{XSL}}}apply-templates", select=".", mode=mode)
        etree.SubElement(walk, f"{{{XSL}}}apply-templates", select=children, mode=_WALK_MODE)


def _names_by_mode(
    root: etree._Element, templates: list[tuple[etree._Element, str]], modes: list[str]
) -> dict[str, set[str] | None]:
    """Per pattern's mode, the node names its rules match (None: it may match any). A
    rule for the document node alone adds none: the walk applies every mode there."""
    names: dict[str, set[str] | None] = {mode: set() for mode in modes}
    default_namespace = any(
        "xpath-default-namespace" in element.attrib
        for element in root.iter()
        if isinstance(element.tag, str)
    )
    for template, mode in templates:
        match = (template.get("match") or "").strip()
        if match == "/" or (match == "@*|node()" and len(template) == 0):
            continue  # the document node; the skeleton's default, now empty
        found = None if default_namespace else last_step_names(match, template.nsmap)
        current = names[mode]
        names[mode] = None if found is None or current is None else current | found
    return names


def _recursion(template: etree._Element, mode: str) -> etree._Element | None:
    """The template's closing ``apply-templates`` to the same mode; None when it has no
    such ending, or could depend on position() or last() among its siblings."""
    match = template.get("match") or ""
    if not match or "comment()" in match or "processing-instruction(" in match:
        return None
    if re.search(r"\b(position|last)\(\)", etree.tostring(template, encoding="unicode")):
        return None
    children = [child for child in template if isinstance(child.tag, str)]
    last = children[-1] if children else None
    if last is None or last.tag != f"{{{XSL}}}apply-templates" or last.get("mode") != mode:
        return None
    if len(last) or (last.tail or "").strip():
        return None
    if match == "@*|node()" and len(children) != 1:
        return None
    return last
