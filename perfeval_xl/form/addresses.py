"""Cell addresses and the sheets every form kind shares: said once for all kinds.

Every form of ours, whatever its kind, has its main sheet (the kind's own name: 自评表, 评分表),
the hidden 计算 sheet of helper columns beside it row for row, the hidden 参数 sheet of rule
numbers, and the very hidden _meta sheet (what was issued; :mod:`.metadata`).
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

CALC_SHEET = "计算"  # the hidden helper columns, row for row beside the main sheet
PARAMS_SHEET = "参数"
META_SHEET = "_meta"

_COLUMN_NAMES = [str(xl_col_to_name(c)) for c in range(702)]  # A … ZZ


def cell(row: int, col: int, absolute: bool = False) -> str:
    """A1 address of a 0-based (row, col)."""
    if absolute:
        return f"${_COLUMN_NAMES[col]}${row + 1}"
    return f"{_COLUMN_NAMES[col]}{row + 1}"


def col_range(col: int, first: int, last: int, absolute: bool = True) -> str:
    """Address of one column between two rows, e.g. $H$13:$H$40."""
    a = "$" if absolute else ""
    name = xl_col_to_name(col)
    return f"{a}{name}{a}{first + 1}:{a}{name}{a}{last + 1}"


def sheet_ref(address: str, sheet: str) -> str:
    """``address`` on ``sheet``, quoted as defined names hold it: '参数'!$B$2."""
    return f"'{sheet}'!{address}"


__all__ = ["CALC_SHEET", "META_SHEET", "PARAMS_SHEET", "cell", "col_range", "sheet_ref"]
