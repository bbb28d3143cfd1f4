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
from typing import TypeVar

from ... import findings as F
from ...engine import resolve_level1, resolve_level2
from ...errors import FormError
from ...findings import Finding
from ...notation import ParseProblem, is_empty, normalize, parse_amount, parse_quantity, parse_target
from ...profiles import Rules, load_rules
from ...reader.cells import Cell, Sheet, labels
from ...reader.hints import (
    actual_in_target_unit,
    chinese_numeral,
    clean_level,
    direction_conflict,
    duration_limit,
    has_money_unit,
    infer_level2,
    is_subtotal,
    money_scale,
    numeral_message,
    target_without_note,
)
from ...reader.uncached import MESSAGE as UNCACHED
from ...spec import FundsRow, Indicator, ProjectSpec, Stated
from ...targetparts import UnknownNature, compose_target, parts_disagree, unit_of

S = TypeVar("S", bound=Sheet)
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


def form_sheets(sheets: list[S]) -> list[S]:
    """The sheets to read as 自评表 among those that look like one: the ones with the whole
    绩效指标 header when any has it (a 绩效目标申报表 before the 自评表 has 三级指标 and 指标值
    but no 实际完成值), else all (so that the reader says what their header lacks)."""
    if len(sheets) < 2:
        return sheets
    required = len(labels().required_indicator_columns)
    complete = [s for s in sheets if _indicator_header(s)[0] == required]
    return complete or sheets


# Labels a header's second row may split a first-row label into (指标值 into 年度指标值 |
# 实际完成值; 年度指标值 into 指标性质 | 指标值 | 度量单位), as provincial forms (四川) do.
_SUB_COLUMNS = ("target", "actual", "sign", "unit", "direction")


def _header_columns(sheet: Sheet, row: int) -> dict[str, int]:
    lab = labels()
    columns: dict[str, int] = {}
    for col, key in sheet.row_texts(row):
        name = lab.lookup(lab.indicator_columns, key)
        if name and name not in columns:
            columns[name] = col
    return columns


def _two_rows(sheet: Sheet, row: int, first: dict[str, int]) -> dict[str, int] | None:
    """The columns of a header on ``row`` and the row below it, when the row below splits some
    of its labels; None when it does not."""
    second = _header_columns(sheet, row + 1)
    if not second or not set(second) <= set(_SUB_COLUMNS):
        return None
    under = set(second.values())
    columns = {}
    for name, col in first.items():
        if not sheet.merged_columns(row, col) & under and name not in second:
            columns[name] = col
    columns.update(second)
    return columns


def _indicator_header(sheet: Sheet) -> tuple[int, int, dict[str, int]]:
    """(number of required columns found, header row, column of each label) of the best row;
    a header on two rows is read as one, its last row the header row."""
    lab = labels()
    best: tuple[int, int, dict[str, int]] = (0, 0, {})
    for row in range(1, min(sheet.max_row, HEADER_SCAN_ROWS * 3) + 1):
        columns = _header_columns(sheet, row)
        header = row
        if columns:
            both = _two_rows(sheet, row, columns)
            if both is not None:
                columns, header = both, row + 1
        found = sum(1 for n in lab.required_indicator_columns if n in columns)
        if found > best[0]:
            best = (found, header, columns)
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


def _amount(cell: Cell, key: str, unread: dict[str, str], scale: Decimal = Decimal(1)) -> Decimal | None:
    """An amount in 万元, possibly written as text in 元/万元/亿元 ("865400元"); what is not one
    (an error value, a date, 约86) goes to ``unread`` for the engine to report at its cell.
    ``scale``: what a number without a unit is worth in 万元 (0.0001 under a （元） header)."""
    if cell.empty:
        return None
    if cell.error or cell.date is not None:
        unread[key] = cell.error or cell.text()
        return None
    try:
        amount = parse_amount(cell.value)
    except ParseProblem:
        unread[key] = cell.text()
        return None
    if amount is not None and scale != 1 and not has_money_unit(cell.value):
        amount *= scale
    return amount


_WHAT = {"target": "年度指标值", "actual": "实际完成值", "weight": "分值", "score": "得分"}


