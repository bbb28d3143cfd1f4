"""The consolidation over form kinds (issue 14): returned 评分表 forms are read by their kind and
listed in their own 评分表汇总 sheet, with the 评分表's blocks (决策 … 满意度) and 评价方式; the
自评表 stay in 汇总 as before; 问题清单 says which kind of form each problem is in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from perfeval_xl.consolidate import consolidate
from perfeval_xl.demo import load_example
from perfeval_xl.form import build_form
from perfeval_xl.kinds import get_kind
from perfeval_xl.kinds.evaluation import score_evaluation
from perfeval_xl.kinds.evaluation.spec import load_evaluation_example


def rows_by_title(sheet: Any) -> list[dict[str, Any]]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
            if row[0] is not None and not str(row[0]).startswith("合计")]


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("kinds")
    build_form(load_example("caidian-2019-quality"), root / "回收" / "自评表.xlsx")
    build_form(load_evaluation_example("nanchang-2020-work-funds"), root / "回收" / "评分表.xlsx")
    done = consolidate([str(root / "回收")], root / "汇总.xlsx", jobs=1)
    return openpyxl.load_workbook(done.output)


def test_each_kind_has_its_summary_sheet(review: Any) -> None:
    evaluation = get_kind("evaluation")
    assert "汇总" in review.sheetnames and evaluation.summary_sheet in review.sheetnames
    [own] = rows_by_title(review["汇总"])
    assert own["项目名称"] == "质量技术监督专项经费" and own["总分"] == 99.87 and own["等级"] == "优"
    [scored] = rows_by_title(review[evaluation.summary_sheet])
    want = score_evaluation(load_evaluation_example("nanchang-2020-work-funds"))
    assert (scored["项目名称"], scored["总分"], scored["等级"]) == (want.spec.project, 90.33, "优")
    assert want.total == Decimal("90.33")
    blocks = {block.level1: float(block.score) for block in want.blocks}
    assert {name: scored[name] for name in blocks} == blocks
    assert round(sum(scored[b.title] or 0 for b in evaluation.blocks), 2) == 90.33
    assert "执行率得分" not in scored  # a 评分表 counts 预算执行率 in its 过程 block


def test_problems_and_details_name_the_kind_of_form(review: Any) -> None:
    problems = [row for row in rows_by_title(review["问题清单"]) if row["表"] == "评分表"]
    # seed 000's judgement rows scored below their weight with no 得分依据, at their 得分 cell
    assert {"basis-missing", "score-off-criteria"} <= {row["代码"] for row in problems}
    assert any(row["单元格"] == "评分表!G26" and "得分 1.4 低于分值 2" in row["问题"] for row in problems)
    [scored] = rows_by_title(review[get_kind("evaluation").summary_sheet])
    assert scored["警告"] == len([row for row in problems if row["严重程度"] == "警告"])
    details = [row for row in rows_by_title(review["指标明细"]) if row["表"] == "评分表"]
    want = score_evaluation(load_evaluation_example("nanchang-2020-work-funds"))
    assert len(details) == len(want.indicators)
    assert round(sum(row["得分"] for row in details), 2) == 90.33
