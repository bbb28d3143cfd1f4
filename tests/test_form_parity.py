"""The form computes what the engine computes: forms filled as an official would,
recalculated by LibreOffice, read back and compared with ``perfeval-xl score`` on
the same data — every golden case and 500 generated projects, to the cent."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from formcases import Case, fill_form, make_case
from golden_cases import golden_specs
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from perfeval_xl.engine import ProjectResult, score_project, status_text
from perfeval_xl.form import build_form
from perfeval_xl.form.addresses import CALC_SHEET
from perfeval_xl.kinds.self.layout import SHEET, Col, FormLayout, sheet_of
from perfeval_xl.kinds.self.model import RowInput, row_values
from perfeval_xl.kinds.self.plan import funds_for_form, plan_form
from perfeval_xl.libreoffice import recalculate
from perfeval_xl.profiles import load_rules
from perfeval_xl.spec import FundsRow, ProjectSpec

GENERATED = 500


def form_equivalent(spec: ProjectSpec) -> ProjectSpec:
    """The spec as the form holds it: 年度资金总额 is the sum of the three rows."""
    rows, _ = funds_for_form(spec)
    funds = {key: FundsRow(**cols) for key, cols in rows.items()}
    return dataclasses.replace(spec, funds=funds)


def sheet_values(path: Path, sheet: str = SHEET) -> list[list[Any]]:
    """The values of a sheet (python-calamine: results as last calculated)."""
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def read_form(path: Path, layout: FormLayout) -> dict[str, Any]:
    grid = sheet_values(path)

    def v(row: int, col: int) -> Any:
        try:
            return grid[row][col]
        except IndexError:
            return None

    ex = layout.funds["total"]
    return {
        "exec_rate": v(ex, Col.SCORE), "exec_score": v(ex, Col.REASON),
        "weight_total": v(layout.total, Col.WEIGHT), "total": v(layout.total, Col.SCORE),
        "grade": v(layout.grade, Col.WEIGHT), "status": v(layout.status, Col.LEVEL2),
        "rows": {p.row: (v(p.row, Col.SCORE), v(p.row, Col.DEVIATION)) for p in layout.indicators},
    }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _same(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return round(float(a), 6) == round(float(b), 6)
    return bool(a == b)


def compare(result: ProjectResult, form: dict[str, Any], rows: list[int]) -> list[str]:
    """Differences between the engine's result and the recalculated form."""
    diffs = []
    ex = result.execution
    expected = {
        "exec_rate": _num(ex.rate), "exec_score": _num(ex.score),
        "weight_total": _num(result.weight_total), "total": _num(result.total),
        "grade": result.grade or "", "status": status_text(result),
    }
    for key, want in expected.items():
        if not _same(form[key], want):
            diffs.append(f"{key}: form {form[key]!r}, engine {want!r}")
    for ind, row in zip(result.indicators, rows, strict=True):
        score, deviation = form["rows"][row]
        if not _same(score, _num(ind.score)):
            diffs.append(f"row {row + 1} {ind.spec.name} score: form {score!r}, engine {ind.score}")
        if not _same(deviation, _num(ind.deviation)):
            diffs.append(f"row {row + 1} {ind.spec.name} deviation: form {deviation!r}, engine {ind.deviation}")
    return diffs


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Case, Any, Path]]:
    root = tmp_path_factory.mktemp("parity")
    items = []
    for index in range(GENERATED):
        case = make_case(index)
        built = build_form(case.blank_spec(), root / "blank" / f"case_{index:03d}.xlsx")
        filled = root / "filled" / f"case_{index:03d}.xlsx"
        filled.parent.mkdir(exist_ok=True)
        fill_form(built, case, filled)
        items.append((case, built, filled))
    outputs = recalculate([f for _, _, f in items], root / "recalculated")
    return [(case, built, out) for (case, built, _), out in zip(items, outputs, strict=True)]


def test_generated_forms_equal_the_engine(generated: list[tuple[Case, Any, Path]]) -> None:
    failures = []
    kinds = {"typed": 0, "qualitative": 0, "reason": 0, "rows": 0, "execution-low": 0}
    for case, built, path in generated:
        result = score_project(form_equivalent(case.filled_spec()))
        rows = [r.sheet_row for r in case.rows]
        diffs = compare(result, read_form(path, built.layout), rows)  # type: ignore[arg-type]
        if diffs:
            failures.append(f"{case.name} ({path.name}): " + "; ".join(diffs[:4]))
        kinds["rows"] += len(case.rows)
        kinds["typed"] += sum(r.typed for r in case.rows)
        kinds["qualitative"] += sum(1 for i in result.indicators if i.band is not None)
        kinds["reason"] += sum(1 for i in result.indicators if i.reason_required)
        kinds["execution-low"] += any(f.code == "execution-low" for f in result.findings)
    assert not failures, f"{len(failures)} of {len(generated)} forms differ:\n" + "\n".join(failures[:20])
    # the generator really exercises what it claims to
    assert kinds["rows"] > 3000 and kinds["typed"] > 300 and kinds["qualitative"] > 300
    assert kinds["reason"] > 500
    assert kinds["execution-low"] > 20  # sichuan's 90% line (formcases.PROFILES), in the status line


