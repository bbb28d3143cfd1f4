"""Generated 评分表 cases for the form tests.

Each case is a 评分表 as it is sent to the evaluator (the rows, 分值, 评分标准 and targets), plus
what the evaluator then types: the amounts (numbers, or text with a unit of money, sometimes
missing or unreadable), the judgement scores (in range, sometimes blank, above the 分值, negative,
off the ladder their 评分标准 lists), the actual values of the rows scored against a target
(numbers, percentages as text, amounts in the target's unit, ratings of qualitative targets with
their scores, sometimes blank or unreadable), a 分值 the spec left out, and 得分依据. Deterministic:
a seeded random generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from perfeval_xl.kinds.evaluation.layout import ECol, EvaluationLayout
from perfeval_xl.kinds.evaluation.spec import EvaluationSpec, Funds, Row

LEVELS = [("决策", "项目立项"), ("决策", "绩效目标"), ("决策", "资金投入"), ("过程", "资金管理"), ("过程", "组织实施"),
          ("产出", "产出数量"), ("产出", "产出质量"), ("产出", "产出时效"), ("产出", "产出成本"),
          ("效益", "社会效益"), ("效益", "经济效益"), ("效益", "可持续影响"), ("满意度", "服务对象满意度")]
CRITERIA = [
    "1、是否符合规定（1分）\n2、是否经过集体决策（1分）",
    "完成得满分，否则按比例扣分",
    "是则得分",
    "正确得满分，否则不得分",
    "持久，得满分；一般，得80分；较短暂，得70分；短暂，得60分。",
    "各县区均覆盖得满分，否则相应扣分",
    "",
]
# (target, actuals the evaluator may type): percentages, units, lower-is-better, qualitative
TARGETS: list[tuple[str, list[object]]] = [
    ("≥90%", [0.85, 0.9, 0.97, "85%", "92.5%", 0.5]),
    ("≥95%", [0.951, 0.9, "100%", 0.0]),
    ("≥26场", [26, 20, "24场", 30]),
    ("≤420元/次", [400, 450, "430元/次", 900]),
    ("100%", [1, 0.98, "99%"]),
    ("0次", [0, 1, "0次"]),
]
UNREADABLE_ACTUALS = [None, "约90%", "二十场"]  # blank, or no exact number: the row is not scored
QUALITATIVE = ("达成预期指标", ["达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差", "达成",
                           "部分达成"])
MONEY = ["{v}万元", "{y}元", "{z}亿元", "{v}"]


@dataclass
class CaseRow:
    """A row of a case: as sent, and what the evaluator types."""

    level1: str
    level2: str
    name: str
    weight: Decimal | None  # None: the spec leaves it out, the evaluator types ``typed_weight``
    criteria: str = ""
    rule: str | None = None
    target: str | None = None
    typed_weight: float | None = None
    score: object = None  # a judgement score, or a qualitative target row's pick
    actual: object = None
    basis: str = ""


@dataclass
class EvaluationCase:
    name: str
    rows: list[CaseRow]
    funds: dict[str, object] = field(default_factory=dict)  # typed amounts (numbers or texts)

    def blank_spec(self) -> EvaluationSpec:
        """The spec the form is generated from."""
        rows = tuple(Row(level1=r.level1, level2=r.level2, name=r.name, weight=r.weight, criteria=r.criteria,
                         rule=r.rule, target=r.target, where=f"第 {i + 1} 个指标")
                     for i, r in enumerate(self.rows))
        return EvaluationSpec(year=2020, project=self.name, department="测试局", unit="测试中心",
                              evaluation_type="部门评价", indicators=rows)


def _weights(count: int, rnd: random.Random) -> list[Decimal]:
    """Weights adding to 100 (halves allowed), each at least 1."""
    cuts = sorted(rnd.sample(range(2, 200), count - 1))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 200], strict=True)]
    weights = [Decimal(max(p, 2)) / 2 for p in parts]
    weights[-1] += Decimal(100) - sum(weights, Decimal(0))
    if weights[-1] < 1:
        return _weights(count, rnd)
    return weights


def make_case(index: int) -> EvaluationCase:
    rnd = random.Random(14_000 + index)
    clean = rnd.random() < 0.5  # every input valid: a complete sheet with a grade
    count = rnd.randint(8, 18)
    weights = _weights(count, rnd)
    if rnd.random() < 0.1:
        weights[0] += 5  # 分值合计 105
    rows: list[CaseRow] = []
    rules = rnd.sample(["arrival", "execution"], rnd.choice([0, 1, 2, 2, 2]))
    for position in range(count):
        level1, level2 = LEVELS[min(position * len(LEVELS) // count, len(LEVELS) - 1)]
        weight: Decimal | None = weights[position]
        row = CaseRow(level1, level2, f"指标{position + 1}", weight, rnd.choice(CRITERIA))
        kind = rnd.random()
        if (rules and level1 == "过程") or (rules and position == count // 3):
            row.rule = rules.pop()
            row.criteria = "按比例扣分"
        elif kind < 0.3:
            target, actuals = rnd.choice(TARGETS)
            row.target, row.actual = target, rnd.choice(actuals + ([] if clean else UNREADABLE_ACTUALS))
            row.criteria = "完成得满分，否则按比例扣分"
        elif kind < 0.4:
            row.target, actuals = QUALITATIVE
            row.actual = rnd.choice(actuals + ([] if clean else [None, "不知道"]))
            if row.actual in ("部分达成年度指标并具有一定效果", "部分达成"):
                row.score = float(round(float(weight) * rnd.choice([0.6, 0.7, 0.79] + ([] if clean else [0.85])), 2))
            elif row.actual in ("未达成年度指标且效果较差",) and (clean or rnd.random() < 0.7):
                row.score = float(round(float(weight) * rnd.choice([0.1, 0.5]), 2))
        else:
            row.score = _judgement(row, float(weight), rnd, clean)
        if rnd.random() < 0.07:
            row.weight, row.typed_weight = None, float(weight) if clean or rnd.random() < 0.8 else None
        if rnd.random() < 0.3:
            row.basis = rnd.choice(["经核查，资料齐全", "部分资料未及时归档", "问卷调查结果"])
        rows.append(row)
    funds: dict[str, object] = {}
    budget = round(rnd.uniform(50, 5000), 2)
    for key, share in (("budget", 1.0), ("arrived", rnd.choice([1.0, 1.0, 0.9, 1.05])),
                       ("executed", rnd.uniform(0.3, 1.1))):
        amount = round(budget * share, 2)
        roll = rnd.random() + (0.15 if clean else 0)
        if roll < 0.07:
            continue  # left blank
        if roll < 0.14:
            funds[key] = "约" + str(amount)
        elif roll < 0.4:
            text = rnd.choice(MONEY).format(v=amount, y=round(amount * 10000), z=round(amount / 10000, 6))
            funds[key] = text
        else:
            funds[key] = amount
    return EvaluationCase(f"测试评分表{index:03d}", rows, funds)


def _judgement(row: CaseRow, weight: float, rnd: random.Random, clean: bool) -> object:
    roll = rnd.random() + (0.12 if clean else 0)
    if roll < 0.06:
        return None
    if roll < 0.1:
        return weight + rnd.choice([0.5, 1])  # above the 分值
    if roll < 0.12:
        return -1
    if "持久" in row.criteria and roll < 0.6:
        return round(weight * rnd.choice([1, 0.8, 0.7, 0.6]), 2)
    if roll < 0.5:
        return weight
    return round(rnd.uniform(0, weight), rnd.choice([0, 1, 2, 3]))


def fill_form(layout: EvaluationLayout, case: EvaluationCase, source: Path, dest: Path) -> None:
    """Type the evaluator's inputs into a generated form with openpyxl, as a user would."""
    workbook = openpyxl.load_workbook(source)
    sheet = workbook["评分表"]
    for place, row in zip(layout.rows, case.rows, strict=True):
        _put(sheet, place.row, ECol.WEIGHT, row.typed_weight)
        _put(sheet, place.row, ECol.BASIS, row.basis)
        if row.target is not None:
            _put(sheet, place.row, ECol.ACTUAL, row.actual)
            _put(sheet, place.row, ECol.QSCORE, row.score)
        elif row.rule is None:
            _put(sheet, place.row, ECol.SCORE, row.score)
    for key, value in case.funds.items():
        row, col = layout.fund_cell(key)
        _put(sheet, row, col, value)
    workbook.save(dest)


def _put(sheet: Any, row: int, col: int, value: object) -> None:
    if value is None or value == "":
        return
    sheet.cell(row=row + 1, column=col + 1, value=value)


__all__ = ["EvaluationCase", "Funds", "fill_form", "make_case"]
