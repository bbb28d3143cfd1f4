"""Reading a 自评表 typed by hand in the official layout.

The tables are found by their labels (form_labels.yaml), wherever they are on
the sheet: the 绩效指标 header row (三级指标, 年度指标值, 实际完成值, 分值 …), the
项目资金 header (全年预算数, 全年执行数 …) and its rows (年度资金总额, 其中：当年财政拨款 …),
and the single fields (项目名称, 主管部门, 实施单位, 总分, 评价等级). Merged cells, blank
spacer rows, line breaks in labels, numbers typed as text with units, percentages
as numbers in % format or as text, and "—" for empty are all tolerated. What is
written in the file's own 得分, 执行率 and 总分 cells is kept as claims, which the
engine checks against the recomputed results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ... import findings as F
from ...engine import resolve_level2
from ...errors import FormError
from ...findings import Finding
from ...notation import ParseProblem, is_empty, parse_amount, parse_quantity
from ...profiles import Rules, load_rules
from ...reader.cells import Cell, Sheet, labels
from ...spec import FundsRow, Indicator, ProjectSpec, Stated
from ...targetparts import UnknownNature, compose_target, parts_disagree, unit_of

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度")
_YEAR_LOOSE = re.compile(r"((?:19|20)\d{2})\s*年")
HEADER_SCAN_ROWS = 60
GRADE_WORDS = {"优": "优", "优秀": "优", "良": "良", "良好": "良", "中": "中", "中等": "中", "合格": "中",
               "差": "差", "较差": "差", "不合格": "差"}


@dataclass
class Found:
    """What the reader found on one sheet."""

    spec: ProjectSpec
    findings: list[Finding] = field(default_factory=list)


def looks_like_form(sheet: Sheet) -> bool:
    """True when the sheet has something of a 绩效指标 header (for picking sheets)."""
    best, _, _ = _indicator_header(sheet)
    return best >= 2


def _indicator_header(sheet: Sheet) -> tuple[int, int, dict[str, int]]:
    """(number of required columns found, header row, column of each label) of the best row."""
    lab = labels()
    best: tuple[int, int, dict[str, int]] = (0, 0, {})
    for row in range(1, min(sheet.max_row, HEADER_SCAN_ROWS * 3) + 1):
        columns: dict[str, int] = {}
        for col, key in sheet.row_texts(row):
            name = lab.lookup(lab.indicator_columns, key)
            if name and name not in columns:
                columns[name] = col
        found = sum(1 for n in lab.required_indicator_columns if n in columns)
        if found > best[0]:
            best = (found, row, columns)
    return best


def read_handmade(sheet: Sheet, year: int | None, profile: str, source: str) -> Found:
    """Build a ProjectSpec from a hand-made sheet; raises FormError when it is not a 自评表."""
    lab = labels()
    found_count, header, columns = _indicator_header(sheet)
    required = lab.required_indicator_columns
    names = {"name": "三级指标", "target": "年度指标值", "actual": "实际完成值", "weight": "分值"}
    if found_count == 0 or ("name" not in columns and found_count < 2):
        raise FormError(f"{source} 的工作表“{sheet.title}”不是项目支出绩效自评表：没有找到“三级指标、年度指标值、"
                        "实际完成值、分值”表头；如表头写法不同，请改成官方表样的写法")
    if found_count < len(required):
        missing = "、".join(f"“{names[n]}”" for n in required if n not in columns)
        raise FormError(f"{source} 的工作表“{sheet.title}”第 {header} 行的绩效指标表头不完整，缺少 {missing} 列；"
                        "请补全表头（参照官方表样）后再试")
    out: list[Finding] = []
    spec_year = year or _year(sheet)
    if spec_year is None:
        raise FormError(f"{source} 的工作表“{sheet.title}”中没有找到评价年度（如“（2019年度）”），"
                        "请在表中写明年度，或用 --year 指定")
    rules = load_rules(profile, spec_year)
    total_row = _find_field_row(sheet, "total", start=header + 1)
    last = (total_row - 1) if total_row else sheet.max_row
    indicators = _indicator_rows(sheet, rules, header, last, columns, out)
    fields = _fields(sheet, header)
    funds, execution_weight, stated_rate, stated_score = _funds(sheet, header, out)
    stated_total = _stated_total(sheet, total_row, columns, out) if total_row else None
    grade = _grade(sheet, total_row)
    goal_expected, goal_actual = _goals(sheet)
    spec = ProjectSpec(
        year=spec_year,
        project=fields.get("project", ("", ""))[0] or sheet.title,
        department=fields.get("department", ("", ""))[0],
        unit=fields.get("unit", ("", ""))[0],
        profile=profile,
        execution_weight=execution_weight,
        funds=funds[0],
        goal_expected=goal_expected,
        goal_actual=goal_actual,
        indicators=tuple(indicators),
        stated=Stated(execution_rate=stated_rate[0], execution_score=stated_score[0], total=stated_total[0]
                      if stated_total else None, grade=grade[0] if grade else None),
        source=source,
        locations={**funds[1], **_stated_locations(stated_rate, stated_score, stated_total, grade),
                   **{f: loc for f, (_, loc) in fields.items()}},
        unread=funds[2],
    )
    return Found(spec, out)


def _stated_locations(*pairs: tuple[object, str] | None) -> dict[str, str]:
    keys = ("stated.execution_rate", "stated.execution_score", "stated.total", "stated.grade")
    return {k: p[1] for k, p in zip(keys, pairs, strict=True) if p and p[0] is not None}


def _find_field_row(sheet: Sheet, name: str, start: int = 1) -> int | None:
    lab = labels()
    for row in range(start, sheet.max_row + 1):
        for _, key in sheet.row_texts(row):
            if lab.lookup(lab.fields, key) == name:
                return row
    return None


def _value_right_of(sheet: Sheet, row: int, col: int) -> Cell | None:
    lab = labels()
    for c in range(col + 1, sheet.max_col + 1):
        if sheet.is_merged_child(row, c):
            continue
        cell = sheet.cell(row, c)
        if cell.empty:
            continue
        if isinstance(cell.value, str) and lab.lookup(lab.fields, cell.value):
            return None
        return cell
    return None


def _fields(sheet: Sheet, header: int) -> dict[str, tuple[str, str]]:
    lab = labels()
    out: dict[str, tuple[str, str]] = {}
    for row in range(1, header):
        for col, key in sheet.row_texts(row):
            name = lab.lookup(lab.fields, key)
            if name in ("project", "department", "unit") and name not in out:
                cell = _value_right_of(sheet, row, col)
                if cell is not None:
                    out[name] = (cell.text(), cell.address)
    return out


def _year(sheet: Sheet) -> int | None:
    for pattern in (_YEAR, _YEAR_LOOSE):
        for row in range(1, min(sheet.max_row, 8) + 1):
            for col in range(1, sheet.max_col + 1):
                value, fmt = sheet.raw(row, col)
                if (isinstance(value, (int, float)) and 1990 <= value <= 2100 and pattern is _YEAR
                        and "年度" in fmt):
                    return int(value)
                if isinstance(value, str):
                    match = pattern.search(value)
                    if match:
                        return int(match.group(1))
        match = pattern.search(sheet.title)
        if match:
            return int(match.group(1))
    return None


def _goals(sheet: Sheet) -> tuple[str, str]:
    lab = labels()
    expected = actual = ""
    for row in range(1, min(sheet.max_row, HEADER_SCAN_ROWS) + 1):
        for col, key in sheet.row_texts(row):
            name = lab.lookup(lab.fields, key)
            if name in ("expected", "actual"):
                below = sheet.cell(row + 1, col, follow_merge=True)
                text = "" if below.empty else below.text()
                if name == "expected" and not expected:
                    expected = text
                elif name == "actual" and not actual:
                    actual = text
    return expected, actual


def _number(cell: Cell, what: str, out: list[Finding], where: str,
            unread: dict[str, str] | None = None, key: str = "") -> Decimal | None:
    """A number written in a cell, possibly as text with a unit ("25分"). What is not one — an
    error value, a date, other text — goes to ``unread`` under ``key`` for the engine to
    report, or without ``unread`` is reported here."""
    if cell.empty:
        return None
    if isinstance(cell.value, Decimal) and cell.date is None:
        return cell.value
    if not cell.error and cell.date is None and isinstance(cell.value, str):
        try:
            quantity = parse_quantity(cell.value)
        except ParseProblem:
            quantity = None
        if quantity is not None and quantity.unit in (None, "分") and quantity.sign is None:
            return quantity.value
    text = cell.error or cell.text()
    if unread is not None:
        unread[key] = text
    elif cell.error:
        out.append(F.error("cell-error", where, f"{what}是错误值 {text}，请改为数值或留空", cell.address))
    else:
        out.append(F.error("cell-not-number", where, f"{what}“{text}”不是数字，请填写数值", cell.address))
    return None


def _amount(cell: Cell, key: str, unread: dict[str, str]) -> Decimal | None:
    """An amount in 万元, possibly written as text in 元/万元/亿元 ("865400元"); what is not one
    (an error value, a date, 约86) goes to ``unread`` for the engine to report at its cell."""
    if cell.empty:
        return None
    if cell.error or cell.date is not None:
        unread[key] = cell.error or cell.text()
        return None
    try:
        return parse_amount(cell.value)
    except ParseProblem:
        unread[key] = cell.text()
        return None


def _indicator_rows(sheet: Sheet, rules: Rules, header: int, last: int, columns: dict[str, int],
                    out: list[Finding]) -> list[Indicator]:
    indicators = []
    level1 = level2 = ""
    for row in range(header + 1, last + 1):
        cells = {name: sheet.cell(row, col, follow_merge=name in ("level1", "level2"))
                 for name, col in columns.items()}
        if "level1" in cells and not cells["level1"].empty:
            level1 = cells["level1"].text()
        if "level2" in cells and not cells["level2"].empty:
            level2 = cells["level2"].text()
        name_cell = cells["name"]
        if name_cell.empty and all(cells[n].empty for n in ("target", "actual", "weight")):
            continue
        name = name_cell.text()
        where = f"{sheet.title} 第 {row} 行“{name}”" if name else f"{sheet.title} 第 {row} 行"
        unread: dict[str, str] = {}
        for key, cell in cells.items():
            if cell.error and key in ("target", "actual"):
                unread[key] = cell.error  # the engine says what it means for the score
            elif cell.error and key not in ("weight", "score"):
                out.append(F.error("cell-error", where, f"单元格是错误值 {cell.error}，按空白处理；请改为正确的值",
                                   cell.address))
        l1 = level1
        if not l1 and level2:
            _, owner, _ = resolve_level2(level2, rules)
            l1 = owner or ""
        target = _target(cells, out, where)
        actual = cells["actual"].as_written()
        if "unit" in cells and isinstance(actual, Decimal) and not cells["unit"].empty:
            actual = f"{format(actual.normalize(), 'f')}{unit_of(cells['unit'].text())}"
        weight = _number(cells["weight"], "分值", out, where, unread, "weight")
        score = _number(cells["score"], "得分", out, where) if "score" in cells else None
        reason = cells["reason"].text() if "reason" in cells and not cells["reason"].empty else ""
        locations = {key: cell.address for key, cell in cells.items()}
        indicators.append(Indicator(
            level1=l1, level2=level2, name=name, target=target, actual=actual, weight=weight,
            reason=reason, score=score, where=where, locations=locations, unread=unread,
        ))
    return indicators


def _target(cells: dict[str, Cell], out: list[Finding], where: str) -> object:
    """The 年度指标值, made from 指标性质/指标值/度量单位 where the form splits it (as budget systems do)."""
    value = cells["target"].as_written()
    sign, unit = cells.get("sign"), cells.get("unit")
    if sign is None and unit is None:
        return value
    nature = "" if sign is None or sign.empty else sign.text()
    try:
        composed = compose_target(nature, value, "" if unit is None or unit.empty else unit.text())
    except UnknownNature:
        assert sign is not None
        out.append(F.error("target-nature-unknown", where, f"指标性质“{nature}”无法识别，应为 ≥ ＞ ＝ ＜ ≤ 或“定性”",
                           sign.address))
        return value
    disagreement = parts_disagree(composed, nature)
    if disagreement is not None and sign is not None:
        out.append(F.warning("target-parts-disagree", where, disagreement, sign.address))
    return composed.target


def _funds(sheet: Sheet, header: int, out: list[Finding]
           ) -> tuple[tuple[dict[str, FundsRow], dict[str, str], dict[str, str]], Decimal | None,
                      tuple[Decimal | None, str], tuple[Decimal | None, str]]:
    """((rows, locations, unread amounts), execution weight, stated rate, stated score)."""
    lab = labels()
    funds_header = None
    columns: dict[str, int] = {}
    for row in range(1, header):
        found: dict[str, int] = {}
        for col, key in sheet.row_texts(row):
            name = lab.lookup(lab.funds_columns, key)
            if name and name not in found:
                found[name] = col
        if "budget" in found and "executed" in found:
            funds_header, columns = row, found
    empty: tuple[Decimal | None, str] = (None, "")
    if funds_header is None:
        return ({}, {}, {}), None, empty, empty
    rows: dict[str, dict[str, Decimal | None]] = {}
    locations: dict[str, str] = {}
    unread: dict[str, str] = {}
    weight, rate, score = None, empty, empty
    for row in range(funds_header + 1, min(funds_header + 8, header)):
        kind = None
        for col, key in sheet.row_texts(row):
            if col < columns["budget"]:
                kind = lab.lookup(lab.funds_rows, key) or kind
        if kind is None:
            continue
        values = rows.setdefault(kind, {"initial": None, "budget": None, "executed": None})
        for col_name in ("initial", "budget", "executed"):
            if col_name not in columns:
                continue
            cell = sheet.cell(row, columns[col_name])
            key = f"funds.{kind}.{col_name}"
            amount = _amount(cell, key, unread)
            if amount is not None:
                values[col_name] = (values[col_name] or Decimal(0)) + amount
            if amount is not None or key in unread:
                locations.setdefault(key, cell.address)
        if kind == "total":
            if "weight" in columns:
                cell = sheet.cell(row, columns["weight"])
                weight = _number(cell, "预算执行率分值", out, f"{sheet.title} 项目资金")
                locations["execution_weight"] = cell.address
            if "rate" in columns:
                cell = sheet.cell(row, columns["rate"])
                rate = (_rate(cell, out, sheet.title), cell.address)
            if "score" in columns:
                cell = sheet.cell(row, columns["score"])
                score = (_number(cell, "预算执行率得分", out, f"{sheet.title} 项目资金"), cell.address)
    funds = {key: FundsRow(**values) for key, values in rows.items()}
    return (funds, locations, unread), weight, rate, score


def _rate(cell: Cell, out: list[Finding], title: str) -> Decimal | None:
    if cell.empty or cell.error:
        return None
    if isinstance(cell.value, Decimal):
        return cell.value if cell.percent or cell.value <= Decimal("1.5") else cell.value / 100
    try:
        quantity = parse_quantity(cell.value)
    except ParseProblem:
        return None
    return quantity.value if quantity else None


def _stated_total(sheet: Sheet, row: int, columns: dict[str, int], out: list[Finding]
                  ) -> tuple[Decimal | None, str] | None:
    """The total the form states: the 得分 cell of the 总分 row, nothing else.

    The row also holds the 分值 total (100); a blank or unreadable 得分 cell
    (``#DIV/0!`` reads as blank through python-calamine) states no total.
    """
    if "score" not in columns:
        return None
    cell = sheet.cell(row, columns["score"], follow_merge=True)
    if (cell.empty and not cell.error) or labels().lookup(labels().fields, cell.value) == "total":
        return None  # blank, or inside the 总分 label's merged range
    return _number(cell, "总分", out, f"{sheet.title} 总分"), cell.address


def _grade(sheet: Sheet, total_row: int | None) -> tuple[str, str] | None:
    """The grade the form states: right of a 评价等级 (等级) label, or a grade word on the 总分 row.

    Nowhere else: an indicator's 年度指标值 may well be a word such as 合格.
    """
    lab = labels()
    for row in range(1, sheet.max_row + 1):
        for col, key in sheet.row_texts(row):
            if lab.lookup(lab.fields, key) == "grade":
                cell = _value_right_of(sheet, row, col)
                if cell is not None and cell.text():
                    return cell.text(), cell.address
    if total_row is not None:
        for col in range(1, sheet.max_col + 1):
            cell = sheet.cell(total_row, col)
            if isinstance(cell.value, str) and cell.text() in GRADE_WORDS:
                return GRADE_WORDS[cell.text()], cell.address
    return None


__all__ = ["Found", "is_empty", "looks_like_form", "read_handmade"]
