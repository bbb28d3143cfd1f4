"""Real targets and real amounts (issue 11): what officials type and budget systems export is read
right — by the engine, by the form's formulas (recalculated by LibreOffice) and by both readers
alike — or refused loudly at its cell.

LibreOffice runs three times for the whole module: one recalculation of every filled form
(the wordings of tests/golden_notation.yaml typed into spare rows, VALUE() texts, amounts,
forms made by batch from one-column and three-part lists) and two conversions of hand-made
forms to .xls and .ods.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import struct
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from handmade_forms import seed_003_workbook

from perfeval_xl.batch import generate_batch, read_targets
from perfeval_xl.cli import cli
from perfeval_xl.consolidate import consolidate
from perfeval_xl.demo import blank, load_example
from perfeval_xl.engine import status_text
from perfeval_xl.form import build_form
from perfeval_xl.form.addresses import CALC_SHEET
from perfeval_xl.kinds.self.layout import FUND_COLUMNS, SHEET, Col, sheet_of
from perfeval_xl.kinds.self.model import ErrorValue, RowInput, row_values
from perfeval_xl.libreoffice import convert, recalculate
from perfeval_xl.reader import evaluate
from perfeval_xl.reader.cells import date_serial
from perfeval_xl.reader.errorcells import _records
from perfeval_xl.reader.fast import evaluate_fast
from perfeval_xl.spec import ProjectSpec

GOLDEN = yaml.safe_load((Path(__file__).parent / "golden_notation.yaml").read_text(encoding="utf-8"))

# Actual values that spreadsheets' VALUE() reads but people do not mean as numbers, and the
# cells Excel makes of what is typed: against ≥3500批次. None: the engine and the form refuse it.
VALUE_TEXTS: list[tuple[object, D | None]] = [
    ("1e3", None), ("(100)", None), ("+5", None), ("¥100", None), ("2023-12-31", None), ("100-", None),
    ("1.2.3", None), ("TRUE", None), ("=1/0", None), ("=NA()", None), ("约3600", None),
    ("1,000", D(1000)), (".5", D("0.5")), ("3600.", D(3600)), (" 3600 ", D(3600)), ("3600批次", D(3600)),
    ("３６００", D(3600)),
]
DATE = dt.datetime(2023, 12, 31)  # typed as a date: a serial number to the formulas, and so to the engine


def typed_rows() -> list[tuple[object, object]]:
    """(target, actual) of every spare row of the notation form."""
    rows: list[tuple[object, object]] = []
    for case in GOLDEN["targets"]:
        if case.get("qualitative"):
            rows.append((case["text"], "达成"))
        elif case["unit"] == "%":
            rows.append((case["text"], f"{float(case['value']) * 90:g}%"))
        else:
            rows.append((case["text"], f"{float(case['value']) * 0.9:g}"))
    rows += [(case["target"], case["actual"]) for case in GOLDEN["actuals"]]
    rows += [("≥3500批次", actual) for actual, _ in VALUE_TEXTS]
    rows.append(("≥3500批次", DATE))
    rows += [(case["target"], case["actual"]) for case in GOLDEN["percent_scale"]]
    return rows


FORMULAS = {"=1/0": "#DIV/0!", "=NA()": "#N/A"}  # typed formulas, and the error value each gives


def put(sheet: Any, row: int, col: int, value: object) -> None:
    """Type ``value`` into a cell as an official would: text stays text ("=>95%" is no formula),
    a formula of FORMULAS is one (LibreOffice computes its error value), a datetime is a date."""
    cell = sheet.cell(row=row + 1, column=col + 1)
    if isinstance(value, str) and value in FORMULAS:
        cell.value = value
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd"


@dataclass
class Filled:
    """A filled form waiting for (then after) LibreOffice."""

    name: str
    path: Path
    built: Any = None
    rows: list[int] = field(default_factory=list)  # the sheet rows typed into
    recalculated: Path | None = None


def notation_form(root: Path) -> Filled:
    spec = ProjectSpec(year=2023, project="写法", department="测试局", unit="测试中心")
    built = build_form(spec, root / "blank" / "notation.xlsx", spare_rows=15)
    workbook = openpyxl.load_workbook(built.path)
    sheet = workbook[SHEET]
    rows = typed_rows()
    places = [p.row for p in built.layout.indicators]
    assert len(places) >= len(rows)
    for index, ((target, actual), row) in enumerate(zip(rows, places, strict=False)):
        put(sheet, row, Col.NAME, f"写法{index}")
        put(sheet, row, Col.TARGET, target)
        put(sheet, row, Col.ACTUAL, actual)
        put(sheet, row, Col.WEIGHT, 1)
    for key, cols in {"fiscal": {"budget": 100, "executed": 90}}.items():
        for col, value in cols.items():
            put(sheet, built.layout.funds[key], FUND_COLUMNS[col], value)
    path = root / "filled" / "notation.xlsx"
    workbook.save(path)
    return Filled("notation", path, built, places[:len(rows)])


# (name, {(row, column): value}, exec score the engine and the form give, the finding and its cell)
AMOUNT_CASES: list[tuple[str, dict[tuple[str, str], object], D | None, tuple[str, str] | None]] = [
    ("budget-wan", {("fiscal", "budget"): "87.65万元", ("fiscal", "executed"): 86.54}, D("9.87"), None),
    ("executed-yuan", {("fiscal", "budget"): 87.65, ("fiscal", "executed"): "865400元"}, D("9.87"), None),
    ("yi-and-wan", {("fiscal", "budget"): "1.2亿元", ("fiscal", "executed"): "11000万元"}, D("9.17"), None),
    ("full-width", {("fiscal", "budget"): " 87.65 万元 ", ("fiscal", "executed"): "８６．５４万元"}, D("9.87"), None),
    ("two-rows", {("fiscal", "budget"): "37.65", ("carryover", "budget"): "50万元",
                  ("fiscal", "executed"): 86.54}, D("9.87"), None),
    ("words", {("fiscal", "budget"): "abc", ("fiscal", "executed"): 86.54}, None, ("cell-not-number", "E7")),
    ("about", {("fiscal", "budget"): 87.65, ("fiscal", "executed"): "约86"}, None, ("cell-not-number", "F7")),
    ("wan-without-yuan", {("fiscal", "budget"): "87.65", ("fiscal", "executed"): "86.54万"}, D("9.87"), None),
    ("wan-people", {("fiscal", "budget"): 87.65, ("fiscal", "executed"): "86.54万人"}, None,
     ("cell-not-number", "F7")),
    ("sign", {("fiscal", "budget"): "≥87.65", ("fiscal", "executed"): 86.54}, None, ("cell-not-number", "E7")),
    ("error", {("fiscal", "budget"): 87.65, ("fiscal", "executed"): "=1/0"}, None, ("cell-error", "F7")),
    ("huge", {("fiscal", "budget"): "1" * 400, ("fiscal", "executed"): 86.54}, None,
     ("number-out-of-range", "E7")),
    ("initial-only", {("fiscal", "initial"): "八十万", ("fiscal", "budget"): 87.65,
                      ("fiscal", "executed"): 86.54}, D("9.87"), ("cell-not-number", "D7")),
]


def amount_form(root: Path, name: str, amounts: dict[tuple[str, str], object]) -> Filled:
    spec = blank(load_example("caidian-2019-quality"))
    built = build_form(spec, root / "blank" / f"amount-{name}.xlsx")
    workbook = openpyxl.load_workbook(built.path)
    sheet = workbook[SHEET]
    for (key, col), value in amounts.items():
        put(sheet, built.layout.funds[key], FUND_COLUMNS[col], value)
    path = root / "filled" / f"amount-{name}.xlsx"
    workbook.save(path)
    return Filled(f"amount-{name}", path, built)


# The issue's list: one column, then the budget system's three columns.
LIST_ROWS = [  # 一级, 二级, 三级, 年度指标值, (指标性质, 指标值, 度量单位), 分值, 实际完成值
    ("产出指标", "数量指标", "抽检批次", "大于等于3500批次", ("≥", "3500", "批次"), 10, "3000"),
    ("产出指标", "质量指标", "抽检合格率", "不低于95%", ("大于等于", "95", "%"), 20, "94%"),
    ("产出指标", "时效指标", "按时办结率", "95%以上", ("≥=", "95", "百分比"), 20, "96%"),
    ("产出指标", "成本指标", "项目成本", "小于等于87.65万元", ("≤", "87.65", "万元"), 10, "90万元"),
    ("效益指标", "社会效益指标", "食品安全状况", "明显好转", ("定性", "明显好转", ""), 20, "达成"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "=>90%", ("=>", "90", "%"), 10, "85%"),
]
LIST_HEADER = ["项目名称", "主管部门", "实施单位", "年度", "全年预算数", "一级指标", "二级指标", "三级指标"]


def write_list(path: Path, three_part: bool) -> Path:
    header = [*LIST_HEADER, *(["指标性质", "指标值", "度量单位"] if three_part else ["年度指标值"]), "分值"]
    rows = []
    for level1, level2, name, target, parts, weight, _ in LIST_ROWS:
        rows.append(["食品抽检", "市场局", "检验所", 2023, 87.65, level1, level2, name,
                     *(parts if three_part else [target]), weight])
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
        return path
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=>90%" is text
    workbook.save(path)
    return path


def batch_form(root: Path, name: str, three_part: bool, suffix: str) -> Filled:
    listed = write_list(root / f"list-{name}{suffix}", three_part)
    report = generate_batch(listed, root / f"batch-{name}", jobs=1)
    assert report.complete and not report.problems, report.problems
    [outcome] = report.outcomes
    form = report.outdir / outcome.filename
    workbook = openpyxl.load_workbook(form)
    sheet = workbook[SHEET]
    actuals = {row[2]: row[6] for row in LIST_ROWS}
    for row in sheet.iter_rows(min_col=Col.NAME + 1, max_col=Col.NAME + 1):
        for cell in row:
            if cell.value in actuals:
                put(sheet, cell.row - 1, Col.ACTUAL, actuals[cell.value])
    put(sheet, 6, FUND_COLUMNS["executed"], 86.54)
    path = root / "filled" / f"batch-{name}.xlsx"
    workbook.save(path)
    return Filled(f"batch-{name}", path)


def seed_003_with_errors(path: Path) -> Path:
    """The hand-made seed-003 form with #DIV/0! in 全年执行数 (F7) and #N/A in an actual (F16)."""
    seed_003_workbook(path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    sheet["F7"] = "=1/0"
    sheet["F16"] = "=NA()"
    workbook.save(path)
    return path


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Filled]:
    root = tmp_path_factory.mktemp("real")
    (root / "filled").mkdir()
    items = [notation_form(root)]
    items += [amount_form(root, name, amounts) for name, amounts, _, _ in AMOUNT_CASES]
    items += [batch_form(root, "one", False, ".xlsx"), batch_form(root, "three", True, ".xlsx"),
              batch_form(root, "three-csv", True, ".csv")]
    handmade = seed_003_with_errors(root / "filled" / "seed003-errors.xlsx")
    outputs = recalculate([f.path for f in items] + [handmade], root / "recalculated")
    for item, output in zip(items, outputs, strict=False):
        item.recalculated = output
    found = {item.name: item for item in items}
    found["seed003-errors"] = Filled("seed003-errors", handmade, recalculated=outputs[-1])
    return found


