"""The workbook and worksheet classes the form is written with.

- :class:`FormWorksheet` writes formulas as given. XlsxWriter runs some 150
  regular expressions over every formula (the ``_xlfn.`` prefixes of newer
  functions and the dynamic-array check); the form uses none of those functions
  (a test checks every formula against XlsxWriter's own expansion), and with
  hundreds of formulas per form they were most of the build time.
  Formatted cells are also serialised by a shorter path (the form has about two
  thousand, most of them formulas on the 计算 sheet); the XML is XlsxWriter's, byte
  for byte (a test compares it with XlsxWriter's own), but for one difference: a
  formula whose result is "" is stored as Excel stores it, ``t="str"`` with an
  empty value. XlsxWriter leaves the type out, "to force recalc in some third
  party apps": LibreOffice then recalculates the cell on opening, and in an
  xlwings-mode form, whose UDFs it cannot run, shows ``#VALUE!`` in every empty
  得分 instead of the stored blank.
- Rows given by :meth:`FormWorksheet.set_row_growing` keep their height without
  ``customHeight``: the height is the generator's estimate for the text it wrote,
  and Excel and LibreOffice grow such a row when someone types longer text into a
  wrapped cell of it (they never change a row whose height is custom).
- :class:`FormWorkbook` deflates the package's parts at zlib level 1 rather than
  the default 6: twice as fast (the largest single cost of writing a form after
  the cells), for a file about a quarter larger (some 48 KiB instead of 38).
- :class:`FormWorkbook` adds ``<workbookProtection lockStructure="1"/>`` (with the
  legacy password verifier when there is a password), which XlsxWriter does not
  write, so sheets cannot be added, deleted, renamed or unhidden.
"""

from __future__ import annotations

import functools
import zipfile
from typing import Any

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import CellBlankTuple, CellFormulaTuple, CellNumberTuple, CellStringTuple, Worksheet

from .protection import legacy_hash


class FormWorksheet(Worksheet):  # type: ignore[misc]
    """An XlsxWriter worksheet whose formulas are written as given."""

    def __init__(self) -> None:
        super().__init__()
        self.growing_rows: set[int] = set()
        self._writing_growing_row = False

    def set_row_growing(self, row: int, height: float) -> None:
        """Set ``row`` to ``height`` points as its automatic height, not a fixed one."""
        self.set_row(row, height)
        self.growing_rows.add(row)

    def _write_row(self, row: int, spans: Any, row_info: Any = None, empty_row: bool = False) -> None:
        self._writing_growing_row = row in self.growing_rows
        try:
            super()._write_row(row, spans, row_info, empty_row)
        finally:
            self._writing_growing_row = False

    def _xml_start_tag_unencoded(self, tag: str, attributes: Any = ()) -> None:
        if self._writing_growing_row:
            attributes = [a for a in attributes if a[0] != "customHeight"]
        super()._xml_start_tag_unencoded(tag, attributes)

    def _xml_empty_tag_unencoded(self, tag: str, attributes: Any = ()) -> None:
        if self._writing_growing_row:
            attributes = [a for a in attributes if a[0] != "customHeight"]
        super()._xml_empty_tag_unencoded(tag, attributes)

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula

    def _write_formula(self, row: int, col: int, formula: str, cell_format: Any = None, value: Any = 0) -> int:
        if self._check_dimensions(row, col):
            return -1
        self.table[row][col] = CellFormulaTuple(self._prepare_formula(formula), cell_format, value)
        return 0

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        """Formatted formula, string, number and blank cells written directly, as XlsxWriter
        writes them (the form has about two thousand); other cells by XlsxWriter."""
        kind = cell.__class__
        if cell.format is None or kind not in _FAST or self.constant_memory:
            super()._write_cell(row, col, cell)
            return
        head = f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{cell.format._get_xf_index()}"'
        if kind is CellFormulaTuple:
            value = cell.value
            extra = ""
            if value.__class__ is bool:
                extra, value = ' t="b"', int(value)
            elif isinstance(value, str):  # "" too (see the module's docstring)
                extra = ' t="e"' if value in _ERROR_CODES else ' t="str"'
                value = _escape(value)
            self.fh.write(f"{head}{extra}><f>{_escape(cell.formula)}</f><v>{value}</v></c>")
        elif kind is CellStringTuple:  # the shared-string index
            self.fh.write(f'{head} t="s"><v>{cell.string}</v></c>')
        elif kind is CellNumberTuple:
            self.fh.write(f"{head}><v>{cell.number:.16G}</v></c>")
        else:
            self.fh.write(f"{head}/>")


_FAST = frozenset((CellFormulaTuple, CellStringTuple, CellNumberTuple, CellBlankTuple))
_ERROR_CODES = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))


def _escape(text: str) -> str:
    """XML character data as XlsxWriter escapes it (double quotes and line breaks kept)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


class _FastZipInfo(zipfile.ZipInfo):
    """A zip member deflated at level 1."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compresslevel = DEFLATE_LEVEL  # Python 3.11–3.12; 3.13 calls it compress_level
        self.compress_level = DEFLATE_LEVEL


DEFLATE_LEVEL = 1


class FastDeflateWorkbook(xlsxwriter.Workbook):  # type: ignore[misc]
    """An XlsxWriter workbook whose parts are deflated at zlib level 1 (also the review's)."""

    def _store_workbook(self) -> None:
        # XlsxWriter names each part with zipfile.ZipInfo (in memory) or writes it from a
        # temporary file (constant-memory mode), and has no setting for the level; its
        # module's ZipInfo and ZipFile are swapped for the time of this call (workbooks are
        # written one at a time in a process).
        module = xlsxwriter.workbook
        info, archive = module.ZipInfo, module.ZipFile
        module.ZipInfo, module.ZipFile = _FastZipInfo, functools.partial(zipfile.ZipFile, compresslevel=DEFLATE_LEVEL)
        try:
            super()._store_workbook()
        finally:
            module.ZipInfo, module.ZipFile = info, archive


class FormWorkbook(FastDeflateWorkbook):
    """An XlsxWriter workbook with its structure protected, deflated fast."""

    protection_password: str | None = None

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        attributes: list[tuple[str, Any]] = []
        if self.protection_password:
            attributes.append(("workbookPassword", legacy_hash(self.protection_password)))
        attributes.append(("lockStructure", 1))
        self._xml_empty_tag("workbookProtection", attributes)
