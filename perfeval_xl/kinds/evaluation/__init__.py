"""The 项目支出绩效评分表 of 部门评价 / 财政评价 (form kind ``evaluation``).

The sheet departments and finance bureaus score a project on (seeds 000 and 001): 一级 决策 / 过程 /
产出 / 效益 (/ 满意度), 二级 and 三级 指标, 分值, 评分标准, 得分 and 得分依据, 100 points. Its parts:

- :mod:`.spec` — the spec (``kind: evaluation``) and its strict reader;
- :mod:`.profile` — the rules as dated data (``workbook_templates/profiles/evaluation/``);
- :mod:`.criteria` — what a 评分标准 text says that can be checked;
- :mod:`.scoring` — the rule this kind adds (a score from the amounts);
- :mod:`.engine` — the scoring of a sheet: rows, blocks, total, grade, findings, JSON;
- :mod:`.render` — the result as a terminal table;
- the form: :mod:`.layout` (where everything sits), :mod:`.plan` (what goes where), :mod:`.formulas`
  and their Python twin :mod:`.model`, the writer parts :mod:`.header`, :mod:`.table`, :mod:`.summary`,
  :mod:`.params` behind :func:`.writer.build_evaluation_form` (reached from
  :func:`perfeval_xl.form.build_form`), the reader :mod:`.reader`, the exports :mod:`.export` and
  :mod:`.report`.
"""

from __future__ import annotations

from pathlib import Path

from .engine import EvaluationResult, score_evaluation, status_text, to_dict
from .render import evaluation_text
from .spec import EvaluationSpec, evaluation_spec_from_data, evaluation_spec_from_text, load_evaluation_spec

__all__ = [
    "EvaluationResult",
    "EvaluationSpec",
    "evaluate_file",
    "evaluation_spec_from_data",
    "evaluation_spec_from_text",
    "evaluation_text",
    "load_evaluation_spec",
    "score_evaluation",
    "status_text",
    "to_dict",
]


def evaluate_file(path: str | Path) -> EvaluationResult:
    """Score a 评分表: a spec file, or a filled 评分表 form of ours (read through its layout, with
    its integrity and the results it shows checked)."""
    from ...inputs import SPEC_SUFFIXES

    if Path(path).suffix.lower() in SPEC_SUFFIXES:
        return score_evaluation(load_evaluation_spec(path))
    from .reader import evaluate_form

    return evaluate_form(path)