def _indicator_rows(sheet: Sheet, rules: Rules, header: int, last: int, columns: dict[str, int],
                    out: list[Finding]) -> list[Indicator]:
    indicators = []
    level1 = level2 = ""
    for row in range(header + 1, last + 1):
        cells = {name: sheet.cell(row, col, follow_merge=name in ("level1", "level2"))
                 for name, col in columns.items()}
        labelled = [sheet.cell(row, columns[k]) for k in ("level1", "level2", "name") if k in columns]
        subtotal = next((c for c in labelled if is_subtotal(c.value)), None)
        if subtotal is not None:  # a 小计/合计 adds up indicators; it is none
            out.append(F.note("subtotal-row", f"{sheet.title} 第 {row} 行",
                              f"第 {row} 行“{subtotal.text()}”是小计/合计行，不作为指标计分", subtotal.address))
            continue
        if "level1" in cells and not cells["level1"].empty:
            level1 = clean_level(cells["level1"].text())
        if "level2" in cells and not cells["level2"].empty:
            level2 = clean_level(cells["level2"].text())
        name_cell = cells["name"]
        if name_cell.empty and all(cells[n].empty and not cells[n].uncached for n in ("target", "actual", "weight")):
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
            elif cell.uncached and key in _WHAT:
                make = F.warning if key == "score" else F.error
                out.append(make("formula-uncached", where, f"{_WHAT[key]}的{UNCACHED}", cell.address))
        l1 = level1
        if not l1 and level2:
            _, owner, _ = resolve_level2(level2, rules)
            l1 = owner or ""
        row_level2 = level2 if "level2" in columns else _inferred_level2(l1, name, cells, rules, out, where)
        target = _target(cells, out, where, resolve_level2(row_level2, rules)[0] or row_level2)
        actual = cells["actual"].as_written()
        if "unit" in cells and isinstance(actual, Decimal) and not cells["unit"].empty:
            actual = f"{format(actual.normalize(), 'f')}{unit_of(cells['unit'].text())}"
        target, actual = _as_meant(cells, target, actual, out, where)
        _numerals(cells, target, actual, out, where)
        weight = _number(cells["weight"], "分值", out, where, unread, "weight")
        score = _number(cells["score"], "得分", out, where) if "score" in cells else None
        reason = cells["reason"].text() if "reason" in cells and not cells["reason"].empty else ""
        locations = {key: cell.address for key, cell in cells.items()}
        indicators.append(Indicator(
            level1=l1, level2=row_level2, name=name, target=target, actual=actual, weight=weight,
            reason=reason, score=score, where=where, locations=locations, unread=unread,
        ))
    return indicators


def _inferred_level2(level1: str, name: str, cells: dict[str, Cell], rules: Rules, out: list[Finding],
                     where: str) -> str:
    """The 二级指标 of a row in a table without that column: from the 三级指标 name and the target
    (成本指标 keeps its ≤ reading), said in a note; blank when unsure, said in a warning."""
    known, _ = resolve_level1(level1, rules)
    target = cells["target"].as_written()
    found = infer_level2(known or level1, name, target, rules)
    if found is not None:
        out.append(F.note("level2-inferred", where, f"表中没有二级指标列，指标“{name}”按名称归入{found}，请核对",
                          cells["name"].address))
        return found
    out.append(F.warning("level2-not-inferred", where,
                         f"表中没有二级指标列，无法判断指标“{name}”属于{known or level1}下的哪个二级指标；"
                         "请补充“二级指标”列", cells["name"].address))
    return ""


def _as_meant(cells: dict[str, Cell], target: object, actual: object, out: list[Finding], where: str
              ) -> tuple[object, object]:
    """The target without a bracketed note read as part of its unit (≥3500批次（全年）), and the
    actual value in the target's unit where its own is a synonym (10场 against 12场次) or "无"
    against a target of 0 — each said in a note at its cell."""
    none = _none_for_none(cells)
    if none is not None:
        out.append(F.note("target-none", where, f"年度指标值“无”、实际完成值“{cells['actual'].text()}”按 {none} 对 {none} 计分"
                                                "（无此类情况即达成）；如“无”是指没有设定指标值，请填写申报的指标值",
                          cells["target"].address))
        return none, none
    plain = target_without_note(target)
    if plain is not None:
        out.append(F.note("target-note-dropped", where, f"年度指标值“{str(target).strip()}”括号中的文字是说明，"
                                                        f"不是单位，按“{plain}”计分", cells["target"].address))
        target = plain
    written = cells["actual"].value if actual is None else actual  # 无 reads as blank
    converted = actual_in_target_unit(target, written)
    if converted is not None:
        actual = written
        why = "年度指标值为 0" if normalize(str(actual)) == "无" else f"与年度指标值“{target}”的单位同义"
        out.append(F.note("actual-unit-synonym", where, f"实际完成值“{str(actual).strip()}”按“{converted}”计分（{why}）",
                          cells["actual"].address))
        actual = converted
    return target, actual


def _none_for_none(cells: dict[str, Cell]) -> str | None:
    """"0" (in the actual's unit) when the target says 无 (no accidents, no complaints) and the actual
    says 无 or 0 too — what a person reads as met; None otherwise (无 alone is a target not given)."""
    target, actual = cells["target"].value, cells["actual"].value
    if not isinstance(target, str) or normalize(target) != "无":
        return None
    if isinstance(actual, str) and normalize(actual) == "无":
        return "0"
    try:
        quantity = parse_quantity(actual)
    except ParseProblem:
        return None
    if quantity is None or quantity.value != 0 or quantity.sign is not None or quantity.unit == "%":
        return None
    return f"0{quantity.unit or ''}"


