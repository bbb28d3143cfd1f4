"""The perfeval-xl Excel functions (xlwings UDFs): thin wrappers over the engine.

Each function turns its arguments into the project data a spec file would hold,
scores it with :func:`~perfeval_xl.spec.spec_from_data` and
:func:`~perfeval_xl.engine.score_project` — exactly what ``perfeval-xl score``
does — and returns what the engine found, as the floats ``score --json`` prints.
No rule is implemented here.

The same module serves three runtimes:

- classic xlwings (Excel on Windows, ``UDF_MODULES = perfeval_xl.udfs``): VBA
  wrappers call these functions; an empty cell arrives as ``None``;
- xlwings Server (Office.js custom functions, Excel on Windows, macOS and the
  web): an empty cell arrives as ``0`` (Office.js sends blanks as zeros), a
  formula result ``""`` as ``None``;
- xlwings Lite (Excel 365/2021+ on Windows, macOS and the web, Python in
  Pyodide inside the add-in): the form's ``main.py`` carries this module with
  the engine (:mod:`perfeval_xl.lite`) and imports these functions; an empty
  cell arrives as ``None`` — or, with Pyodide ≥ 0.28 and xlwings < 0.36.7, as
  JavaScript's ``null`` (``JsNull``), which is read as empty too;
- anywhere else ``import xlwings`` gives pass-through decorators (or, without
  xlwings installed, this module's own), and these are plain Python functions
  (the form generator calls them for cached results).

Telling an empty cell from a zero: in a number argument (年度指标值, 实际完成值,
分值, 得分) ``None`` and ``""`` are empty and every number, 0 included, is a
value — an actual of 0 (0 次事故) is a real result. Office.js gives a function
no way to know that a 0 came from an empty cell (its payload carries values and
the calling cell's address only), so on xlwings Server the caller passes
blank-aware data: ``IF(ISBLANK(F2),"",F2)``, or for a block
``IF(ISBLANK(B2:I20),"",B2:I20)``. In text arguments (二级指标, 三级指标, 偏差原因,
profile) a 0 can only be a blank and is read as one.

Errors never raise into Excel: a value the engine cannot read gives a short
Chinese message such as ``#错误：实际完成值“约200”不是确切数字``; what is merely
missing (an empty actual value, a spare row) gives ``""``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from . import scoring
from .engine import IndicatorResult, ProjectResult, resolve_level2, score_project
from .errors import InputError, PerfEvalError, SpecError
from .findings import Severity
from .notation import normalize
from .profiles import DEFAULT_PROFILE, load_rules
from .rounding import to_decimal
from .spec import INDICATOR_LABELS, parse_amount, spec_from_data

try:
    import xlwings as xw
except ImportError:  # the form generator without the xlwings extra: plain functions
    from types import SimpleNamespace

    def _unchanged(*_args: Any, **_kwargs: Any) -> Callable[[Any], Any]:
        return lambda function: function

    xw = SimpleNamespace(func=_unchanged, arg=_unchanged, ret=_unchanged)  # type: ignore[assignment]

ERROR = "#错误："
NOTHING = ""  # no result yet: Excel shows an empty cell
NO_PROBLEMS = "未发现问题"
CATEGORY = "perfeval-xl"

# Findings that leave an indicator without a score because of what was typed
# (as opposed to what is still missing: target, weight, actual value).
SCORE_BLOCKERS = ("weight-invalid", "actual-not-number", "unit-mismatch", "rating-unknown",
                  "score-required", "score-out-of-band")
DEVIATION_BLOCKERS = ("actual-not-number", "unit-mismatch")

YEARS = (2000, 2100)  # the spec format's range of 评价年度

# The block of PE_SCORES / PE_CHECK: the official columns of the 绩效指标 table,
# in their order (一级指标 … 分值 required, 得分 and 偏差原因 optional).
BLOCK_FIELDS = ("level1", "level2", "name", "target", "actual", "weight", "score", "reason")
BLOCK_LABELS = tuple(INDICATOR_LABELS[field] for field in BLOCK_FIELDS)  # = the form's pe_indicators
MIN_COLUMNS = BLOCK_FIELDS.index("weight") + 1
_NUMBER_FIELDS = {"weight": "分值", "score": "得分"}


# Help texts shown by Excel's function wizard and by Office.js.
PROFILE_DOC = "可选：计分规则，默认 mof-2020"
YEAR_DOC = "可选：评价年度，默认今年评价的上一年度"
BLOCK_DOC = ("指标表：一级指标、二级指标、三级指标、年度指标值、实际完成值、分值，"
             "可再加得分、偏差原因分析及改进措施（与自评表的列相同）")


# ---------------------------------------------------------------------------
# The functions Excel sees


@xw.func(category=CATEGORY)
@xw.arg("target", doc="年度指标值，官方写法，如 ≥95%、≤420元/次、87.65万元、达成预期指标")
@xw.arg("actual", doc="实际完成值：数值（如 95% 或 0.95）或评价档次（达成 / 部分达成 / 未达成）")
@xw.arg("weight", doc="分值")
@xw.arg("level2", doc="可选：二级指标（成本指标等未写符号时按反向计分）")
@xw.arg("score", doc="可选：定性指标的评分（部分达成、未达成须填写）")
@xw.arg("profile", doc=PROFILE_DOC)
@xw.arg("year", doc=YEAR_DOC)
def PE_SCORE(target: Any, actual: Any, weight: Any, level2: Any = None, score: Any = None,
             profile: Any = None, year: Any = None) -> Any:
    """按规则计算一个三级指标的得分（与 perfeval-xl score 相同，保留两位小数）。"""
    def compute() -> Any:
        row = {"level2": level2, "target": target, "actual": actual, "weight": weight, "score": score}
        ind = _score_rows([row], profile, year)[0]
        return _answer(ind, ind.score, SCORE_BLOCKERS)

    return _safely(compute)


@xw.func(category=CATEGORY)
@xw.arg("target", doc="年度指标值，官方写法，如 ≥95%、87.65万元")
@xw.arg("actual", doc="实际完成值，如 95% 或 86.54万元")
@xw.arg("profile", doc=PROFILE_DOC)
@xw.arg("year", doc=YEAR_DOC)
def PE_DEVIATION(target: Any, actual: Any, profile: Any = None, year: Any = None) -> Any:
    """偏差率 =（实际 − 目标）÷ 目标，比例，保留三位小数（+8.1% 即 0.081）；定性指标或目标为 0 时为空。"""
    def compute() -> Any:
        ind = _score_rows([{"target": target, "actual": actual}], profile, year)[0]
        return _answer(ind, ind.deviation, DEVIATION_BLOCKERS)

    return _safely(compute)


@xw.func(category=CATEGORY)
@xw.arg("budget", doc="全年预算数（万元）")
@xw.arg("executed", doc="全年执行数（万元）")
@xw.arg("weight", doc="预算执行率的分值；空则取规则的分值")
@xw.arg("profile", doc=PROFILE_DOC)
@xw.arg("year", doc=YEAR_DOC)
def PE_EXEC_SCORE(budget: Any, executed: Any, weight: Any, profile: Any = None, year: Any = None) -> Any:
    """预算执行率得分 = 分值 × 全年执行数 ÷ 全年预算数，按金额计算，不超过分值。"""
    def compute() -> Any:
        amounts = {"budget": _blank_to_none(budget), "executed": _blank_to_none(executed)}
        data = {"funds": {"total": amounts},
                "execution_weight": _number(weight, "预算执行率分值", minimum=Decimal(0))}
        result = _run([], profile, year, **data)
        if result.execution.score is not None:
            return float(result.execution.score)
        if None in amounts.values():
            return NOTHING
        problem = next(f for f in result.findings if f.code == "funds-missing")
        return ERROR + first_clause(problem.message)

    return _safely(compute)


@xw.func(category=CATEGORY)
@xw.arg("total", doc="总分")
@xw.arg("profile", doc=PROFILE_DOC)
@xw.arg("year", doc=YEAR_DOC)
def PE_GRADE(total: Any, profile: Any = None, year: Any = None) -> Any:
    """评价等级（优 ≥ 90，良 ≥ 80，中 ≥ 60，差 < 60，按规则）；总分先按得分的位数四舍五入。"""
    def compute() -> Any:
        value = _number(total, "总分")
        if value is None:
            return NOTHING
        rules = load_rules(_profile(profile), _year(year))
        return rules.grade_of(scoring.total_score([value], rules.score_places))

    return _safely(compute)


@xw.func(category=CATEGORY)
@xw.arg("block", ndim=2, doc=BLOCK_DOC)
@xw.arg("profile", doc=PROFILE_DOC)
@xw.arg("year", doc=YEAR_DOC)
def PE_SCORES(block: Any, profile: Any = None, year: Any = None) -> Any:
    """一次计算整个指标表：每行返回得分和偏差率两列（空行为空）。"""
    def compute() -> Any:
        rows = _block_rows(block)
        indicators = _score_rows([r for r in rows if isinstance(r, dict)], profile, year)
        results = iter(indicators)
        out: list[list[Any]] = []
        for row in rows:
            if row is None:
                out.append([NOTHING, NOTHING])
            elif isinstance(row, str):
                out.append([ERROR + first_clause(row), NOTHING])
            else:
                ind = next(results)
                out.append([_answer(ind, ind.score, SCORE_BLOCKERS),
                            _answer(ind, ind.deviation, DEVIATION_BLOCKERS)])
        return out

    return _safely(compute)


@xw.func(category=CATEGORY)
@xw.arg("block", ndim=2, doc=BLOCK_DOC)
@xw.arg("profile", doc=PROFILE_DOC)
@xw.arg("year", doc=YEAR_DOC)
def PE_CHECK(block: Any, profile: Any = None, year: Any = None) -> Any:
    """检查指标表，每个错误或警告一行（第几行、哪个指标、问题及怎么改）；没有问题时返回“未发现问题”。"""
    def compute() -> Any:
        return [[line] for line in check_block(block, profile, year)] or [[NO_PROBLEMS]]

    return _safely(compute)


@xw.func(category=CATEGORY)
@xw.arg("amount", doc="金额（万元）：实际到位资金或执行数，可带单位（如 1172.32万元）")
@xw.arg("base", doc="基数（万元）：预算资金")
@xw.arg("weight", doc="该指标的分值")
@xw.arg("profile", doc="可选：评分表的计分规则，默认 mof-2020")
@xw.arg("year", doc=YEAR_DOC)
def PE_RATE_SCORE(amount: Any, base: Any, weight: Any, profile: Any = None, year: Any = None) -> Any:
    """评分表中按金额计分的得分（资金到位率、预算执行率）= 分值 × 金额 ÷ 基数，按金额计算，不按取整后的百分比；按规则不超过分值。"""
    def compute() -> Any:
        amounts = [_amount(amount, "金额"), _amount(base, "基数")]
        points = _number(weight, "分值")
        if points is None or amounts[0] is None or amounts[1] is None:
            return NOTHING
        row = _rate_row(amounts[0], amounts[1], points, profile, year)
        if row.score is not None:
            return float(row.score)
        problem = next((f for f in row.findings if f.severity is Severity.ERROR), None)
        return NOTHING if problem is None else ERROR + first_clause(problem.message)

    return _safely(compute)


# The same three functions under names the 自评表 can call. The form's defined
# names pe_deviation, pe_exec_score and pe_grade (its contract) equal
# PE_DEVIATION, PE_EXEC_SCORE and PE_GRADE, since Excel names ignore case; in a
# workbook a function call is a name too (OOXML stores a UDF call as a name, and
# since LAMBDA a defined name can be called), so inside the form those calls
# would reach the cells, not the functions.


@xw.func(category=CATEGORY)
@xw.arg("target", doc="年度指标值，官方写法，如 ≥95%、87.65万元")
@xw.arg("actual", doc="实际完成值，如 95% 或 86.54万元")
@xw.arg("profile", doc=PROFILE_DOC)
@xw.arg("year", doc=YEAR_DOC)
def PE_DEVIATION_RATE(target: Any, actual: Any, profile: Any = None, year: Any = None) -> Any:
    """同 PE_DEVIATION（偏差率）。自评表中用此名，因表中的名称 pe_deviation 与 PE_DEVIATION 同名。"""
    return PE_DEVIATION(target, actual, profile, year)


@xw.func(category=CATEGORY)
@xw.arg("budget", doc="全年预算数（万元）")
@xw.arg("executed", doc="全年执行数（万元）")
@xw.arg("weight", doc="预算执行率的分值；空则取规则的分值")
@xw.arg("profile", doc=PROFILE_DOC)
@xw.arg("year", doc=YEAR_DOC)
def PE_EXECUTION_SCORE(budget: Any, executed: Any, weight: Any, profile: Any = None, year: Any = None) -> Any:
    """同 PE_EXEC_SCORE（预算执行率得分）。自评表中用此名，因表中的名称 pe_exec_score 与 PE_EXEC_SCORE 同名。"""
    return PE_EXEC_SCORE(budget, executed, weight, profile, year)


@xw.func(category=CATEGORY)
@xw.arg("total", doc="总分")
@xw.arg("profile", doc=PROFILE_DOC)
@xw.arg("year", doc=YEAR_DOC)
def PE_EVALUATION_GRADE(total: Any, profile: Any = None, year: Any = None) -> Any:
    """同 PE_GRADE（评价等级）。自评表中用此名，因表中的名称 pe_grade 与 PE_GRADE 同名。"""
    return PE_GRADE(total, profile, year)


# ---------------------------------------------------------------------------
# Plain Python API (what the functions above return, without the Excel shape)


def check_block(block: Any, profile: Any = None, year: Any = None) -> list[str]:
    """The errors and warnings of an indicator block, one line each, in row order."""
    rows = _block_rows(block)
    numbered = [(n, r) for n, r in enumerate(rows, start=1) if isinstance(r, dict)]
    results = _score_rows([r for _, r in numbered], profile, year)
    lines = []
    for n, row in enumerate(rows, start=1):
        if isinstance(row, str):
            lines.append(f"[{Severity.ERROR.label}] 第 {n} 行：{row}")
    for (n, row), ind in zip(numbered, results, strict=True):
        name = row.get("name") or ""
        where = f"第 {n} 行“{name}”" if name else f"第 {n} 行"
        for found in ind.findings:
            if found.severity is not Severity.NOTE:
                lines.append(dataclasses.replace(found, where=where, location=None).render())
    return sorted(lines, key=_row_number)


def first_clause(message: str) -> str:
    """What is wrong, without what to do: an engine message up to its first comma
    outside quotes (“约200，待核实” keeps its comma)."""
    depth = 0
    for index, char in enumerate(message):
        if char in "“（(":
            depth += 1
        elif char in "”）)":
            depth -= 1
        elif char in "，；。" and depth <= 0:
            return message[:index]
    return message


# ---------------------------------------------------------------------------
# Arguments -> spec data -> engine


def _safely(compute: Callable[[], Any]) -> Any:
    try:
        return compute()
    except SpecError as exc:  # the specific problem is in the list, the headline names the data
        return ERROR + first_clause(_plain(exc.problems[0] if exc.problems else exc.headline))
    except PerfEvalError as exc:
        return ERROR + first_clause(exc.headline)
    except Exception as exc:  # a bug must show in the cell, not break Excel's call
        return f"{ERROR}内部错误 {type(exc).__name__}: {exc}"


def _plain(problem: str) -> str:
    """A spec loader problem without its "第 N 行：" prefix (UDF data has no lines)."""
    head, sep, rest = problem.partition("行：")
    return rest if sep and head.startswith("第 ") else problem


def _answer(ind: IndicatorResult, value: Decimal | None, blockers: Sequence[str]) -> Any:
    if value is not None:
        return float(value)
    problem = next((f for f in ind.findings if f.code in blockers), None)
    return NOTHING if problem is None else ERROR + first_clause(problem.message)


def _score_rows(rows: list[dict[str, Any]], profile: Any, year: Any) -> list[IndicatorResult]:
    """The engine's result for each row (cells as Excel passed them)."""
    rules_key = (_profile(profile), _year(year))
    rules = load_rules(*rules_key)
    indicators = [_indicator_data(row, rules) for row in rows]
    return _run(indicators, *rules_key).indicators if indicators else []