def test_twin_status_line_equals_the_engine() -> None:
    """The status line the form carries (model.py) is the engine's, execution line included;
    with the LibreOffice comparison above, formulas, twin and engine agree."""
    lines = 0
    for index in range(GENERATED):
        spec = make_case(index).filled_spec()
        plan = plan_form(spec, load_rules(spec.profile, spec.year))
        want = status_text(score_project(form_equivalent(spec)))
        assert plan.project["status"] == want, (spec.project, plan.project["status"], want)
        lines += "预算执行率低于 90%" in want
    assert lines > 20


@pytest.fixture(scope="module")
def golden_forms(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, ProjectSpec, Any, Path]]:
    root = tmp_path_factory.mktemp("golden")
    items = []
    for name, spec in golden_specs():
        built = build_form(spec, root / "built" / f"{name}.xlsx")
        items.append((name, spec, built))
    outputs = recalculate([b.path for _, _, b in items], root / "recalculated")
    return [(n, s, b, out) for (n, s, b), out in zip(items, outputs, strict=True)]


def test_golden_forms_show_the_engine_results(golden_forms: list[Any]) -> None:
    for name, spec, built, path in golden_forms:
        result = score_project(form_equivalent(spec))
        rows = {p.spec_index: p.row for p in built.layout.indicators if p.spec_index is not None}
        diffs = compare(result, read_form(path, built.layout), [rows[i] for i in range(len(spec.indicators))])
        assert not diffs, f"{name}: {diffs}"


def test_seed_003_form_after_libreoffice(golden_forms: list[Any]) -> None:
    _, _, built, path = next(item for item in golden_forms if item[0] == "caidian_2019_quality")
    form = read_form(path, built.layout)
    assert (form["exec_rate"], form["exec_score"], form["total"], form["grade"]) == (0.9873, 9.87, 99.87, "优")
    assert form["status"] == "已填写完整"


def test_cached_results_are_what_libreoffice_computes(golden_forms: list[Any]) -> None:
    """Every formula cell's stored result (for viewers that do not recalculate) is right."""
    checked = 0
    for _, _, built, recalculated in golden_forms:
        stored = openpyxl.load_workbook(built.path, data_only=True)
        formulas = openpyxl.load_workbook(built.path)
        fresh = openpyxl.load_workbook(recalculated, data_only=True)
        for ws in formulas.worksheets:
            if ws.title == "_meta":
                continue
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value.startswith("="):
                        a, b = stored[ws.title][c.coordinate].value, fresh[ws.title][c.coordinate].value
                        assert _same(a, b), f"{built.path.name} {ws.title}!{c.coordinate}: stored {a!r}, LibreOffice {b!r}"
                        checked += 1
    assert checked > 4000


def test_python_twin_equals_libreoffice_on_every_helper_cell(generated: list[Any]) -> None:
    """The Python twin of the formulas (model.py) agrees with LibreOffice on filled forms,
    including the target-parsing columns of indicators typed into spare rows."""
    checked = 0
    for case, built, recalculated in generated:
        filled = recalculated.parent.parent / "filled" / recalculated.name
        inputs = sheet_values(filled)
        fresh = {name: sheet_values(recalculated, name) for name in (SHEET, CALC_SHEET)}

        def value(grid: list[list[Any]], r: int, c: int) -> Any:
            try:
                found = grid[r][c]
            except IndexError:
                return None
            return None if found == "" else found

        for planned in built.plan.rows:
            r = planned.row
            row_input = RowInput(
                planned.input.level1, planned.input.level2,
                *(value(inputs, r, c) for c in (Col.NAME, Col.TARGET, Col.ACTUAL, Col.WEIGHT,
                                                Col.REASON, Col.QSCORE)),
                declared=planned.input.declared)
            for col, want in row_values(row_input, built.plan.params).items():
                got = value(fresh[sheet_of(col)], r, col)
                assert _same(got, want), (f"{case.name} row {r + 1} {xl_col_to_name(col)}: "
                                          f"LibreOffice {got!r}, twin {want!r}")
                checked += 1
    assert checked > 300000
