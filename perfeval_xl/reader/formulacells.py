"""Which cells of a sheet hold formulas, read from the sheet's XML (python-calamine gives values only).

On one of our forms two things only formulas tell are worth a reviewer's eye, and the
fast reader would not see them: a computed cell (a score, the total, the grade) whose
formula was replaced by a number that shows something else, and a formula typed into a
cell meant for a value — one that fetches from the web (WEBSERVICE), links to another
workbook, or reads the hidden sheets shows the reviewer a number the file did not store.
"""

from __future__ import annotations

import html
import re

from xlsxwriter.utility import xl_cell_to_rowcol

_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>)", re.S)
_REF = re.compile(rb"""\sr\s*=\s*["']\$?([A-Z]{1,3})\$?([0-9]{1,7})["']""")
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*?(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is)\b")
SHARED = "（共享公式）"  # a cell that takes its formula from another (t="shared"): no text of its own

Cells = frozenset[tuple[int, int]]


def formula_cells(xml: bytes) -> tuple[dict[tuple[int, int], str], set[tuple[int, int]]]:
    """(0-based (row, column) -> formula text, cells holding a value without a formula) of a
    worksheet part. Cells written without an address are left out (no program writes them)."""
    formulas: dict[tuple[int, int], str] = {}
    constants: set[tuple[int, int]] = set()
    for found in _CELL.finditer(xml):
        ref = _REF.search(found.group(1))
        body = found.group(2) or b""
        if ref is None:
            continue
        where = xl_cell_to_rowcol((ref.group(1) + ref.group(2)).decode("ascii"))
        formula = _FORMULA.search(body)
        if formula is not None:
            text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace"))
            formulas[where] = f"={text}" if text else SHARED
        elif _VALUE.search(body):
            constants.add(where)
    return formulas, constants


def replaced(constants: set[tuple[int, int]], listed: Cells) -> list[tuple[int, int]]:
    """The cells ``listed`` as formulas (_meta's formula_cells) that hold a constant instead."""
    return sorted(constants & listed)


def typed(formulas: dict[tuple[int, int], str], inputs: Cells) -> list[tuple[tuple[int, int], str]]:
    """The input cells holding a formula, with its text."""
    return sorted((where, text) for where, text in formulas.items() if where in inputs)
