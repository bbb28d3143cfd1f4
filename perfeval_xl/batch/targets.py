"""A targets list (绩效目标清单) as projects: rows grouped into :class:`ProjectSpec` s.

Each row of the list is one 三级指标. Rows belong to the same project when they
have the same 项目名称, 实施单位 and 年度; they need not be next to each other.
The project's own columns (项目名称, 主管部门, 实施单位, 年度, 全年预算数, 规则) may
be written on its first row only: a row where all of them are blank belongs to
the project of the row above (which is also how merged cells read). Where a
project's rows do give 主管部门, 全年预算数 or 规则, they must agree.

Every problem is collected with its row number, and a project with any problem
is not generated; the others are.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

from .. import display
from ..engine import qualitative_digits_message, resolve_level1, resolve_level2
from ..errors import FileError, RuleDataError
from ..notation import ERROR_VALUES, is_empty, normalize, parse_target
from ..profiles import DEFAULT_PROFILE, Rules, available_profiles, load_rules
from ..reader.hints import (
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
from ..rounding import to_decimal
from ..spec import YEARS, FundsRow, Indicator, ProjectSpec, parse_amount
from ..targetparts import UnknownNature, compose_target, parts_disagree
from .columns import BY_KEY, PROJECT_KEYS
from .tables import Table, blank, iter_data_rows, place, read_table

EXCEL_ERRORS = ERROR_VALUES
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True)
class RowProblem:
    """A problem of the list, at a row: an error (the project is not generated) or a warning
    (it is, as the list was understood; the message says how)."""

    file: str
    sheet: str  # "" for a CSV file
    row: int
    project: str
    message: str
    warning: bool = False

    @property
    def level(self) -> str:
        return "警告" if self.warning else "错误"

    def __str__(self) -> str:
        return f"{place(Path(self.file), self.sheet, self.row)}：{self.message}"


@dataclass
class ListedProject:
    """One project of the list: what the manifest shows, and its spec when it has no problems."""

    rows: tuple[int, ...]
    project: str
    department: str
    unit: str
    year: int | None
    indicators: int
    weight_total: Decimal | None  # 预算执行率 + the indicators' weights given
    problems: list[RowProblem] = field(default_factory=list)
    spec: ProjectSpec | None = None
    warnings: list[RowProblem] = field(default_factory=list)

    @property
    def rows_text(self) -> str:
        return rows_text(self.rows)


@dataclass
class TargetList:
    """A list read and checked."""

    path: Path
    sheet: str
    projects: list[ListedProject]
    notes: list[RowProblem] = field(default_factory=list)  # warnings about the whole list

    @property
    def problems(self) -> list[RowProblem]:
        """Every problem, in the order of the list's rows."""
        return sorted((p for project in self.projects for p in project.problems), key=lambda p: p.row)

    @property
    def warnings(self) -> list[RowProblem]:
        """Every warning (the projects are generated), in the order of the list's rows."""
        return sorted([*self.notes, *(w for project in self.projects for w in project.warnings)],
                      key=lambda w: w.row)


def read_targets(path: str | Path) -> TargetList:
    """Read and check the list in ``path``; FileError when it cannot be read at all."""
    table = read_table(path)
    groups: dict[tuple[str, str, str], list[_Row]] = {}
    notes = []
    for row in _rows(table):
        subtotal = next((row.text(k) for k in ("level1", "level2", "name") if is_subtotal(row.text(k))), None)
        if subtotal is not None:  # a 小计/合计 adds up indicators; it is none
            notes.append(RowProblem(str(table.path), table.sheet, row.number, row.text("project"),
                                    f"“{subtotal}”是小计/合计行，不作为指标", warning=True))
            continue
        groups.setdefault(row.group_key(), []).append(row)
    if not groups:
        raise FileError(f"{table.where(table.header_row)}的表头下没有任何指标行，请在表头下逐行填写项目的指标")
    unit = money_scale(table.headers.get("budget"))
    if unit is not None and unit[1] != 1:
        notes.append(RowProblem(str(table.path), table.sheet, table.header_row, "",
                                f"“{table.headers['budget']}”以{unit[0]}计，全年预算数已换算为万元（自评表以万元计）",
                                warning=True))
    return TargetList(table.path, table.sheet, [_project(table, rows) for rows in groups.values()], notes)


# ---------------------------------------------------------------------------
# Rows


