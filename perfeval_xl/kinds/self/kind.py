"""The 项目支出绩效自评表 as a form kind (:class:`perfeval_xl.kinds.FormKind`): what the commands,
the readers, the batch and the consolidation reach it through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...engine import ProjectResult, score_project, to_dict
from ...naming import safe_filename
from ...render import result_text
from ...spec import ProjectSpec, load_spec
from .. import SELF, SHEETS, Block, FormKind
from .layout import READABLE_VERSIONS, TEMPLATE_VERSION
from .writer import SUFFIXES, build_self_form


def _default_name(spec: ProjectSpec, mode: str) -> str:
    return safe_filename(spec.project) + SUFFIXES[mode]


def _read_form(path: Path, key: Any = None) -> ProjectResult:
    from ...reader import evaluate

    [result] = evaluate(path, sheet=SHEETS[SELF], key=key)
    found: ProjectResult = result
    return found


def _read_values(sheets: dict[str, Any], meta: dict[str, str], source: str, key: Any = None,
                 xml: bytes | None = None) -> Any:
    from ...reader import ReadProject
    from .reader import read_ours_values

    form = read_ours_values(sheets, meta, source, key, xml)
    return ReadProject(form.spec, "perfeval-xl", SHEETS[SELF], form.findings, form)


def _export(form: Path, **options: Any) -> Any:
    from ...export import export_form

    return export_form(form, **options)


def _fit_rows(workbook: Any) -> None:
    from .printable import fit_rows

    fit_rows(workbook)


def _prepare_print(workbook: Any) -> None:
    from .printable import prepare_print

    prepare_print(workbook)


def _write_report(result: Any, dest: Path) -> Path:
    from .report import write_report

    return write_report(result, dest)


def _record(result: ProjectResult) -> dict[str, Any]:
    from ...consolidate.worker import self_record

    return self_record(result)


KIND = FormKind(
    name=SELF,
    label="项目支出绩效自评表",
    sheet=SHEETS[SELF],
    template_version=TEMPLATE_VERSION,
    readable_versions=READABLE_VERSIONS,
    spec_type=ProjectSpec,
    result_type=ProjectResult,
    modes=dict(SUFFIXES),
    load_spec=load_spec,
    score=score_project,
    build=build_self_form,
    default_name=_default_name,
    read_form=_read_form,
    read_values=_read_values,
    export=_export,
    fit_rows=_fit_rows,
    prepare_print=_prepare_print,
    write_report=_write_report,
    to_json=to_dict,
    text=result_text,
    record=_record,
    blocks=(Block("产出指标", "产出指标得分"), Block("效益指标", "效益指标得分"), Block("满意度指标", "满意度指标得分")),
    summary_sheet="汇总",
)