def shown(path: Path) -> dict[tuple[str, int, int], Any]:
    """Every value LibreOffice computed, by (sheet, 0-based row, 0-based column); a result shown
    as a date (LibreOffice gives a formula the format of the date it reads) as its serial number."""
    workbook = openpyxl.load_workbook(path, data_only=True)
    return {(ws.title, c.row - 1, c.column - 1): float(date_serial(c.value)) if isinstance(c.value, dt.datetime)
            else c.value
            for ws in workbook.worksheets if ws.title in (SHEET, CALC_SHEET) for row in ws.iter_rows() for c in row}


def _number(value: object) -> D | None:
    return None if value in (None, "") else D(repr(value)).quantize(D("0.01"))


def _score(value: D | None) -> D | None:
    return None if value is None else value.quantize(D("0.01"))


# --------------------------------------------------------------------------- the wordings, in the form


def test_every_wording_scores_in_the_form_as_in_the_engine(forms: dict[str, Filled]) -> None:
    form = forms["notation"]
    assert form.recalculated is not None
    [result] = evaluate(form.recalculated)
    values = shown(form.recalculated)
    by_row = {int(i.spec.locations["name"].split("!")[1][1:]) - 1: i for i in result.indicators}
    # an actual in another unit of the same kind (865400元 against ≤87.65万元): the engine converts,
    # the form leaves the row unscored, and the reader says so (actual-unread-by-form)
    converted_only = {(c["target"], c["actual"]) for c in GOLDEN["actuals"] if c.get("form_reads") is False}
    checked = scored = 0
    for row in form.rows:
        ind = by_row[row]
        form_score = _number(values[(SHEET, row, Col.SCORE)])
        if (ind.spec.target, ind.spec.actual) in converted_only:
            assert form_score is None and ind.score is not None
            assert "actual-unread-by-form" in {f.code for f in ind.findings + result.findings}
            continue
        assert form_score == _score(ind.score), (ind.spec.target, ind.spec.actual)
        checked += 1
        scored += ind.score is not None
    assert checked == len(typed_rows()) - len(converted_only) and scored > 60
    assert "shown-differs" not in {f.code for f in result.all_findings()}