def _run(indicators: list[dict[str, Any]], profile: Any, year: Any, **extra: Any) -> ProjectResult:
    data: dict[str, Any] = {"year": _year(year), "profile": _profile(profile), "project": "PE",
                            "indicators": indicators}
    data.update(extra)
    return score_project(spec_from_data(data, source="PE"))


def _indicator_data(row: dict[str, Any], rules: Any) -> dict[str, Any]:
    level2 = _text(row.get("level2"))
    level1 = _text(row.get("level1"))
    if level1 is None and level2 is not None:
        level1 = resolve_level2(level2, rules)[1]
    return {
        "level1": level1 or "",
        "level2": level2 or "",
        "name": _text(row.get("name")) or "",
        "target": _blank_to_none(row.get("target")),
        "actual": _blank_to_none(row.get("actual")),
        "weight": _number(row.get("weight"), "分值"),
        "score": _number(row.get("score"), "得分"),
        "reason": _text(row.get("reason")) or "",
    }


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    if type(value).__name__ == "JsNull":  # JavaScript's null under Pyodide ≥ 0.28: an empty cell
        return None
    return value


def _text(value: Any) -> str | None:
    """A name-like cell; a number 0 is xlwings Server's empty cell."""
    value = _blank_to_none(value)
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: Any, label: str, minimum: Decimal | None = None) -> Decimal | None:
    value = _blank_to_none(value)
    if value is None:
        return None
    try:
        number = to_decimal(value)
    except ValueError:
        raise InputError(f"{label}“{value}”不是数字，请填写数值") from None
    if minimum is not None and number < minimum:
        raise InputError(f"{label} {value} 不能小于 {minimum}")
    return number


