"""The 项目支出绩效评分表 as a form kind (:class:`perfeval_xl.kinds.FormKind`): what the commands,
the readers, the batch and the consolidation reach it through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...naming import safe_filename
from .. import EVALUATION, SHEETS, Block, FormKind
from .engine import EvaluationResult, score_evaluation, to_dict
from .layout import READABLE_VERSIONS, TEMPLATE_VERSION
from .render import evaluation_text
from .spec import EvaluationSpec, load_evaluation_spec
from .writer import MODE, SUFFIX, build_evaluation_form


def _default_name(spec: EvaluationSpec, mode: str) -> str:
    return safe_filename(spec.project) + "-评分表" + SUFFIX


def _read_form(path: Path, key: Any = None) -> EvaluationResult:
    from .reader import read_evaluation_form

    return read_evaluation_form(path, key).score()


def _read_values(sheets: dict[str, Any], meta: dict[str, str], source: str, key: Any = None,
                 xml: bytes | None = None) -> Any:  # xml: the sheet's part (the 自评表 reads its formulas)
    from .reader import read_evaluation_values

    return read_evaluation_values(sheets, meta, source, key)


def _export(form: Path, **options: Any) -> Any:
    from ...export import export_form

    return export_form(form, **options)


def _fit_rows(workbook: Any) -> None:
    from .export import fit_rows

    fit_rows(workbook)


def _prepare_print(workbook: Any) -> None:
    from .export import prepare_print

    prepare_print(workbook)


def _write_report(result: Any, dest: Path) -> Path:
    from .report import write_evaluation_report

    return write_evaluation_report(result, dest)


def _record(result: EvaluationResult) -> dict[str, Any]:
    from ...consolidate.worker import evaluation_record

    return evaluation_record(result)


KIND = FormKind(
    name=EVALUATION,
    label="项目支出绩效评分表",
    sheet=SHEETS[EVALUATION],
    template_version=TEMPLATE_VERSION,
    readable_versions=READABLE_VERSIONS,
    spec_type=EvaluationSpec,
    result_type=EvaluationResult,
    modes={MODE: SUFFIX},
    load_spec=load_evaluation_spec,
    score=score_evaluation,
    build=build_evaluation_form,
    default_name=_default_name,
    read_form=_read_form,
    read_values=_read_values,
    export=_export,
    fit_rows=_fit_rows,
    prepare_print=_prepare_print,
    write_report=_write_report,
    to_json=to_dict,
    text=evaluation_text,
    record=_record,
    # the 一级指标 of the 共性指标 framework (workbook_templates/profiles/evaluation/mof-2020.yaml)
    blocks=tuple(Block(name, name) for name in ("决策", "过程", "产出", "效益", "满意度")),
    summary_sheet="评分表汇总",
    fund_titles=("预算资金（万元）", "执行数（万元）"),
    extra_columns=(("evaluation_type", "评价方式"),),
    execution_score=False,
    spare_rows=False,
    locked_content="指标名称、评分标准、分值、年度指标值",
    locked_cells="分值、评分标准、公式",
)