def test_every_wording_is_read_by_the_form_as_the_engine_reads_it(forms: dict[str, Filled]) -> None:
    """Kind, direction and value of each typed target on the hidden 计算 sheet, against the engine."""
    form = forms["notation"]
    assert form.recalculated is not None
    [result] = evaluate(form.recalculated)
    values = shown(form.recalculated)
    by_row = {int(i.spec.locations["name"].split("!")[1][1:]) - 1: i for i in result.indicators}
    codes = {"higher": 1, "lower": -1, "equal": 0}
    for row in form.rows:
        ind = by_row[row]
        kind = values[(CALC_SHEET, row, Col.KIND)]
        assert kind == ("Q" if ind.target.qualitative else "N"), ind.spec.target
        if kind == "N":
            assert values[(CALC_SHEET, row, Col.DIRECTION)] == codes[ind.direction.value], ind.spec.target
            assert D(repr(values[(CALC_SHEET, row, Col.TVALUE)])) == ind.target.value, ind.spec.target
            scored = values[(CALC_SHEET, row, Col.AVALUE)]
            if ind.actual is not None and isinstance(scored, (int, float)):  # a percentage without its % alike
                assert D(repr(scored)) == ind.actual, (ind.spec.target, ind.spec.actual)


def test_value_texts_are_refused_by_the_form_and_the_engine_alike(forms: dict[str, Filled]) -> None:
    form = forms["notation"]
    assert form.recalculated is not None
    [result] = evaluate(form.recalculated)
    values = shown(form.recalculated)
    by_actual = {i.spec.locations["actual"]: i for i in result.indicators}
    first = len(GOLDEN["targets"]) + len(GOLDEN["actuals"])
    for (actual, expected), row in zip(VALUE_TEXTS, form.rows[first:], strict=False):
        ind = by_actual[f"{SHEET}!F{row + 1}"]
        state = values[(CALC_SHEET, row, Col.STATE)]
        if expected is None:
            assert ind.actual is None and ind.score is None and ind.state == "invalid", actual
            assert state == "invalid", actual
            assert values[(SHEET, row, Col.SCORE)] in (None, ""), actual
        else:
            assert ind.actual == expected and state == "ok", actual
    # an error value is named with its cell, never called 未填写
    errors = [f for f in result.all_findings() if f.code == "cell-error"]
    assert {f.message.split("（")[0] for f in errors} == {"实际完成值是错误值 #DIV/0!", "实际完成值是错误值 #N/A"}
    assert not any(f.code == "actual-missing" for f in result.all_findings())
    # a date typed where a number belongs: the formulas see its serial number, and so does the
    # engine, which says so at the cell
    date_row = form.rows[first + len(VALUE_TEXTS)]
    dated = by_actual[f"{SHEET}!F{date_row + 1}"]
    assert dated.actual == D(45291) and values[(CALC_SHEET, date_row, Col.AVALUE)] == 45291
    [finding] = [f for f in dated.findings if f.code == "cell-date"] or [
        f for f in result.findings if f.code == "cell-date"]
    assert finding.location == f"{SHEET}!F{date_row + 1}"
    assert finding.message == ("实际完成值单元格是日期 2023-12-31，表内公式按日期序列号 45291 计算；"
                               "请改为数值（如是时限类指标，请按年度指标值的写法填写）")