def _profile(value: Any) -> str:
    return _text(value) or DEFAULT_PROFILE


def default_year(today: dt.date | None = None) -> int:
    """The budget year evaluated this year (self-evaluations of year Y are made in Y+1)."""
    return (today or dt.date.today()).year - 1


def _year(value: Any) -> int:
    value = _blank_to_none(value)
    if value is None or value == 0:
        return default_year()
    try:
        number = to_decimal(value)
    except ValueError:
        raise InputError(f"评价年度“{value}”不是四位年份，如 2019") from None
    if number != number.to_integral_value() or not YEARS[0] <= number <= YEARS[1]:
        raise InputError(f"评价年度 {value} 不在 {YEARS[0]}–{YEARS[1]} 之间")
    return int(number)


def _rate_row(amount: Decimal, base: Decimal, weight: Decimal | None, profile: Any, year: Any) -> Any:
    """The 评分表 engine's row scored from the amounts, by the profile's first rule of that kind
    (its amount and base are the profile's: 实际到位资金 or 执行数 over 预算资金)."""
    from .kinds.evaluation.engine import score_evaluation
    from .kinds.evaluation.profile import evaluation_profiles, load_evaluation_rules
    from .kinds.evaluation.spec import evaluation_spec_from_data

    name, year_value = _profile(profile), _year(year)
    if name not in evaluation_profiles():
        raise InputError(f"评分表的规则“{name}”不存在，可用：{'、'.join(evaluation_profiles())}")
    rules = load_evaluation_rules(name, year_value)
    key, rate = next(iter(rules.rates.items()))
    level1 = next(iter(rules.hierarchy))  # any: the score does not depend on it
    data = {"kind": "evaluation", "year": year_value, "profile": name, "project": "PE",
            "funds": {rate.amount: amount, rate.base: base},
            "indicators": [{"level1": level1, "level2": "PE", "name": rate.label, "weight": weight, "rule": key}]}
    return score_evaluation(evaluation_spec_from_data(data, source="PE")).indicators[0]


