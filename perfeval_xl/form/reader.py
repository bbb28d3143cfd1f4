"""Reading a filled 自评表 back into a :class:`~perfeval_xl.spec.ProjectSpec`.

The reader does not care where the cells come from — an open workbook through
xlwings (the 检查本表 button), or a file read with openpyxl or calamine: it takes
the main sheet as a grid of values and the _meta sheet's key/value pairs, and
uses the layout the form was written with (recorded in _meta) to find every
field. Findings then name cells: ``第 14 行“重点单位巡查”`` at ``自评表!F14``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..errors import FormError
from ..notation import is_empty, parse_target
from ..profiles import DEFAULT_PROFILE
from ..rounding import to_decimal
from ..spec import FUND_ROWS, FundsRow, Indicator, ProjectSpec
from .layout import FUND_COLUMNS, FUND_WEIGHT, SHEET, Col, cell
from .metadata import layout_from_summary

Grid = Sequence[Sequence[Any]]

_FIELDS = {"name": Col.NAME, "target": Col.TARGET, "actual": Col.ACTUAL, "weight": Col.WEIGHT,
           "reason": Col.REASON, "score": Col.QSCORE}


def read_form(grid: Grid, meta: Mapping[str, str], source: str = SHEET) -> ProjectSpec:
    """The project a form holds: ``grid`` is the main sheet's values (row 0 = row 1)."""
    if "layout" not in meta or "year" not in meta:
        raise FormError(f"{source} 不是 perfeval-xl 生成的自评表（缺少 _meta 工作表），无法读取")
    layout = layout_from_summary(meta["layout"])

    def value(row: int, col: int) -> Any:
        try:
            found = grid[row][col]
        except IndexError:
            return None
        return None if found == "" else found

    def where(row: int, col: int) -> str:
        return f"{SHEET}!{cell(row, col)}"

    funds = {}
    locations = {}
    for key in FUND_ROWS:
        row = layout.funds[key]
        amounts = {name: _amount(value(row, col)) for name, col in FUND_COLUMNS.items()}
        funds[key] = FundsRow(**amounts)
        locations.update({f"funds.{key}.{name}": where(row, col) for name, col in FUND_COLUMNS.items()})
    indicators = []
    for place in layout.indicators:
        cells = {name: value(place.row, col) for name, col in _FIELDS.items()}
        if all(v is None for v in cells.values()):
            continue
        name = _text(cells["name"])
        target = parse_target(cells["target"])
        qualitative = target is not None and target.qualitative
        indicators.append(Indicator(
            level1=place.level1, level2=place.level2, name=name, target=cells["target"],
            actual=cells["actual"], weight=_amount(cells["weight"]), reason=_text(cells["reason"]),
            # 定性指标评分 only counts for qualitative rows, as in the form's formulas
            score=_amount(cells["score"]) if qualitative else None,
            where=f"第 {place.row + 1} 行“{name}”" if name else f"第 {place.row + 1} 行",
            locations={key: where(place.row, col) for key, col in _FIELDS.items()},
        ))
    return ProjectSpec(
        year=int(meta["year"]),
        project=_text(value(layout.project, Col.LEVEL2)),
        department=_text(value(layout.department, Col.LEVEL2)),
        unit=_text(value(layout.department, Col.SCORE)),
        profile=meta.get("profile") or DEFAULT_PROFILE,
        execution_weight=_amount(value(layout.funds["total"], FUND_WEIGHT)),
        funds=funds,
        goal_expected=_text(value(layout.goals_text, Col.LEVEL2)),
        goal_actual=_text(value(layout.goals_text, Col.ACTUAL)),
        indicators=tuple(indicators),
        source=source,
        locations=locations,
    )


def _amount(value: Any) -> Decimal | None:
    """A number cell; anything else (empty, text) is no number, as for the form's ISNUMBER."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    return to_decimal(value)


def _text(value: Any) -> str:
    if value is None or is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