def test_the_python_twin_reads_every_typed_cell_as_libreoffice(forms: dict[str, Filled]) -> None:
    """model.row_values (the cached results a new form carries) against LibreOffice, on every
    helper cell of the typed rows — logical values, dates and error values included."""
    form = forms["notation"]
    assert form.recalculated is not None
    filled = openpyxl.load_workbook(form.path)[SHEET]
    values = shown(form.recalculated)
    checked = 0
    for place in form.built.layout.indicators:
        if place.row not in form.rows:
            continue

        def typed(col: int, row: int = place.row) -> object:
            value = filled.cell(row + 1, col + 1).value
            if isinstance(value, str) and value in FORMULAS:
                return ErrorValue(FORMULAS[value])
            if isinstance(value, dt.datetime):
                return float(date_serial(value))  # what the cell holds
            return value

        inputs = RowInput(place.level1, place.level2, *(typed(c) for c in (
            Col.NAME, Col.TARGET, Col.ACTUAL, Col.WEIGHT, Col.REASON, Col.QSCORE)))
        for col, want in row_values(inputs, form.built.plan.params).items():
            got = values.get((sheet_of(col), place.row, col))
            assert _same(got, want), (place.row, col, got, want)
            checked += 1
    assert checked > 2500


def _same(got: object, want: object) -> bool:
    if got in (None, "") and want in (None, ""):
        return True
    numbers = (int, float)
    if isinstance(got, numbers) and isinstance(want, numbers) and not isinstance(got, bool) \
            and not isinstance(want, bool):
        return round(float(got), 9) == round(float(want), 9)
    return got == want