@dataclass
class _Row:
    number: int
    values: dict[str, object]  # column key -> cell (project columns inherited when blank)
    head: bool  # the row gives its project's columns itself

    def text(self, key: str) -> str:
        return cell_text(self.values.get(key))

    def group_key(self) -> tuple[str, str, str]:
        """项目名称, 实施单位, 年度 as compared."""
        name = self.text("project")
        if not name:  # each nameless row is on its own: it cannot be matched to anything
            return "", f"#{self.number}", ""
        try:
            year = str(parse_year(self.values.get("year")))
        except ValueError:
            year = _fold(self.text("year"))
        return _fold(name), _fold(self.text("unit")), year


def _rows(table: Table) -> Iterable[_Row]:
    previous: dict[str, object] = {}
    for number, cells in iter_data_rows(table):
        values = {key: table.cell(cells, key) for key in table.columns}
        head = not all(blank(values.get(key)) for key in PROJECT_KEYS)
        if not head:
            values.update({key: previous.get(key) for key in PROJECT_KEYS})
        previous = values
        yield _Row(number, values, head)


def cell_text(value: object) -> str:
    """A cell as text: 2019.0 -> "2019", a date -> "2024-12-31", None -> ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value).strip()


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def rows_text(numbers: Iterable[int]) -> str:
    """第 2–5、9 行."""
    spans: list[list[int]] = []
    for n in sorted(set(numbers)):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in spans]
    return f"第 {'、'.join(parts)} 行"


# ---------------------------------------------------------------------------
# A project


class _Checker:
    """Collects the problems of one project."""

    def __init__(self, table: Table, project: str) -> None:
        self.table = table
        self.project = project
        self.problems: list[RowProblem] = []
        self.warnings: list[RowProblem] = []

    def __call__(self, row: int, message: str) -> None:
        self.problems.append(RowProblem(str(self.table.path), self.table.sheet, row, self.project, message))

    def warn(self, row: int, key: str, message: str) -> None:
        """A warning about the cell of column ``key`` in ``row`` (named by its letter)."""
        index = self.table.columns.get(key)
        letter = f"{xl_col_to_name(index)} 列" if index is not None else ""
        self.warnings.append(RowProblem(str(self.table.path), self.table.sheet, row, self.project,
                                        letter + message, warning=True))

    def agreed(self, heads: list[_Row], key: str, parse: Callable[[object], object]) -> object:
        """The value of a project column: every head row that gives one must give the same."""
        label = BY_KEY[key].label
        first: tuple[object, int] | None = None
        for row in heads:
            raw = row.values.get(key)
            if blank(raw):
                continue
            try:
                value = parse(raw)
            except ValueError as exc:
                self(row.number, str(exc))
                continue
            if first is None:
                first = (value, row.number)
            elif value != first[0]:
                self(row.number, f"{label}{_show(value)}与第 {first[1]} 行的{_show(first[0])}不一致，"
                                 f"同一项目各行的{label}应相同")
        return first[0] if first else None


def _show(value: object) -> str:
    return f" {display.number(value)} " if isinstance(value, Decimal) else f"“{value}”"


def _project(table: Table, rows: list[_Row]) -> ListedProject:
    name = rows[0].text("project")
    check = _Checker(table, name)
    heads = [r for r in rows if r.head]
    for row in rows:
        for key, value in row.values.items():
            own = row.head or key not in PROJECT_KEYS  # a continuation row inherits the project columns
            if own and isinstance(value, str) and value.strip() in EXCEL_ERRORS:
                check(row.number, f"{BY_KEY[key].label}是错误值 {value.strip()}（公式出错），"
                                  "请改正公式，或直接填写内容")
    if not name:
        check(rows[0].number, "项目名称为空，请填写项目名称")
    year = None  # the same on every row: it is part of the group's key
    for row in heads:
        try:
            year = parse_year(row.values.get("year"))
        except ValueError as exc:
            check(row.number, str(exc))
    department = str(check.agreed(heads, "department", cell_text) or "")
    unit = rows[0].text("unit")
    scale = money_scale(table.headers.get("budget"))
    budget = check.agreed(heads, "budget", functools.partial(_budget, scale=scale[1] if scale else Decimal(1)))
    before = len(check.problems)
    profile = str(check.agreed(heads, "profile", _profile) or DEFAULT_PROFILE)
    rules = None
    if isinstance(year, int) and len(check.problems) == before:
        try:
            rules = load_rules(profile, year)
        except RuleDataError as exc:
            check(rows[0].number, exc.headline)

    indicators: list[Indicator] = []
    weights: list[Decimal | None] = []
    seen: dict[str, int] = {}
    inferred: list[str] = []
    for row in rows:
        try:
            weight = _weight(row.values.get("weight"))
        except ValueError as exc:
            check(row.number, str(exc))
            weight = None
        else:
            weights.append(weight)
        indicator = _indicator(row, weight, rules, check, inferred)
        key = normalize(indicator.name)
        if key in seen:
            check(row.number, f"三级指标“{indicator.name}”与第 {seen[key]} 行重复，同一项目中指标名称不能重复")
        elif key:
            seen[key] = row.number
        indicators.append(indicator)

    if inferred:
        check.warn(rows[0].number, "name", f"清单没有“二级指标”列，二级指标已按三级指标名称推断：{'、'.join(inferred)}；"
                                           "请核对，或在清单中加上“二级指标”列")
    weights_ok = len(weights) == len(rows)
    given = [w for w in weights if w is not None]
    weight_total = sum(given, rules.execution_weight if rules else Decimal(0))
    if rules is not None and weights_ok and name:  # nameless rows are not a project to total
        _check_weights(check, rows, name, rules, len(given) == len(rows), weight_total)

    listed = ListedProject(
        rows=tuple(r.number for r in rows), project=name, department=department, unit=unit,
        year=year, indicators=len(rows),
        weight_total=weight_total if weights_ok else None, problems=check.problems, warnings=check.warnings,
    )
    if not check.problems and year is not None:
        listed.spec = ProjectSpec(
            year=year, project=name, department=department, unit=unit, profile=profile,
            funds={"fiscal": FundsRow(budget=budget)} if isinstance(budget, Decimal) else {},
            indicators=tuple(indicators), source=str(table.path),
        )
    return listed


def _check_weights(check: _Checker, rows: list[_Row], name: str, rules: Rules, complete: bool,
                   total: Decimal) -> None:
    execution = display.number(rules.execution_weight)
    indicators = display.number(total - rules.execution_weight)
    head = f"项目“{name}”（{rows_text(r.number for r in rows)}）"
    full = rules.total_points  # the 自评表's 总分 row: 预算执行率 and all indicators together
    if complete and total != full:
        check(rows[0].number, f"{head}分值合计 {indicators}，加预算执行率 {execution} 分共 "
                              f"{display.number(total)}，应为 {display.number(full)}，请调整各指标分值")
    elif not complete and total > full:
        check(rows[0].number, f"{head}已填分值合计 {indicators}，加预算执行率 {execution} 分共 "
                              f"{display.number(total)}，超过 {display.number(full)}，请调整各指标分值")


def _indicator(row: _Row, weight: Decimal | None, rules: Rules | None, check: _Checker,
               inferred: list[str]) -> Indicator:
    text1, text2, name = clean_level(row.text("level1")), clean_level(row.text("level2")), row.text("name")
    level1, level2 = text1, text2
    if not text1:
        check(row.number, "一级指标为空，请填写" + (f"：{'、'.join(rules.hierarchy)}" if rules else ""))
    if "level2" not in check.table.columns and rules is not None and text1:
        # no 二级指标 column: placed by its name (成本指标 keeps its ≤ reading), said once per project
        text2 = infer_level2(resolve_level1(text1, rules)[0] or text1, name, _target(row.values.get("target")),
                             rules) or ""
        if text2:
            inferred.append(f"{name}→{text2}")
        else:
            check(row.number, f"清单没有“二级指标”列，无法判断指标“{name}”属于哪个二级指标，请加上“二级指标”列并填写")
            text2 = ""
    elif not text2:
        check(row.number, "二级指标为空，请填写所属的二级指标")
    if rules is not None and text1 and text2:
        found1, _ = resolve_level1(text1, rules)
        found2, owner, _ = resolve_level2(text2, rules)
        if found1 is None:
            check(row.number, f"一级指标“{text1}”不在规则 {rules.profile} 的指标体系中，"
                              f"应为：{'、'.join(rules.hierarchy)}")
        if found2 is None:
            options = rules.hierarchy.get(found1 or "") or tuple(rules.level2_owner)
            check(row.number, f"二级指标“{text2}”不在规则 {rules.profile} 的指标体系中，"
                              f"应为：{'、'.join(options)}")
        elif found1 is not None and owner != found1:
            check(row.number, f"二级指标“{found2}”属于“{owner}”，不属于“{found1}”，请核对一级指标")
        level1, level2 = found1 or text1, found2 or text2
    if not name:
        check(row.number, "三级指标为空，请填写指标名称")
    return Indicator(level1=level1, level2=level2, name=name, target=_declared_target(row, check, level2),
                     weight=weight, where=f"第 {row.number} 行“{name}”")


def _declared_target(row: _Row, check: _Checker, level2: str = "") -> object:
    """The 年度指标值 of a row: one column, or 指标性质 | 指标值 | 度量单位 made into the one text,
    signed by a 指标方向 column (正向/反向) where the rest gives no sign; an unsigned duration of
    a 时效指标 (30天) is a limit (≤30天). Warned about when what it reads as may not be what
    was meant."""
    raw = row.values.get("target")
    value = _target(raw)
    key = "target"
    if value is None and not blank(raw):
        check.warn(row.number, key, f"年度指标值“{cell_text(raw)}”表示空白，按未填写处理（由填报单位填写）；"
                                    "如指标值为 0，请写 0（如 0起）")
    plain = target_without_note(value)
    if plain is not None:
        check.warn(row.number, key, f"年度指标值“{value}”括号中的文字是说明，不是单位，按“{plain}”计分")
        value = plain
    words = [row.text(k) for k in ("sign", "direction") if row.text(k)]
    if "sign" in row.values or "measure" in row.values or words:
        nature = words[0] if words else ""
        try:
            composed = compose_target(nature, value, row.text("measure"))
        except UnknownNature:
            label = "指标方向" if nature == row.text("direction") and nature != row.text("sign") else "指标性质"
            check(row.number, f"{label}“{nature}”无法识别，应为 ≥ ＞ ＝ ＜ ≤、正向、反向或“定性”"
                              "（也可写 大于等于、小于等于 等）")
            return value
        value = composed.target
        disagreement = parts_disagree(composed, nature)
        if disagreement is not None:
            check.warn(row.number, "sign", disagreement)
            if found := chinese_numeral(value):
                check.warn(row.number, key, numeral_message("指标值", str(value), found))
            return value
        conflict = direction_conflict(value, words)
        if conflict is not None:
            check.warn(row.number, "direction", conflict)
    limited = duration_limit(level2, value)
    if limited is not None:
        check.warn(row.number, key, f"年度指标值“{value}”是时效指标的时限，未写比较符号，按“{limited}”（不超过）计分")
        value = limited
    target = parse_target(value)
    if target is not None and target.digits_as_qualitative:
        check.warn(row.number, key, qualitative_digits_message(target))
    elif target is not None and target.qualitative and (found := chinese_numeral(value)):
        check.warn(row.number, key, numeral_message("年度指标值", str(value), found))
    return value


# ---------------------------------------------------------------------------
# Cells -> values; ValueError carries the Chinese message


def _target(value: object) -> object:
    """A number (or text that is just a number, as CSV has it) is a number; other text is kept as written."""
    if blank(value) or is_empty(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return to_decimal(value)
    text = cell_text(value)
    return to_decimal(text) if _PLAIN_NUMBER.fullmatch(text) else text


def parse_year(value: object) -> int:
    """2024, 2024.0, "2024", "2024年", "2024年度" -> 2024."""
    if blank(value):
        raise ValueError("年度为空，请填写四位年份（如 2024）")
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    text = text.removesuffix("年度").removesuffix("年")
    if isinstance(value, (dt.date, dt.datetime)) or not re.fullmatch(r"\d{4}", text) or int(text) not in YEARS:
        raise ValueError(f"年度“{cell_text(value)}”不是年份，请填写四位年份（如 2024）")
    return int(text)


def _budget(value: object, scale: Decimal = Decimal(1)) -> Decimal:
    """The 全年预算数 in 万元; ``scale``: what a number without a unit is worth in 万元 (0.0001 under
    a 全年预算数（元） header)."""
    try:
        amount = to_decimal(value) if isinstance(value, (int, float)) else parse_amount(cell_text(value))
    except ValueError:
        amount = None
    if amount is not None and scale != 1 and not has_money_unit(value):
        amount *= scale
    if amount is None:
        raise ValueError(f"全年预算数“{cell_text(value)}”不是金额，请填写以万元计的数值（如 87.65）")
    if amount < 0:
        raise ValueError(f"全年预算数 {display.number(amount)} 为负数，请填写以万元计的金额")
    return amount


def _profile(value: object) -> str:
    name = cell_text(value)
    if name not in available_profiles():
        raise ValueError(f"规则“{name}”不存在，可用的规则：{'、'.join(available_profiles())}")
    return name


def _weight(value: object) -> Decimal | None:
    if is_empty(value) or blank(value) or (isinstance(value, str) and value.strip() in EXCEL_ERRORS):
        return None  # an error value is reported as one, with the row's other cells
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, (int, float)):
            weight = to_decimal(value)
        else:
            weight = to_decimal(unicodedata.normalize("NFKC", cell_text(value)).removesuffix("分"))
    except ValueError:
        raise ValueError(f"分值“{cell_text(value)}”不是数字，请填写数值（如 20）") from None
    if weight < 0:
        raise ValueError(f"分值 {display.number(weight)} 为负数，请填写 0 或正数")
    return weight
