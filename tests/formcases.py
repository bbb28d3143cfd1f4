"""Generated projects for the form parity tests.

Each case is a project built as a blank form (declared targets, no actual
values), plus what an official then types: funds, actual values, ratings,
qualitative scores, reasons, and whole new indicators in spare rows (name,
target in the official notation, weight). The same data as a spec is what the
engine scores. Deterministic: a seeded random generator.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from perfeval_xl.kinds.self.layout import FUND_COLUMNS, Col
from perfeval_xl.kinds.self.writer import BuiltForm
from perfeval_xl.profiles import load_rules
from perfeval_xl.spec import FundsRow, Indicator, ProjectSpec

PROFILES = [("mof-2020", 2020), ("mof-2020", 2023), ("wuhan-donghu-2018", 2018), ("sichuan", 2023)]
UNITS = ["次", "家", "万元", "批次", "元/次", "个", "", "人次", "m²", "㎡", "m³", "天", "个工作日"]
SIGNS = ["", "", "≥", "＞", "≤", "＜", "＝", ">=", "不低于", "不超过", "低于"]
SUFFIXES = ["以上", "以下", "以内"]
QUALITATIVE = ["达成预期指标", "明显减少", "年底前完成", "合格", "有所提升", "12月底前完成"]
RATINGS = ["达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差",
           "达成", "部分达成", "未达成", "达成预期指标"]
FULL_WIDTH = str.maketrans("0123456789%<>=", "０１２３４５６７８９％＜＞＝")


@dataclass
class Row:
    """One indicator of a case: declared in the spec, or typed into a spare row."""

    level1: str
    level2: str
    name: str
    target: str | float
    weight: float | None
    typed: bool  # typed by the official into a spare row
    actual: object = None
    reason: str | None = None
    qscore: float | None = None
    sheet_row: int | None = None  # 0-based, known after the form is built


@dataclass
class Case:
    name: str
    profile: str
    year: int
    rows: list[Row]
    funds: dict[str, dict[str, float | None]] = field(default_factory=dict)

    def blank_spec(self) -> ProjectSpec:
        """The spec the form is generated from: declared indicators, no actual values."""
        indicators = tuple(
            Indicator(level1=r.level1, level2=r.level2, name=r.name, target=r.target,
                      weight=_d(r.weight), where=f"第 {i + 1} 个指标")
            for i, r in enumerate(r for r in self.rows if not r.typed)
        )
        return ProjectSpec(year=self.year, project=self.name, department="测试局", unit="测试中心",
                           profile=self.profile, indicators=indicators)

    def filled_spec(self) -> ProjectSpec:
        """The same project with everything the official typed, for the engine."""
        indicators = tuple(
            Indicator(level1=r.level1, level2=r.level2, name=r.name, target=r.target, actual=r.actual,
                      weight=_d(r.weight), reason=r.reason or "", score=_d(r.qscore),
                      where=f"第 {i + 1} 个指标")
            for i, r in enumerate(self.rows)
        )
        funds = {key: FundsRow(**{c: _d(v) for c, v in cols.items()}) for key, cols in self.funds.items()}
        return dataclasses.replace(self.blank_spec(), indicators=indicators, funds=funds)


def _d(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))


def _number(rng: random.Random) -> float:
    kind = rng.random()
    if kind < 0.1:
        return 0.0
    if kind < 0.5:
        return float(rng.randint(1, 5000))
    return round(rng.uniform(0.5, 1000), rng.choice([1, 2]))


def _target(rng: random.Random, level2: str) -> tuple[str | float, float | None, bool, str]:
    """(target as written, its value if quantitative, is percent, unit as written)."""
    roll = rng.random()
    if roll < 0.18:
        return rng.choice(QUALITATIVE), None, False, ""
    if roll < 0.22:
        value = float(rng.randint(1, 500))
        return value, value, False, ""  # a bare number in the cell
    sign = rng.choice(SIGNS)
    percent = rng.random() < 0.4
    unit = "%"
    if percent:
        value = float(rng.choice([80, 85, 90, 95, 97, 98.5, 99, 100, 70, 60, 0, 5]))
        text = f"{value:g}%"
    else:
        value = _number(rng)
        unit = "万元" if level2 == "成本指标" else rng.choice(UNITS)
        text = f"{value:g}{unit}"
    if not sign and rng.random() < 0.2:
        text += rng.choice(SUFFIXES)
    text = sign + text
    if rng.random() < 0.1:
        text = text.translate(FULL_WIDTH)
    return text, value, percent, unit


def _actual(rng: random.Random, value: float | None, percent: bool, unit: str) -> object:
    if value is None:
        roll = rng.random()
        if roll < 0.08:
            return None
        if roll < 0.13:
            return "完成得很好"
        return rng.choice(RATINGS)
    roll = rng.random()
    if roll < 0.07:
        return None
    if roll < 0.1:
        return "约" + str(int(value) + 1)
    base = value / 100 if percent else value
    factor = rng.choice([1, 1, 0.5, 0.9, 0.97, 1.05, 1.3, 1.31, 2.5, 0, 0.7, 1.29])
    number = round(base * factor, 4 if percent else 2)
    roll = rng.random()
    if roll < 0.12 and unit:  # typed as text, as the target is written: "95.5%", "3600批次", "1000㎡"
        return f"{round(number * 100, 2)}%" if percent else f"{number}{unit}"
    if roll < 0.15 and unit and not percent:
        return f"{number}%"  # a percentage against a target in units: unreadable for both
    if roll < 0.22 and percent:
        return round(number * 100, 2)  # a percentage typed without its %: 90 against ≥95%
    return number


def make_case(index: int, seed: int = 2026) -> Case:
    rng = random.Random(seed * 100003 + index)
    profile, year = PROFILES[index % len(PROFILES)]
    rules = load_rules(profile, year)
    level2s = [(l1, l2) for l1, l2s in rules.hierarchy.items() for l2 in l2s]
    count = rng.randint(2, 12)
    rows: list[Row] = []
    typed_per_l2: dict[str, int] = {}
    weights = [rng.choice([2, 4, 5, 8, 10, 15, 20, 2.5]) for _ in range(count)]
    scale = (100 - float(rules.execution_weight)) / sum(weights)
    for i in range(count):
        level1, level2 = rng.choice(level2s)
        typed = rng.random() < 0.25 and typed_per_l2.get(level2, 0) < 2
        if typed:
            typed_per_l2[level2] = typed_per_l2.get(level2, 0) + 1
        target, value, percent, unit = _target(rng, level2)
        weight: float | None = round(weights[i] * scale, 1) if rng.random() < 0.9 else float(weights[i])
        if rng.random() < 0.03:
            weight = None
        row = Row(level1, level2, f"指标{index}-{i}", target, weight, typed)
        row.actual = _actual(rng, value, percent, unit)
        if value is None and isinstance(row.actual, str) and rng.random() < 0.15:
            row.actual = str(target)  # the actual repeats the target text
        if rng.random() < 0.5:
            row.reason = rng.choice(["人员不足，下半年补齐", "指标设定偏低", "无", "—", ""])
        if value is None and rng.random() < 0.5 and weight:
            row.qscore = round(weight * rng.choice([0.5, 0.65, 0.75, 0.85, 0.95, 1.0, 0.8, 0.6]), 2)
        rows.append(row)
    funds: dict[str, dict[str, float | None]] = {}
    for key in ("fiscal", "carryover", "other"):
        if rng.random() < 0.6:
            budget = round(rng.uniform(0, 500), 2) if rng.random() < 0.95 else None
            executed = None if budget is None else round(budget * rng.choice([1, 0.9873, 0.5, 1.1, 0.0]), 2)
            funds[key] = {"initial": budget, "budget": budget, "executed": executed}
    if not funds and rng.random() < 0.8:
        funds["fiscal"] = {"initial": None, "budget": 87.65, "executed": 86.54}
    return Case(f"生成项目{index}", profile, year, rows, funds)


def fill_form(built: BuiltForm, case: Case, dest: Path) -> None:
    """Type the official's inputs into a built form with openpyxl, as a user would."""
    layout = built.layout
    workbook = openpyxl.load_workbook(built.path)
    sheet = workbook[workbook.sheetnames[0]]
    declared = [r for r in case.rows if not r.typed]
    spec_rows = {p.spec_index: p.row for p in layout.indicators if p.spec_index is not None}
    for index, row in enumerate(declared):
        row.sheet_row = spec_rows[index]
    free = {}
    for place in layout.indicators:
        if place.spec_index is None:
            free.setdefault(place.level2, []).append(place.row)
    for row in case.rows:
        if row.typed:
            row.sheet_row = free[row.level2].pop(0)
            _put(sheet, row.sheet_row, Col.NAME, row.name)
            _put(sheet, row.sheet_row, Col.TARGET, row.target)
            _put(sheet, row.sheet_row, Col.WEIGHT, row.weight)
        assert row.sheet_row is not None
        _put(sheet, row.sheet_row, Col.ACTUAL, row.actual)
        _put(sheet, row.sheet_row, Col.REASON, row.reason)
        _put(sheet, row.sheet_row, Col.QSCORE, row.qscore)
    for key, cols in case.funds.items():
        for col_key, value in cols.items():
            _put(sheet, layout.funds[key], FUND_COLUMNS[col_key], value)
    workbook.save(dest)


def _put(sheet: Any, row: int, col: int, value: object) -> None:
    if value is None or value == "":
        return
    sheet.cell(row=row + 1, column=col + 1, value=value)