# --------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(("name", "code", "cell"), [(n, f[0], f[1]) for n, _, _, f in AMOUNT_CASES if f])
def test_an_amount_that_is_not_one_is_an_error_at_its_cell(forms: dict[str, Filled], name: str, code: str,
                                                           cell: str) -> None:
    form = forms[f"amount-{name}"]
    assert form.recalculated is not None
    for result in (*evaluate(form.recalculated), *evaluate_fast(form.recalculated)[0]):
        # an error value typed as a formula (=1/0) is also the warning that an input cell holds a formula
        found = [f for f in result.all_findings() if f.location == f"{SHEET}!{cell}" and f.code != "input-formula"]
        assert [f.code for f in found] == [code], (name, [f.render() for f in result.all_findings()])
        assert not any(f.code == "funds-missing" for f in result.all_findings())


@pytest.mark.parametrize(("name", "score"), [(n, s) for n, _, s, _ in AMOUNT_CASES])
def test_amounts_give_the_same_execution_score_in_the_form_and_the_engine(forms: dict[str, Filled], name: str,
                                                                          score: D | None) -> None:
    form = forms[f"amount-{name}"]
    assert form.recalculated is not None
    layout = form.built.layout
    values = shown(form.recalculated)
    for result in (*evaluate(form.recalculated), *evaluate_fast(form.recalculated)[0]):
        assert result.execution.score == score
        assert _number(values[(SHEET, layout.funds["total"], Col.REASON)]) == _score(score)
        assert values[(SHEET, layout.status, Col.LEVEL2)] == status_text(result)
        assert "shown-differs" not in {f.code for f in result.all_findings()}


def test_a_logical_value_is_no_number_to_the_engine_as_to_excel(tmp_path: Path) -> None:
    """TRUE typed where a number belongs: Excel keeps it a logical value (ISNUMBER is false, the
    form's formulas refuse it) and so does the engine. (LibreOffice turns TRUE typed into a cell
    formatted as a number into the number 1, for its formulas and in the file it saves alike.)"""
    built = build_form(blank(load_example("caidian-2019-quality")), tmp_path / "blank.xlsx")
    workbook = openpyxl.load_workbook(built.path)
    sheet = workbook[SHEET]
    put(sheet, 6, FUND_COLUMNS["budget"], 87.65)
    put(sheet, 6, FUND_COLUMNS["executed"], True)
    row = next(p.row for p in built.layout.indicators if p.spec_index == 0)
    put(sheet, row, Col.ACTUAL, True)
    workbook.save(tmp_path / "filled.xlsx")
    for [result] in (evaluate(tmp_path / "filled.xlsx"), evaluate_fast(tmp_path / "filled.xlsx")[0]):
        assert result.execution.score is None
        assert [(f.code, f.location) for f in result.all_findings() if f.severity.value == "error"][:2] == [
            ("cell-not-number", "自评表!F7"), ("actual-not-number", f"自评表!F{row + 1}")]


def test_the_issue_amounts_are_read_where_they_are(forms: dict[str, Filled]) -> None:
    """87.65万元 typed into 全年预算数 is 87.65 (not a budget that falls to 0 and a 192% rate)."""
    form = forms["amount-budget-wan"]
    assert form.recalculated is not None
    [result] = evaluate(form.recalculated)
    assert (result.execution.budget, result.execution.executed, result.execution.rate) == (
        D("87.65"), D("86.54"), D("0.9873"))
    words = forms["amount-words"]
    assert words.recalculated is not None
    [result] = evaluate(words.recalculated)
    [finding] = [f for f in result.all_findings() if f.code == "cell-not-number"]
    assert finding.render() == ("[错误] 项目资金·当年财政拨款（自评表!E7）：全年预算数“abc”不是金额，无法计算预算执行率；"
                                "请填写以万元计的数值（如 87.65），或写明单位（如 876500元、87.65万元）")


# --------------------------------------------------------------------------- lists -> batch -> filled -> score