def _amount(value: Any, label: str) -> Decimal | None:
    """An amount in 万元: a number, or a text with a unit of money ("1172.32万元"); None when empty."""
    value = _blank_to_none(value)
    if isinstance(value, str):
        try:
            value = parse_amount(value)
        except ValueError:
            raise InputError(f"{label}“{value}”不是金额，请填写以万元计的数值") from None
    return _number(value, label, minimum=Decimal(0))


# ---------------------------------------------------------------------------
# Blocks


def _block_rows(block: Any) -> list[dict[str, Any] | str | None]:
    """Each row of a block as spec fields; None for an empty or header row, the
    problem for a row whose numbers cannot be read. 一级/二级 cells merged over
    several rows hold their text in the first row only, so they carry down."""
    grid = _grid(block)
    width = max((len(r) for r in grid), default=0)
    if width < MIN_COLUMNS or width > len(BLOCK_FIELDS):
        raise InputError(
            f"指标表应有 {MIN_COLUMNS}–{len(BLOCK_FIELDS)} 列：{'、'.join(BLOCK_LABELS[:MIN_COLUMNS])}"
            f"（可再加{'、'.join(BLOCK_LABELS[MIN_COLUMNS:])}），现为 {width} 列"
        )
    out: list[dict[str, Any] | str | None] = []
    carried: dict[str, Any] = {"level1": None, "level2": None}
    for cells in grid:
        row = dict(zip(BLOCK_FIELDS, cells, strict=False))
        for key in carried:
            text = _text(row.get(key))
            if text is not None:
                carried[key] = text
            row[key] = carried[key]
        if _is_header(row) or _is_empty(row):
            out.append(None)
            continue
        try:
            for key, label in _NUMBER_FIELDS.items():
                _number(row.get(key), label)
        except InputError as exc:
            out.append(str(exc))
            continue
        out.append(row)
    return out


