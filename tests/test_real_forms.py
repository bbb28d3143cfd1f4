"""Hand-made forms and targets lists as real units and budget systems make them (issue 11, QA).

Each case is data: the seed-003 form typed by hand (tests/handmade_forms.py) with the cells a
unit changes, or a targets list written as a CSV, and what a person reads in it — the score,
the reading of a target, and the note, warning or error at its cell. Every hand-made case is
read by both readers (openpyxl, and python-calamine as ``consolidate`` reads).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from handmade_forms import SEED_003_ROWS, write_official

from perfeval_xl.batch import read_targets
from perfeval_xl.engine import ProjectResult
from perfeval_xl.reader import evaluate
from perfeval_xl.reader.fast import evaluate_fast

SHEET = "自评表"
# write_official(top=1, left=1): the funds header on row 5 (D-I: 年初预算数 … 得分; labels in C),
# 年度资金总额 on row 6, 当年财政拨款 on row 7; the 绩效指标 header on row 13 (B 一级, C 二级,
# D 三级, E 年度指标值, F 实际完成值, G 分值, H 得分, I 偏差原因); the indicators on rows 14-22
# (16 时效 25 分, 17 成本 25 分, 19 社会效益 15 分, 21 可持续 15 分, 22 满意度 10 分); 总分 on 23.
SEED_TOTAL = Decimal("99.87")


def _form(path: Path, cells: dict[str, Any], rows: list[tuple[Any, ...]] | None = None,
          before: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    write_official(ws, rows=rows)
    for address, value in cells.items():
        ws[address] = value
    if before is not None:  # a 绩效目标申报表 (三级指标 and 指标值, no 实际完成值) before the 自评表
        other = wb.create_sheet(before, 0)
        other.append(["项目支出绩效目标申报表（2019年度）"])
        other.append(["项目名称", "质量技术监督专项经费"])
        other.append(["一级指标", "二级指标", "三级指标", "指标值", "分值"])
        other.append(["产出指标", "时效指标", "及时完成质量监督检查任务", "100%", 25])
    wb.save(path)
    return path


def _both(path: Path) -> list[ProjectResult]:
    [slow] = evaluate(path)
    [fast], _ = evaluate_fast(path)
    return [slow, fast]


def _found(result: ProjectResult, code: str) -> list[tuple[str | None, str]]:
    return [(f.location, f.message) for f in result.all_findings() if f.code == code]


def _indicator(result: ProjectResult, name: str) -> Any:
    return next(i for i in result.indicators if i.spec.name == name)


# name: (cells changed, rows (None: seed 003), expected total, [(code, location, message)])
FORMS: dict[str, tuple[dict[str, Any], list[tuple[Any, ...]] | None, Decimal, list[tuple[str, str, str]]]] = {
    "元 in the amount headers": (
        {"E5": "全年预算数（元）", "F5": "全年执行数（元）", "E6": 876500, "F6": 865400, "E7": 876500, "F7": 865400},
        None, SEED_TOTAL,
        [("amount-unit-converted", "自评表!E5", "“全年预算数(元)”以元计，金额已换算为万元（自评表以万元计）"),
         ("amount-unit-converted", "自评表!F5", "“全年执行数(元)”以元计，金额已换算为万元（自评表以万元计）")]),
    "元 in the block's label": (
        {"A5": "项目资金\n（元）", "E6": 876500, "F6": 865400, "E7": 876500, "F7": 865400},
        None, SEED_TOTAL,
        [("amount-unit-converted", "自评表!A5", "“项目资金”以元计，金额已换算为万元（自评表以万元计）")]),
    "万元 in the headers keeps the numbers": (
        {"E5": "全年预算数（万元）", "F5": "全年执行数（万元）", "E6": 87.65, "F6": 86.54, "E7": 87.65, "F7": 86.54},
        None, SEED_TOTAL, []),
    "an amount with its own unit under 元": (
        {"E5": "全年预算数（元）", "E6": "87.65万元", "E7": "87.65万元"}, None, SEED_TOTAL, []),
    "funds labels with colons": (
        {"C6": "年度资金总额：", "C7": "其中：财政拨款：", "C8": "上年结转：", "C9": "其他资金："}, None, SEED_TOTAL, []),
    "合计 and 预算数/执行数": ({"C6": "合计", "E5": "预算数", "F5": "执行数"}, None, SEED_TOTAL, []),
    "调整后预算数/实际执行数": ({"E5": "调整后预算数", "F5": "实际执行数"}, None, SEED_TOTAL, []),
    "本级财政资金": ({"C7": "本级财政资金"}, None, SEED_TOTAL, []),
    "a missing 二级指标 column": (
        {"C13": None}, None, SEED_TOTAL,
        [("level2-inferred", "自评表!D17", "表中没有二级指标列，指标“不超过年度预算”按名称归入成本指标，请核对")]),
    "numbered and weighted 一级 labels": (
        {"B14": "一、产出指标", "B18": "二、效益指标（30分）", "B22": "满意度指标 10分"}, None, SEED_TOTAL, []),
    "a 小计 row": (
        {}, [*SEED_003_ROWS[:4], (None, None, "小计", None, None, 50, 50), *SEED_003_ROWS[4:]], SEED_TOTAL,
        [("subtotal-row", "自评表!D18", "第 18 行“小计”是小计/合计行，不作为指标计分")]),
    "a 合计 row in the 一级 column": (
        {}, [*SEED_003_ROWS, ("合计（90分）", None, None, None, None, 90, 90)], SEED_TOTAL,
        [("subtotal-row", "自评表!B23", "第 23 行“合计（90分）”是小计/合计行，不作为指标计分")]),
    "formulas saved without results": (
        {"F16": "=1", "E6": "=E7+E8+E9"}, None, Decimal("74.87"),
        [("formula-uncached", "自评表!F16", "实际完成值的公式没有计算结果，请在 Excel/WPS 中打开并保存后再提交"),
         ("formula-uncached", "自评表!E6", "金额的公式没有计算结果，请在 Excel/WPS 中打开并保存后再提交")]),
    "指标方向 反向 gives the sign": (
        {"J13": "指标方向", "E19": "5%", "F19": "4%", "J19": "反向"}, None, SEED_TOTAL, []),
    "指标方向 against the written sign": (
        {"J13": "指标方向", "E19": "≥5%", "F19": "5%", "J19": "反向"}, None, SEED_TOTAL,
        [("target-direction-disagree", "自评表!J19", "指标方向“反向”与“≥”不一致，已按“≥”计分；请核对指标方向")]),
    "an unsigned duration of a 时效指标": (
        {"E16": "30天", "F16": "25天"}, None, SEED_TOTAL,
        [("duration-limit", "自评表!E16", "年度指标值“30天”是时效指标的时限，未写比较符号，按“≤30天”（不超过）计分")]),
    "a unit and its synonym": (
        {"E19": "≥12场次", "F19": "12场"}, None, SEED_TOTAL,
        [("actual-unit-synonym", "自评表!F19", "实际完成值“12场”按“12场次”计分（与年度指标值“≥12场次”的单位同义）")]),
    "a note after the unit": (
        {"E19": "≥3500批次（全年）", "F19": "3600批次"}, None, SEED_TOTAL,
        [("target-note-dropped", "自评表!E19", "年度指标值“≥3500批次（全年）”括号中的文字是说明，不是单位，按“≥3500批次”计分")]),
    "无 against a target of 0": (
        {"E19": "0起", "F19": "无"}, None, SEED_TOTAL,
        [("actual-unit-synonym", "自评表!F19", "实际完成值“无”按“0起”计分（年度指标值为 0）")]),
    "无 for 无": (
        {"E19": "无", "F19": "无"}, None, SEED_TOTAL,
        [("target-none", "自评表!E19", "年度指标值“无”、实际完成值“无”按 0 对 0 计分（无此类情况即达成）；"
                                      "如“无”是指没有设定指标值，请填写申报的指标值")]),
    "无 for 0起": (
        {"E19": "无", "F19": "0起"}, None, SEED_TOTAL,
        [("target-none", "自评表!E19", "年度指标值“无”、实际完成值“0起”按 0起 对 0起 计分（无此类情况即达成）；"
                                      "如“无”是指没有设定指标值，请填写申报的指标值")]),
    "Chinese numerals in a target": (
        {"E19": "三次", "F19": "达成年度指标"}, None, SEED_TOTAL,
        [("chinese-numeral", "自评表!E19", "年度指标值“三次”是用中文数字写的，电子表格和计分程序都不能按数值读取；"
                                          "如为定量指标，请改用阿拉伯数字（如 3次、12个月）")]),
    "Chinese numerals in an actual value": (
        {"E19": "≥3次", "F19": "三次"}, None, Decimal("84.87"),
        [("chinese-numeral", "自评表!F19", "实际完成值“三次”是用中文数字写的，电子表格和计分程序都不能按数值读取；"
                                          "如为定量指标，请改用阿拉伯数字（如 3次、12个月）")]),
}


@pytest.mark.parametrize("name", list(FORMS))
def test_a_hand_made_form_as_units_make_it(tmp_path: Path, name: str) -> None:
    cells, rows, total, expected = FORMS[name]
    path = _form(tmp_path / "form.xlsx", cells, rows)
    for result in _both(path):
        assert result.total == total, (name, result.total)
        for code, location, message in expected:
            assert (location, message) in _found(result, code), (name, code, _found(result, code))
        assert result.execution.budget == Decimal("87.65")
        assert not any(i.spec.name == "小计" or "合计" in i.spec.name for i in result.indicators)


def test_the_readings_behind_the_scores(tmp_path: Path) -> None:
    """What each case is read as, not only its total."""
    def read(name: str) -> list[ProjectResult]:
        cells, rows, _, _ = FORMS[name]
        return _both(_form(tmp_path / f"{len(name)}.xlsx", cells, rows))

    for result in read("a missing 二级指标 column"):
        cost = _indicator(result, "不超过年度预算")
        assert (cost.level2, cost.direction.value, cost.score) == ("成本指标", "lower", Decimal(25))
        assert [i.level2 for i in result.indicators] == ["时效指标", "成本指标", "社会效益指标", "可持续影响指标",
                                                         "服务对象满意度指标"]
    for result in read("numbered and weighted 一级 labels"):
        assert {i.level1 for i in result.indicators} == {"产出指标", "效益指标", "满意度指标"}
        assert not _found(result, "level1-unknown")
    for result in read("formulas saved without results"):
        assert not [f for f in result.all_findings() if f.location == "自评表!F16" and f.code == "actual-missing"]
    for result in read("指标方向 反向 gives the sign"):
        social = _indicator(result, "促进质量提升，保障社会经济发展")
        assert (social.spec.target, social.direction.value, social.score) == ("≤5%", "lower", Decimal(15))
    for result in read("an unsigned duration of a 时效指标"):
        timely = _indicator(result, "及时完成质量监督检查任务")
        assert (timely.spec.target, timely.direction.value) == ("≤30天", "lower")
    for result in read("Chinese numerals in an actual value"):
        assert _indicator(result, "促进质量提升，保障社会经济发展").score is None


def test_the_self_evaluation_is_found_after_a_declaration_sheet(tmp_path: Path) -> None:
    path = _form(tmp_path / "两张表.xlsx", {}, before="绩效目标申报表")
    for result in _both(path):
        assert (result.sheet, result.total) == (SHEET, SEED_TOTAL)


def test_a_sheet_with_an_incomplete_header_alone_is_still_named(tmp_path: Path) -> None:
    from perfeval_xl.errors import FormError

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效目标申报表"
    ws.append(["（2019年度）"])
    ws.append(["一级指标", "二级指标", "三级指标", "指标值", "分值"])
    path = tmp_path / "申报表.xlsx"
    wb.save(path)
    with pytest.raises(FormError, match="缺少 “实际完成值” 列"):
        evaluate(path)


def _sichuan(path: Path, split: str) -> Path:
    """Sichuan's form with a header on two rows: 年度指标值 split into 指标性质 | 指标值 | 度量单位,
    or 指标值 split into 年度指标值 | 实际完成值; the first row's other labels merged down."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"], ws["A2"] = "项目支出绩效自评表", "（2023年度）"
    ws["A3"], ws["C3"] = "项目名称", "城乡居民养老保险补助"
    ws["A4"], ws["C4"], ws["F4"], ws["H4"] = "主管部门", "青神县人社局", "实施单位", "青神县社保中心"
    for col, text in zip("DEFGHI", ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], strict=True):
        ws[f"{col}5"] = text
    ws["A5"] = "项目资金（万元）"
    ws["C6"], ws["E6"], ws["F6"], ws["G6"], ws["H6"], ws["I6"] = "年度资金总额", 120, 102, 10, "85.00%", 8.5
    ws["C7"], ws["E7"], ws["F7"] = "其中：当年财政拨款", 120, 102
    if split == "three-part":
        first = ["一级指标", "二级指标", "三级指标", "年度指标值", None, None, "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
        second = [None, None, None, "指标性质", "指标值", "度量单位", None, None, None, None]
        spans = [(4, 6)]
        data = [
            ("产出指标", "数量指标", "发放覆盖率", "＝", 100, "%", "100%", 30, 30),
            (None, "质量指标", "参保率", "≥", 95, "%", "92%", 30, 29.05, "部分人员未及时参保"),
            (None, "成本指标", "人均补助标准", "≤", 420, "元/人", "400元/人", 20, 20),
            ("满意度指标", "服务对象满意度指标", "参保群众满意度", "≥", 90, "%", "95%", 10, 10),
        ]
    else:
        first = ["一级指标", "二级指标", "三级指标", "指标值", None, "分值", "得分", "偏差原因分析及改进措施"]
        second = [None, None, None, "年度指标值", "实际完成值", None, None, None]
        spans = [(4, 5)]
        data = [
            ("产出指标", "数量指标", "发放覆盖率", "＝100%", "100%", 30, 30),
            (None, "质量指标", "参保率", "≥95%", "92%", 30, 29.05, "部分人员未及时参保"),
            (None, "成本指标", "人均补助标准", "≤420元/人", "400元/人", 20, 20),
            ("满意度指标", "服务对象满意度指标", "参保群众满意度", "≥90%", "95%", 10, 10),
        ]
    for c, (top, below) in enumerate(zip(first, second, strict=True), start=1):
        if top is not None:
            ws.cell(12, c, top)
        if below is not None:
            ws.cell(13, c, below)
        elif top is not None:
            ws.merge_cells(start_row=12, start_column=c, end_row=13, end_column=c)
    for a, b in spans:
        ws.merge_cells(start_row=12, start_column=a, end_row=12, end_column=b)
    for r, row in enumerate(data, start=14):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    ws.cell(18, 1, "总分")
    ws.cell(18, len(first) - 1, 97.55)
    wb.save(path)
    return path


@pytest.mark.parametrize("split", ["three-part", "target-and-actual"])
def test_a_header_on_two_rows_is_read_as_one(tmp_path: Path, split: str) -> None:
    path = _sichuan(tmp_path / f"{split}.xlsx", split)
    for result in _both(path):
        targets = [i.spec.target for i in result.indicators]
        assert targets == ["＝100%", "≥95%", "≤420元/人", "≥90%"]
        assert [i.score for i in result.indicators] == [Decimal(30), Decimal("29.05"), Decimal(20), Decimal(10)]
        assert result.total == Decimal("97.55")
        assert not [f for f in result.all_findings() if f.severity.value == "error"], result.all_findings()


# Targets lists: (CSV text, {三级指标: (二级指标, 年度指标值)}, [warnings], [errors], 全年预算数)
HEAD = "项目名称,年度,{budget}一级指标,二级指标,三级指标,{target},分值\n"
LISTS: dict[str, tuple[str, dict[str, tuple[str, object]], list[str], list[str], Decimal | None]] = {
    "元 budget header": (
        "项目名称,年度,全年预算数（元）,一级指标,二级指标,三级指标,年度指标值,分值\n"
        "X,2023,876500,产出指标,数量指标,a,≥3500批次,90\n",
        {"a": ("数量指标", "≥3500批次")},
        ["list.csv 第 1 行：“全年预算数（元）”以元计，全年预算数已换算为万元（自评表以万元计）"], [], Decimal("87.65")),
    "万元 budget header": (
        "项目名称,年度,全年预算数（万元）,一级指标,二级指标,三级指标,年度指标值,分值\n"
        "X,2023,87.65,产出指标,数量指标,a,≥3500批次,90\n",
        {"a": ("数量指标", "≥3500批次")}, [], [], Decimal("87.65")),
    "a header on two rows": (
        "项目名称,年度,全年预算数（元）,一级指标,二级指标,三级指标,年度指标值,,,分值\n"
        ",,,,,,指标性质,指标值,度量单位,\n"
        "X,2023,876500,产出指标,质量指标,合格率,≥,95,%,45\n"
        "X,2023,,产出指标,时效指标,办结时限,反向,5,个工作日,45\n",
        {"合格率": ("质量指标", "≥95%"), "办结时限": ("时效指标", "≤5个工作日")},
        ["list.csv 第 2 行：“全年预算数（元）”以元计，全年预算数已换算为万元（自评表以万元计）"], [], Decimal("87.65")),
    "指标方向 column": (
        "项目名称,年度,一级指标,二级指标,三级指标,指标方向,指标值,度量单位,分值\n"
        "X,2023,产出指标,时效指标,办结时限,反向,5,个工作日,30\n"
        "X,2023,产出指标,质量指标,投诉率,逆向,5,%,30\n"
        "X,2023,产出指标,质量指标,合格率,正向,95,%,30\n",
        {"办结时限": ("时效指标", "≤5个工作日"), "投诉率": ("质量指标", "≤5%"), "合格率": ("质量指标", "≥95%")},
        [], [], None),
    "指标方向 beside 指标性质": (
        "项目名称,年度,一级指标,二级指标,三级指标,指标性质,指标值,度量单位,指标方向,分值\n"
        "X,2023,产出指标,质量指标,合格率,≥,95,%,反向,90\n",
        {"合格率": ("质量指标", "≥95%")},
        ["list.csv 第 2 行：I 列指标方向“反向”与“≥”不一致，已按“≥”计分；请核对指标方向"], [], None),
    "no 二级指标 column": (
        "项目名称,年度,一级指标,三级指标,年度指标值,分值\n"
        "X,2023,产出指标,抽检批次,≥3500批次,30\n"
        "X,2023,产出指标,不超过年度预算,87.65万元,30\n"
        "X,2023,满意度指标,群众满意度,≥90%,30\n",
        {"抽检批次": ("数量指标", "≥3500批次"), "不超过年度预算": ("成本指标", "87.65万元"),
         "群众满意度": ("服务对象满意度指标", "≥90%")},
        ["list.csv 第 2 行：D 列清单没有“二级指标”列，二级指标已按三级指标名称推断：抽检批次→数量指标、"
         "不超过年度预算→成本指标、群众满意度→服务对象满意度指标；请核对，或在清单中加上“二级指标”列"], [], None),
    "no 二级指标 column, a name that says nothing": (
        "项目名称,年度,一级指标,三级指标,年度指标值,分值\nX,2023,产出指标,甲,100%,90\n",
        {}, [], ["list.csv 第 2 行：清单没有“二级指标”列，无法判断指标“甲”属于哪个二级指标，请加上“二级指标”列并填写"], None),
    "小计 rows and numbered 一级": (
        "项目名称,年度,一级指标,二级指标,三级指标,年度指标值,分值\n"
        "X,2023,一、产出指标,数量指标,a,≥3500批次,45\n"
        "X,2023,,,小计,,45\n"
        "X,2023,二、满意度指标（45分）,服务对象满意度指标,b,≥90%,45\n",
        {"a": ("数量指标", "≥3500批次"), "b": ("服务对象满意度指标", "≥90%")},
        ["list.csv 第 3 行：“小计”是小计/合计行，不作为指标"], [], None),
    "durations, notes, 无 and Chinese numerals": (
        "项目名称,年度,一级指标,二级指标,三级指标,年度指标值,分值\n"
        "X,2023,产出指标,时效指标,办结时限,30天,20\n"
        "X,2023,产出指标,时效指标,完成时间,12月底前,20\n"
        "X,2023,产出指标,数量指标,抽检批次,≥3500批次（全年）,20\n"
        "X,2023,产出指标,数量指标,培训场次,十二场,20\n"
        "X,2023,产出指标,质量指标,事故,无,10\n",
        {"办结时限": ("时效指标", "≤30天"), "完成时间": ("时效指标", "12月底前"), "抽检批次": ("数量指标", "≥3500批次"),
         "培训场次": ("数量指标", "十二场"), "事故": ("质量指标", None)},
        ["list.csv 第 2 行：F 列年度指标值“30天”是时效指标的时限，未写比较符号，按“≤30天”（不超过）计分",
         "list.csv 第 4 行：F 列年度指标值“≥3500批次（全年）”括号中的文字是说明，不是单位，按“≥3500批次”计分",
         "list.csv 第 5 行：F 列年度指标值“十二场”是用中文数字写的，电子表格和计分程序都不能按数值读取；"
         "如为定量指标，请改用阿拉伯数字（如 3次、12个月）",
         "list.csv 第 6 行：F 列年度指标值“无”表示空白，按未填写处理（由填报单位填写）；如指标值为 0，请写 0（如 0起）"],
        [], None),
}


@pytest.mark.parametrize("name", list(LISTS))
def test_a_targets_list_as_systems_export_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    text, expected, warnings, errors, budget = LISTS[name]
    monkeypatch.chdir(tmp_path)
    Path("list.csv").write_text(text, encoding="utf-8")
    listed = read_targets("list.csv")
    assert [str(p) for p in listed.warnings] == warnings
    assert [str(p) for p in listed.problems] == errors
    if errors:
        return
    [project] = listed.projects
    assert project.spec is not None
    got = {i.name: (i.level2, i.target) for i in project.spec.indicators}
    assert got == expected
    if budget is not None:
        assert project.spec.funds["fiscal"].budget == budget


def test_the_real_layouts_are_read_from_xls_and_ods_and_consolidated(tmp_path: Path) -> None:
    """The same hand-made variants saved as Excel 97-2003 and OpenDocument (LibreOffice converts all
    in one call per format) score alike through python-calamine, and the consolidation's worker
    finds the 自评表 after a 申报表."""
    from perfeval_xl.consolidate.worker import process_file
    from perfeval_xl.libreoffice import convert

    sources = {
        _sichuan(tmp_path / "四川两行表头.xlsx", "three-part"): Decimal("97.55"),
        _sichuan(tmp_path / "四川指标值分两列.xlsx", "target-and-actual"): Decimal("97.55"),
        _form(tmp_path / "元.xlsx", FORMS["元 in the amount headers"][0]): SEED_TOTAL,
        _form(tmp_path / "无二级.xlsx", FORMS["a missing 二级指标 column"][0]): SEED_TOTAL,
        _form(tmp_path / "小计.xlsx", {}, FORMS["a 小计 row"][1]): SEED_TOTAL,
        _form(tmp_path / "两张表.xlsx", {}, before="绩效目标申报表"): SEED_TOTAL,
    }
    paths = list(sources)
    for target, kind in (("xls:MS Excel 97", "xls"), ("ods", "ods")):
        for source, converted in zip(paths, convert(paths, target, tmp_path / kind), strict=True):
            assert converted is not None, source
            [result] = evaluate(converted)
            assert (result.total, result.execution.budget) == (sources[source], Decimal("87.65") if
                                                               "四川" not in source.name else Decimal(120)), converted
            record = process_file(str(converted))
            assert record["status"] == "ok", record["error"]
            [project] = record["projects"]
            assert project["total"] == float(sources[source])


def test_a_list_with_a_header_on_two_rows_in_a_workbook(tmp_path: Path) -> None:
    """As the budget system exports it: 年度指标值 merged over 指标性质 | 指标值 | 度量单位, the other
    labels merged down the two rows, a title above."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效目标"
    ws.append(["2023年度项目支出绩效目标表"])
    ws.append(["项目名称", "年度", "全年预算数（元）", "一级指标", "二级指标", "三级指标", "年度指标值", None, None, "分值"])
    ws.append([None] * 6 + ["指标性质", "指标值", "度量单位", None])
    ws.append(["X", 2023, 876500, "产出指标", "质量指标", "合格率", "≥", 95, "%", 45])
    ws.append(["X", 2023, None, "产出指标", "时效指标", "办结时限", "反向", 5, "个工作日", 45])
    for c in (1, 2, 3, 4, 5, 6, 10):
        ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    ws.merge_cells(start_row=2, start_column=7, end_row=2, end_column=9)
    path = tmp_path / "清单.xlsx"
    wb.save(path)
    listed = read_targets(path)
    assert not listed.problems
    [project] = listed.projects
    assert project.spec is not None
    assert [(i.name, i.target) for i in project.spec.indicators] == [("合格率", "≥95%"), ("办结时限", "≤5个工作日")]
    assert project.spec.funds["fiscal"].budget == Decimal("87.65")