@pytest.mark.parametrize("name", ["batch-one", "batch-three", "batch-three-csv"])
def test_a_list_as_people_and_budget_systems_write_it_scores_as_quantities(forms: dict[str, Filled],
                                                                           name: str) -> None:
    form = forms[name]
    assert form.recalculated is not None
    [result] = evaluate(form.recalculated)
    scores = {i.spec.name: i.score for i in result.indicators}
    # 3000 against 大于等于3500批次, weight 10: 10 × 3000 ÷ 3500 = 8.57, in the form and the engine
    assert scores == {"抽检批次": D("8.57"), "抽检合格率": D("19.79"), "按时办结率": D(20), "项目成本": D("9.74"),
                      "食品安全状况": D(20), "群众满意度": D("9.44")}
    targets = {i.spec.name: i.target.text for i in result.indicators}
    assert targets["抽检批次"] in ("大于等于3500批次", "≥3500批次") and targets["群众满意度"] in ("=>90%", "≥90%")
    assert not {"shown-differs", "actual-unread-by-form"} & {f.code for f in result.all_findings()}
    values = shown(form.recalculated)
    rows = {i.spec.name: int(i.spec.locations["score"].split("!")[1][1:]) - 1 for i in result.indicators}
    assert _number(values[(SHEET, rows["抽检批次"], Col.SCORE)]) == D("8.57")
    assert result.execution.score == D("9.87") and result.total == sum(scores.values(), D("9.87"))
    assert _number(values[(SHEET, form_layout_total(form.recalculated), Col.SCORE)]) == result.total


def form_layout_total(path: Path) -> int:
    """The 总分 row of one of our forms (its _meta records the layout)."""
    from perfeval_xl.form.metadata import read_meta
    from perfeval_xl.kinds.self.reader import layout_from_meta

    return layout_from_meta(read_meta(openpyxl.load_workbook(path, read_only=True))).total


def test_a_three_part_list_gives_the_official_one_text_targets(tmp_path: Path) -> None:
    for suffix in (".xlsx", ".csv"):
        listed = read_targets(write_list(tmp_path / f"list{suffix}", three_part=True))
        assert listed.problems == [] and listed.warnings == []
        [project] = listed.projects
        assert project.spec is not None
        assert [i.target for i in project.spec.indicators] == [
            "≥3500批次", "≥95%", "≥95%", "≤87.65万元", "明显好转", "≥90%"]


def test_a_target_with_digits_read_as_qualitative_is_a_warning_at_batch_time(tmp_path: Path) -> None:
    path = tmp_path / "清单.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "目标"
    sheet.append([*LIST_HEADER, "年度指标值", "分值"])
    sheet.append(["甲项目", "甲局", "甲中心", 2023, None, "产出指标", "数量指标", "抽检批次", "完成3500批次", 45])
    sheet.append([None, None, None, None, None, "产出指标", "质量指标", "合格率", "90%-100%", 45])
    workbook.save(path)
    result = CliRunner().invoke(cli, ["batch", str(path), "-o", str(tmp_path / "out"), "--jobs", "1"],
                                prog_name="perfeval-xl")
    assert result.exit_code == 0
    where = f"{path} 工作表“目标”"
    assert result.stderr == (
        f"清单 {path} 有 2 处警告（项目照常生成，请核对是否如此理解）：\n"
        f"  - {where}第 2 行：I 列年度指标值“完成3500批次”含有数字，但读不出“比较符号+数值+单位”（数值前有其他文字），"
        "已按定性指标处理：实际完成值须选择评价档次；如为定量指标，请写成 ≥3500批次、95%以上、≤87.65万元 这样的写法\n"
        f"  - {where}第 3 行：I 列年度指标值“90%-100%”含有数字，但读不出“比较符号+数值+单位”（含有不止一个数值或多余的符号），"
        "已按定性指标处理：实际完成值须选择评价档次；如为定量指标，请写成 ≥3500批次、95%以上、≤87.65万元 这样的写法\n")
    manifest = openpyxl.load_workbook(tmp_path / "out" / "生成清单.xlsx")["问题"]
    assert [c.value for c in manifest[2]][2:5] == [2, "甲项目", "警告"]


def test_three_parts_that_disagree_are_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "清单.csv"
    path.write_text("项目名称,年度,一级指标,二级指标,三级指标,指标性质,指标值,度量单位,分值\n"
                    "甲项目,2023,产出指标,数量指标,完成情况,定性,100,%,45\n"
                    "甲项目,2023,产出指标,质量指标,质量,≥,达成预期,,40\n"
                    "甲项目,2023,效益指标,社会效益指标,效益,区间,5,次,5\n", encoding="utf-8")
    listed = read_targets(path)
    assert [str(w).split("：", 1)[1] for w in listed.warnings] == [
        "F 列指标性质为“定性”，但指标值是数值，年度指标值“100%”已按定量指标计分；如确为定性指标，请把指标值写成文字（如 达成预期指标）",
        "F 列指标性质为“≥”，但指标值不是数值，年度指标值“达成预期”已按定性指标处理：实际完成值须选择评价档次；定量指标的指标值请只填数字（如 95）"]
    assert [str(p).split("：", 1)[1] for p in listed.problems] == [
        "指标性质“区间”无法识别，应为 ≥ ＞ ＝ ＜ ≤、正向、反向或“定性”（也可写 大于等于、小于等于 等）"]