def _grid(block: Any) -> list[list[Any]]:
    if not isinstance(block, (list, tuple)):
        return [[block]]
    if block and not isinstance(block[0], (list, tuple)):
        return [list(block)]
    return [list(r) for r in block]


def _is_header(row: dict[str, Any]) -> bool:
    return isinstance(row.get("target"), str) and normalize(row["target"]) == normalize(BLOCK_LABELS[3])


def _is_empty(row: dict[str, Any]) -> bool:
    """Nothing typed in the row's own cells (carried 一级/二级 names do not count).

    A row of nothing but zeros is how xlwings Server sends an empty row: no
    indicator is written as a nameless 0 target, 0 actual and 0 weight.
    """
    own = [row.get(k) for k in BLOCK_FIELDS if k not in ("level1", "level2")]
    values = [v for v in own if _blank_to_none(v) is not None]
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0 for v in values)


def _row_number(line: str) -> int:
    _, _, rest = line.partition("第 ")
    digits = rest.split(" ", 1)[0]
    return int(digits) if digits.isdigit() else 0


__all__ = [
    "PE_CHECK", "PE_DEVIATION", "PE_DEVIATION_RATE", "PE_EVALUATION_GRADE", "PE_EXECUTION_SCORE",
    "PE_EXEC_SCORE", "PE_GRADE", "PE_RATE_SCORE", "PE_SCORE", "PE_SCORES", "check_block", "default_year",
    "first_clause",
]
