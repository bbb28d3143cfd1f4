"""A copy of an xlwings-mode (or lite-mode) form that LibreOffice can calculate.

The xlwings and lite modes show four kinds of result through the perfeval-xl UDFs
(PE_SCORE, PE_DEVIATION_RATE, PE_EXECUTION_SCORE, PE_EVALUATION_GRADE), which
only Excel with the add-in (xlwings, or xlwings Lite) can run; LibreOffice
recalculates them to ``#NAME?``.
For printing and for the values-only copy, those cells get the native formulas
the native mode writes in their place (:mod:`perfeval_xl.kinds.self.formulas`), so the
attachments of an xlwings form are those of the same form in native mode.

Only the ``<f>`` elements of those cells are rewritten, in the sheet's XML inside
the zip: everything else (styles, validation, protection, the other parts) is
copied byte for byte, which a round trip through openpyxl would not promise.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from ...form.addresses import cell
from .formulas import ProjectFormulas, RowFormulas
from .layout import SHEET, Col, FormLayout
from .reader import layout_from_meta

XLWINGS = "xlwings"
UDF_MODES = (XLWINGS, "lite")  # the modes whose results call the functions (lite: as Office.js custom functions)
UDF_NAMES = ("PE_SCORE", "PE_DEVIATION_RATE", "PE_EXECUTION_SCORE", "PE_EVALUATION_GRADE")
_UDF_CALL = re.compile(r"(?<![A-Za-z0-9_.])(?:_xludf\.|_xldudf_)?(?:" + "|".join(UDF_NAMES) + r")\s*\(",
                       re.IGNORECASE)
_CELL = re.compile(r'<c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.DOTALL)
_FORMULA = re.compile(r"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.DOTALL)
_SHARED_INDEX = re.compile(r'\bsi="(\d+)"')
_SHEET = re.compile(r'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_RELATION = re.compile(r"<Relationship\b[^>]*?/>")
_ATTRIBUTE = re.compile(r'\b(Id|Target)="([^"]*)"')


def native_formulas(layout: FormLayout) -> dict[str, str]:
    """Address on the 自评表 → the native formula (without "=") of each cell the xlwings mode
    gives a UDF call: every row's 得分 and 偏差率, the execution score and the grade."""
    out = {}
    for place in layout.indicators:
        rows = RowFormulas(place.row)
        out[cell(place.row, Col.SCORE)] = rows.score()[1:]
        out[cell(place.row, Col.DEVIATION)] = rows.deviation()[1:]
    project = ProjectFormulas(layout)
    out[cell(layout.funds["total"], Col.REASON)] = project.exec_score()[1:]
    out[cell(layout.grade, Col.WEIGHT)] = project.grade()[1:]
    return out


def is_xlwings_form(meta: dict[str, str]) -> bool:
    return meta.get("mode") in UDF_MODES and bool(meta.get("layout"))


def native_copy(form: Path, meta: dict[str, str], dest: Path) -> Path:
    """Write to ``dest`` a copy of the xlwings-mode ``form`` whose UDF calls are native formulas."""
    replacements = native_formulas(layout_from_meta(meta))
    with zipfile.ZipFile(form) as source:
        part = _sheet_part(source, SHEET)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == part:
                    data = replace_udf_formulas(data.decode("utf-8"), replacements).encode("utf-8")
                out.writestr(item, data)
    return dest


def replace_udf_formulas(xml: str, replacements: dict[str, str]) -> str:
    """The sheet XML with the formula of each cell in ``replacements`` that calls a UDF
    (directly, or as a member of a shared formula that does) replaced by the native one."""
    udf_groups = set()
    for match in _FORMULA.finditer(xml):
        index = _SHARED_INDEX.search(match.group(1))
        if index and match.group(2) and _UDF_CALL.search(match.group(2)):
            udf_groups.add(index.group(1))

    def cell_element(match: re.Match[str]) -> str:
        address, body = match.group(1), match.group(2)
        native = replacements.get(address)
        if native is None or not body:
            return match.group(0)
        formula = _FORMULA.search(body)
        if formula is None:
            return match.group(0)  # a number typed over the formula: left as it is
        index = _SHARED_INDEX.search(formula.group(1))
        calls_udf = bool(formula.group(2) and _UDF_CALL.search(formula.group(2))) or bool(
            index and index.group(1) in udf_groups)
        if not calls_udf:
            return match.group(0)
        start = match.start(2) - match.start(0)
        element = match.group(0)
        new_body = body[:formula.start()] + f"<f>{escape(native)}</f>" + body[formula.end():]
        return element[:start] + new_body + element[start + len(body):]

    return _CELL.sub(cell_element, xml)


def _sheet_part(archive: zipfile.ZipFile, name: str) -> str:
    """The zip path of the worksheet called ``name`` (through workbook.xml and its relationships)."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    ids = {_unescape(sheet): rid for sheet, rid in _SHEET.findall(workbook)}
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {}
    for relation in _RELATION.findall(rels):
        attributes = dict(_ATTRIBUTE.findall(relation))
        if "Id" in attributes and "Target" in attributes:
            targets[attributes["Id"]] = attributes["Target"]
    target = targets[ids[name]]
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace(
        "&amp;", "&")


__all__ = ["is_xlwings_form", "native_copy", "native_formulas", "replace_udf_formulas"]