def test_the_template_offers_both_layouts_and_reads_back(tmp_path: Path) -> None:
    from perfeval_xl.batch.template import LIST_SHEET, spec_rows, write_template

    example = load_example("caidian-2019-quality")
    for three_part, header in ((False, ["年度指标值"]), (True, ["指标性质", "指标值", "度量单位"])):
        path = tmp_path / f"模板{three_part}.xlsx"
        write_template(path, projects=[example], three_part=three_part)
        sheet = openpyxl.load_workbook(path)[LIST_SHEET]
        assert [c.value for c in sheet[1]][8:8 + len(header)] == header
        if three_part:
            assert [[c.value for c in row][8:11] for row in sheet.iter_rows(min_row=2, max_row=3)] == [
                [None, 100, "%"], [None, 87.65, "万元"]]
        listed = read_targets(path)
        assert listed.problems == [] and listed.warnings == []
        [project] = listed.projects
        assert project.spec is not None
        assert [i.target for i in project.spec.indicators] == [i.target for i in example.indicators]
    assert spec_rows(example)[0][8] == "100%"


# --------------------------------------------------------------------------- returns in every format


def xlsb_copy(source: Path, dest: Path, errors: dict[tuple[int, int], int] | None = None) -> Path:
    """A workbook's first sheet as .xlsb (values only; pyxlsbwriter: nothing here else writes .xlsb),
    with error cells (1-based (row, column) -> BIFF12 error code) put in its records."""
    from pyxlsbwriter import XlsbWriter

    sheet = openpyxl.load_workbook(source, data_only=True).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    with XlsbWriter(str(dest)) as writer:
        writer.add_sheet(sheet.title)
        writer.write_sheet(rows)
    if not errors:
        return dest
    with zipfile.ZipFile(dest) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}

    def record(kind: int, body: bytes) -> bytes:
        def varint(n: int) -> bytes:
            out = bytearray()
            while True:
                out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
                n >>= 7
                if not n:
                    return bytes(out)
        return varint(kind) + varint(len(body)) + body

    out, row = bytearray(), -1
    for kind, body in _records(parts["xl/worksheets/sheet1.bin"]):
        if kind == 0:
            row = struct.unpack_from("<I", body, 0)[0]
        elif kind in (1, 2, 4, 5, 6, 7) and (row + 1, struct.unpack_from("<I", body, 0)[0] + 1) in errors:
            continue  # the cell becomes the error cell below
        out += record(kind, body)
        if kind == 0:
            for (r, c), code in errors.items():
                if r == row + 1:
                    out += record(3, struct.pack("<II", c - 1, 0) + bytes([code]))
    parts["xl/worksheets/sheet1.bin"] = bytes(out)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return dest


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory, forms: dict[str, Filled]) -> dict[str, Path]:
    """Hand-made forms as units send them: .xlsx, .xls, WPS .et, .ods, .xlsb; plain and with errors."""
    root = tmp_path_factory.mktemp("returns")
    plain = root / "seed003.xlsx"
    seed_003_workbook(plain)
    with_errors = forms["seed003-errors"]
    # a three-part targets list as budget systems export it (.xls), one weight a formula gone wrong
    listed = write_list(root / "list-export.xlsx", three_part=True)
    workbook = openpyxl.load_workbook(listed)
    workbook.active["L3"] = "=1/0"
    workbook.save(listed)
    ours = forms["notation"].recalculated  # one of our forms, filled and saved again as .xls / .ods
    assert ours is not None
    sources = [plain, with_errors.path, listed, ours]
    names = {plain: "", with_errors.path: "-errors", listed: "-list", ours: "-ours"}
    found = {"xlsx": plain, "xlsx-errors": with_errors.recalculated}
    for target, kind in (("xls:MS Excel 97", "xls"), ("ods", "ods")):
        for source, converted in zip(sources, convert(sources, target, root / kind), strict=True):
            found[kind + names[source]] = converted
    for name in ("", "-errors"):
        et = root / f"seed003{name}.et"
        shutil.copy(found[f"xls{name}"], et)  # WPS's .et is its Excel 97–2003 workbook under another name
        found[f"et{name}"] = et
    found["xlsb"] = xlsb_copy(plain, root / "seed003.xlsb")
    assert found["xlsx-errors"] is not None
    found["xlsb-errors"] = xlsb_copy(found["xlsx-errors"], root / "seed003-errors.xlsb",
                                     {(7, 6): 0x07, (16, 6): 0x2A})
    return found  # type: ignore[return-value]