def _numerals(cells: dict[str, Cell], target: object, actual: object, out: list[Finding], where: str) -> None:
    """A warning at a target or an actual value that writes its number in Chinese numerals."""
    parsed = parse_target(target)
    if parsed is not None and parsed.qualitative and (found := chinese_numeral(target)):
        out.append(F.warning("chinese-numeral", where, numeral_message("年度指标值", str(target), found),
                             cells["target"].address))
    if isinstance(actual, str) and (found := chinese_numeral(actual)):
        try:
            readable = parse_quantity(actual) is not None
        except ParseProblem:
            readable = False
        if not readable:
            out.append(F.warning("chinese-numeral", where, numeral_message("实际完成值", actual, found),
                                 cells["actual"].address))


def _target(cells: dict[str, Cell], out: list[Finding], where: str, level2: str = "") -> object:
    """The 年度指标值, made from 指标性质/指标值/度量单位 where the form splits it (as budget systems do),
    with the sign of a 指标方向 column (正向/反向) where it gives one; an unsigned duration of a
    时效指标 (30天) is a limit (≤30天), as a person reads it."""
    value = cells["target"].as_written()
    sign, unit, direction = cells.get("sign"), cells.get("unit"), cells.get("direction")
    given = [c for c in (sign, direction) if c is not None and not c.empty]
    if not given and unit is None:
        return _limited(value, level2, out, where, cells["target"])
    nature_cell = given[0] if given else sign
    nature = "" if nature_cell is None or nature_cell.empty else nature_cell.text()
    try:
        composed = compose_target(nature, value, "" if unit is None or unit.empty else unit.text())
    except UnknownNature:
        assert nature_cell is not None
        column = "指标方向" if nature_cell is direction else "指标性质"
        out.append(F.error("target-nature-unknown", where,
                           f"{column}“{nature}”无法识别，应为 ≥ ＞ ＝ ＜ ≤、“正向”“反向”或“定性”", nature_cell.address))
        return value
    disagreement = parts_disagree(composed, nature)
    if disagreement is not None and nature_cell is not None:
        out.append(F.warning("target-parts-disagree", where, disagreement, nature_cell.address))
    conflict = direction_conflict(composed.target, [c.text() for c in given])
    if conflict is not None:
        out.append(F.warning("target-direction-disagree", where, conflict, given[-1].address))
    return _limited(composed.target, level2, out, where, cells["target"])


def _limited(target: object, level2: str, out: list[Finding], where: str, cell: Cell) -> object:
    limited = duration_limit(level2, target)
    if limited is None:
        return target
    out.append(F.note("duration-limit", where, f"年度指标值“{str(target).strip()}”是时效指标的时限，未写比较符号，"
                                               f"按“{limited}”（不超过）计分", cell.address))
    return limited


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
    scales = _money_scales(sheet, funds_header, columns, out)
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
            if cell.uncached:
                out.append(F.error("formula-uncached", f"{sheet.title} 项目资金", f"金额的{UNCACHED}", cell.address))
            amount = _amount(cell, key, unread, scales.get(col_name, Decimal(1)))
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


def _money_scales(sheet: Sheet, row: int, columns: dict[str, int], out: list[Finding]) -> dict[str, Decimal]:
    """What a number in each amount column is worth in 万元, from the unit its header names
    (全年预算数（元）) or the block's label names (项目资金（元）); a note says each conversion."""
    amount_columns = {col: name for name, col in columns.items() if name in ("initial", "budget", "executed")}
    default = None
    own: dict[str, tuple[str, Decimal, str]] = {}
    for col in range(1, sheet.max_col + 1):
        value, _ = sheet.raw(row, col)
        found = money_scale(value)
        if found is None:
            continue
        if col in amount_columns:
            own[amount_columns[col]] = (*found, sheet.address(row, col))
        elif default is None:
            default = (*found, sheet.address(row, col))
    scales = {}
    for name, col in columns.items():
        if name not in ("initial", "budget", "executed"):
            continue
        unit, scale, address = own.get(name) or default or ("万元", Decimal(1), "")
        scales[name] = scale
        if scale != 1:
            header, _ = sheet.raw(row, col)
            label = normalize(str(header)) if name in own else "项目资金"
            out.append(F.note("amount-unit-converted", f"{sheet.title} 项目资金",
                              f"“{label}”以{unit}计，金额已换算为万元（自评表以万元计）", address))
    return scales


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
    if cell.uncached:
        out.append(F.warning("formula-uncached", f"{sheet.title} 总分", f"总分的{UNCACHED}", cell.address))
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