@pytest.mark.parametrize("kind", ["xlsx", "xls", "et", "ods", "xlsb"])
def test_a_hand_made_seed_003_return_scores_99_87_in_every_format(returns: dict[str, Path], kind: str) -> None:
    path = returns[kind]
    result = CliRunner().invoke(cli, ["score", str(path)], prog_name="perfeval-xl")
    assert result.exit_code == 0, result.stderr
    assert "全年预算数 87.65 万元，全年执行数 86.54 万元，执行率 98.73%，分值 10，执行率得分 9.87" in result.stdout
    assert "总分 99.87    评价等级 优" in result.stdout
    result = CliRunner().invoke(cli, ["check", str(path)], prog_name="perfeval-xl")
    assert result.exit_code == 0 and "错误 0 条，警告 0 条" in result.stdout


@pytest.mark.parametrize("kind", ["xlsx-errors", "xls-errors", "et-errors", "ods-errors", "xlsb-errors"])
def test_error_values_are_findings_at_their_cell_through_both_readers(returns: dict[str, Path], kind: str) -> None:
    path = returns[kind]
    readers = [evaluate_fast(path)[0]]
    if kind.startswith("xlsx"):
        readers.append(evaluate(path))  # openpyxl; the other formats are read by python-calamine only
    for [result] in readers:
        errors = sorted((f.location, f.message.split("（")[0]) for f in result.all_findings() if f.code == "cell-error")
        assert errors == [("附件 自评表!F16", "实际完成值是错误值 #N/A"), ("附件 自评表!F7", "全年执行数是错误值 #DIV/0!")]
        assert not {"actual-missing", "funds-missing"} & {f.code for f in result.all_findings()}


def test_consolidation_reads_every_format(returns: dict[str, Path], tmp_path: Path) -> None:
    from perfeval_xl.consolidate.worker import process_file

    folder = tmp_path / "回收"
    folder.mkdir()
    for kind in ("xlsx", "xls", "et", "ods", "xlsb"):
        copied = folder / f"单位{kind}{returns[kind].suffix}"
        shutil.copy(returns[kind], copied)
        record = process_file(str(copied))  # what each worker of the consolidation does
        assert record["status"] == "ok", record["error"]
        [project] = record["projects"]
        assert (project["total"], project["exec_score"], project["errors"]) == (99.87, 9.87, 0)
    done = consolidate([str(folder)], tmp_path / "汇总.xlsx", jobs=1)
    # the .et is the .xls under another name: the same content, read once
    assert (done.files, done.read + done.reused, done.review.unreadable) == (5, 5, 0)


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_a_targets_list_exported_as_xls_or_ods_is_read_with_its_error_values(returns: dict[str, Path],
                                                                             kind: str) -> None:
    listed = read_targets(returns[f"{kind}-list"])
    assert [(p.row, p.message) for p in listed.problems] == [(3, "分值是错误值 #DIV/0!（公式出错），请改正公式，或直接填写内容")]
    [project] = listed.projects
    assert project.spec is None and project.indicators == 6  # not generated: the list has an error


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_our_form_saved_as_xls_or_ods_reads_as_its_xlsx(returns: dict[str, Path], forms: dict[str, Filled],
                                                        kind: str) -> None:
    """An .xls keeps a formula's empty result ("") as 0 to its readers: a blank score read back
    as 0 is no result that differs from the engine's."""
    source = forms["notation"].recalculated
    assert source is not None
    [xlsx], _ = evaluate_fast(source)
    [other], _ = evaluate_fast(returns[f"{kind}-ours"])
    assert [i.score for i in other.indicators] == [i.score for i in xlsx.indicators]
    assert sum(i.score is None for i in other.indicators) > 10  # rows the form leaves blank
    codes = {f.code for f in other.all_findings()}
    assert "shown-differs" not in codes and "actual-unread-by-form" in codes
    assert other.total == xlsx.total


def test_a_year_no_profile_covers_names_those_that_do(tmp_path: Path) -> None:
    path = tmp_path / "2018.xlsx"
    seed_003_workbook(path, year=2018)
    result = CliRunner().invoke(cli, ["check", str(path)], prog_name="perfeval-xl")
    assert result.exit_code == 2
    assert result.stderr == (
        "错误：规则“mof-2020”没有适用于 2018 年度（2019-12-31 前生效）的取值。该规则最早适用于 2019 年度，"
        "适用于 2018 年度的规则：wuhan-donghu-2018，请用 --profile wuhan-donghu-2018 指定"
        "（项目文件写 profile，清单填“规则”列）（perfeval-xl profiles 可列出全部规则）\n")
    result = CliRunner().invoke(cli, ["score", str(path), "--profile", "wuhan-donghu-2018"], prog_name="perfeval-xl")
    assert result.exit_code == 0

