"""The xlwings-mode 自评表: the native form's layout, locking, validation and names,
its results calling the UDFs and stored as the engine computes them, its
buttons and macros, and what LibreOffice makes of it. Also the 检查本表 /
导出附件 macros, the form reader, and the CLI (`new --mode xlwings`, `addin`)."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import types
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from formcases import fill_form, make_case
from formcompare import assert_same_form, udf_cells
from golden_cases import golden_specs
from test_form_parity import form_equivalent, sheet_values

from perfeval_xl import udfs
from perfeval_xl.cli import cli
from perfeval_xl.demo import blank, load_example
from perfeval_xl.engine import score_project
from perfeval_xl.errors import FileError, FormError
from perfeval_xl.form import build_form
from perfeval_xl.form.addresses import CALC_SHEET, cell
from perfeval_xl.form.metadata import fingerprint, read_meta, workbook_cells
from perfeval_xl.kinds.self.layout import SHEET, Col
from perfeval_xl.kinds.self.plan import plan_form
from perfeval_xl.kinds.self.reader import read_ours_values
from perfeval_xl.libreoffice import PDF, convert
from perfeval_xl.profiles import load_rules
from perfeval_xl.reader.cells import GridSheet
from perfeval_xl.xlwings_macros import check, export

EXAMPLES = Path(__file__).parents[1] / "perfeval_xl" / "examples"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    root = tmp_path_factory.mktemp("xlw")
    spec = load_example("caidian-2019-quality")
    return (build_form(spec, root / "native.xlsx"), build_form(spec, root / "xlwings.xlsm", mode="xlwings"))


def _formula_cells(built: Any) -> set[str]:
    return udf_cells(built.layout)


def test_same_layout_locking_validation_and_names(pair: tuple[Any, Any]) -> None:
    native, xlw = pair
    b = assert_same_form(native.path, xlw.path, _formula_cells(xlw), {"pe_profile"})
    assert read_meta(b)["mode"] == "xlwings" and read_meta(b)["fingerprint"] == fingerprint(workbook_cells(b))


def test_results_call_the_udfs(pair: tuple[Any, Any]) -> None:
    _, xlw = pair
    ws = openpyxl.load_workbook(xlw.path)[SHEET]
    lay = xlw.layout
    for place in lay.indicators:
        r = place.row + 1
        nothing = f'{CALC_SHEET}!R{r}=""'  # no actual value or no target: "" without the call
        assert ws[f"H{r}"].value == (f'=IF(AND({nothing},OR(G{r}="",AND(ISNUMBER(G{r}),G{r}>=0))),"",'
                                     f"PE_SCORE(E{r},F{r},G{r},{CALC_SHEET}!X{r},K{r},pe_profile,pe_year))")
        assert ws[f"J{r}"].value == f'=IF({nothing},"",PE_DEVIATION_RATE(E{r},F{r},pe_profile,pe_year))'
    assert ws[cell(lay.funds["total"], Col.REASON)].value == \
        '=IF(OR(E6="",F6=""),"",PE_EXECUTION_SCORE(E6,F6,G6,pe_profile,pe_year))'

    assert "PE_EVALUATION_GRADE(pe_total,pe_profile,pe_year)" in ws[cell(lay.grade, Col.WEIGHT)].value
    wb = openpyxl.load_workbook(xlw.path)
    assert wb.defined_names["pe_profile"].attr_text == "'_meta'!$B$4" and read_meta(wb)["profile"] == "mof-2020"


def test_no_function_is_called_by_a_name_the_form_defines(pair: tuple[Any, Any]) -> None:
    """Excel names ignore case and a function call is a name: PE_GRADE( in the form
    would reach the cell named pe_grade."""
    _, xlw = pair
    wb = openpyxl.load_workbook(xlw.path)
    defined = {name.lower() for name in wb.defined_names}
    called = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    called |= {n.lower() for n in udfs.__all__ if f"{n}(" in c.value}
    assert called == {"pe_score", "pe_deviation_rate", "pe_execution_score", "pe_evaluation_grade"}
    assert not called & defined
    assert {"pe_deviation", "pe_exec_score", "pe_grade"} <= defined  # why the second names exist


def _stored(path: Path, built: Any) -> dict[str, Any]:
    grid = sheet_values(path)
    lay = built.layout

    def v(r: int, c: int) -> Any:
        return grid[r][c] if r < len(grid) and c < len(grid[r]) else None

    return {"exec": v(lay.funds["total"], Col.REASON), "total": v(lay.total, Col.SCORE),
            "grade": v(lay.grade, Col.WEIGHT), "rows": {p.row: (v(p.row, Col.SCORE), v(p.row, Col.DEVIATION))
                                                         for p in lay.indicators}}


def _same(stored: Any, engine: Any) -> bool:
    if engine is None:  # no result: empty, or the UDF's message for what blocks it
        return stored in (None, "") or (isinstance(stored, str) and stored.startswith("#错误："))
    return isinstance(stored, (int, float)) and round(float(stored), 6) == round(float(engine), 6)


def assert_stored_results(built: Any, spec: Any, name: str) -> int:
    """The results a form stores are the engine's; returns how many are messages (#错误：…)."""
    result = score_project(form_equivalent(spec))
    got = _stored(built.path, built)
    rows = {p.spec_index: p.row for p in built.layout.indicators if p.spec_index is not None}
    assert _same(got["exec"], result.execution.score), name
    assert _same(got["total"], result.total), name
    assert got["grade"] in ((result.grade or ""), None if not result.grade else result.grade), name
    errors = 0
    for index, ind in enumerate(result.indicators):
        score, deviation = got["rows"][rows[index]]
        assert _same(score, ind.score), (name, ind.spec.name, score, ind.score)
        assert _same(deviation, ind.deviation), (name, ind.spec.name, deviation, ind.deviation)
        errors += isinstance(score, str) and score.startswith("#错误：")
    return errors


def stored_result_messages(source: str, tmp_path: Path, mode: str, generated: int) -> int:
    """Build the golden or ``generated`` generated forms in ``mode`` and check their stored
    results against the engine; returns how many are messages."""
    projects = golden_specs() if source == "golden" else [(f"case{i}", make_case(i).filled_spec())
                                                          for i in range(generated)]
    suffix = ".xlsm" if mode == "xlwings" else ".xlsx"
    return sum(assert_stored_results(build_form(spec, tmp_path / f"{name}{suffix}", mode=mode), spec, name)
               for name, spec in projects)


@pytest.mark.parametrize("source", ["golden", "generated"])
def test_stored_results_are_the_engines(source: str, tmp_path: Path) -> None:
    errors = stored_result_messages(source, tmp_path, "xlwings", 120)
    if source == "generated":
        assert errors > 20  # unreadable values are shown as messages, not blanks


def test_buttons_and_code_names(pair: tuple[Any, Any]) -> None:
    _, xlw = pair
    with zipfile.ZipFile(xlw.path) as archive:
        names = archive.namelist()
        vml = "".join(archive.read(n).decode() for n in names if n.startswith("xl/drawings/vmlDrawing"))
        workbook = archive.read("xl/workbook.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "[0]!PerfevalCheck" in vml and "[0]!PerfevalExport" in vml
    assert "检查本表" in vml and "导出附件" in vml
    assert 'codeName="ThisWorkbook"' in workbook and 'codeName="Sheet1"' in sheet
    assert "xl/vbaProject.bin" in names


def test_mode_errors(tmp_path: Path) -> None:
    spec = load_example("caidian-2019-quality")
    with pytest.raises(FileError, match=r"须保存为 \.xlsm 文件，现为 a\.xlsx"):
        build_form(spec, tmp_path / "a.xlsx", mode="xlwings")
    other = load_rules("sichuan", 2023)
    with pytest.raises(FormError, match="规则须为 sichuan 在 2019 年度的取值"):
        build_form(spec, tmp_path / "a.xlsm", mode="xlwings", rules=other)


LIBREOFFICE_ERRORS = ("#VALUE!", "#NAME?", "#REF!", "#DIV/0!", "#N/A", "Err:")


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_libreoffice_opens_the_xlsm(pair: tuple[Any, Any], tmp_path: Path) -> None:
    """LibreOffice opens and prints the form with its default settings (as on a user's
    machine): it has no xlwings, so every UDF cell, spare rows' empty 得分 included, must
    show its stored result — the engine's — and none an error. Only a LibreOffice told to
    recalculate everything tries the UDFs (and shows #NAME?); its native cells still compute."""
    _, xlw = pair
    empty = build_form(blank(load_example("caidian-2019-quality")), tmp_path / "blank.xlsm", mode="xlwings")
    stored, stored_blank = convert([xlw.path, empty.path], PDF, tmp_path / "stored", recalculate=None)
    text = _pdf_text(stored)
    assert "项目支出绩效自评表" in text and "（2019年度）" in text
    assert "99.87" in text and "9.87" in text and "25.00" in text and "优" in text
    assert not [e for e in LIBREOFFICE_ERRORS if e in text], text
    text = _pdf_text(stored_blank)  # every 得分 empty: all of them recalculated by LibreOffice
    assert "项目资金未填写完整" in text and not [e for e in LIBREOFFICE_ERRORS if e in text], text
    recalculated = convert([xlw.path], PDF, tmp_path / "recalculated")[0]
    text = _pdf_text(recalculated)
    assert "项目支出绩效自评表" in text and "98.73%" in text  # native cells still compute


def test_udfs_are_skipped_only_where_they_return_nothing() -> None:
    """The IF around each UDF call gives "" without calling it when the native helpers
    say there is nothing to score; the UDF itself must return "" there, on every row of
    generated forms (blank and filled) and on odd inputs an official may type."""
    skipped = 0
    for index in range(150):
        case = make_case(index)
        for spec in (case.filled_spec(), case.blank_spec()):
            rules = (spec.profile, spec.year)
            built = plan_form(spec, load_rules(*rules), 2, "xlwings")
            for planned in built.rows:
                inp, values = planned.input, planned.values
                if values[Col.AVALUE] != "":
                    continue
                skipped += 1
                assert udfs.PE_DEVIATION_RATE(inp.target, inp.actual, *rules) == ""
                if inp.weight is None or inp.weight >= 0:  # type: ignore[operator]
                    assert udfs.PE_SCORE(inp.target, inp.actual, inp.weight, values[Col.L2], inp.qscore,
                                         *rules) == "", (case.name, inp)
    assert skipped > 5000
    rules = ("mof-2020", 2020)
    for target in ("≥95%", "达成预期指标", "0次", "", None, "无", "abc"):
        for actual in ((None, "", "无", "—") if target not in ("", None, "无") else (5.0, "约200", "达成", None)):
            for weight in (None, 0.0, 5.0):
                for qscore in (None, 3.0):
                    assert udfs.PE_SCORE(target, actual, weight, "数量指标", qscore, *rules) == ""
                    assert udfs.PE_DEVIATION_RATE(target, actual, *rules) == ""


def test_empty_results_are_stored_as_text(pair: tuple[Any, Any]) -> None:
    """A formula whose result is "" is stored as Excel stores it (t="str", empty value):
    without the type LibreOffice takes the cell for one never calculated and recalculates
    the UDF it cannot run."""
    native, xlw = pair
    for built in (native, xlw):
        with zipfile.ZipFile(built.path) as archive:
            sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        spare = next(p.row for p in built.layout.indicators if p.spec_index is None)
        found = re.search(rf'<c r="{cell(spare, Col.SCORE)}" s="\d+"( t="str")?><f>[^<]*</f><v></v></c>', sheet)
        assert found and found.group(1) == ' t="str"', built.path.name
        empty = sheet.count("<v></v>")
        assert empty > 20 and len(re.findall(r't="str"><f>[^<]*</f><v></v>', sheet)) == empty


def test_reader_gives_the_engine_the_filled_form(tmp_path: Path) -> None:
    for index in range(60):
        case = make_case(index)
        built = build_form(case.blank_spec(), tmp_path / f"b{index}.xlsm", mode="xlwings")
        filled = tmp_path / f"f{index}.xlsx"
        fill_form(built, case, filled)
        form = read_ours_values({SHEET: GridSheet(SHEET, sheet_values(filled), [])},
                                read_meta(openpyxl.load_workbook(filled)), str(filled))
        spec = form.spec
        got, want = score_project(spec), score_project(form_equivalent(case.filled_spec()))
        assert (got.total, got.grade, got.execution.score, got.status()) == \
            (want.total, want.grade, want.execution.score, want.status()), case.name
        assert {i.spec.name: (i.score, i.deviation) for i in got.indicators} == \
            {i.spec.name: (i.score, i.deviation) for i in want.indicators}
    found = score_project(spec).all_findings()
    assert any(f.location and f.location.startswith(f"{SHEET}!") for f in found)


class FakeBook:
    """What check()/export() use of an xlwings Book, over a file read with openpyxl."""

    def __init__(self, path: Path) -> None:
        self.fullname, self.name = str(path), path.name
        self.alerts: list[tuple[str, str]] = []
        self.saved = 0
        wb = openpyxl.load_workbook(path)
        grids = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
        grids[SHEET] = sheet_values(path)
        self.sheets = {title: types.SimpleNamespace(used_range=_Range(grid)) for title, grid in grids.items()}
        self.app = types.SimpleNamespace(alert=lambda text, title: self.alerts.append((title, text)))

    def save(self) -> None:
        self.saved += 1


class _Range:
    def __init__(self, grid: list[list[Any]]) -> None:
        self.value = grid

    def options(self, **_: Any) -> _Range:
        return self


def test_check_button_shows_the_findings(tmp_path: Path) -> None:
    spec = load_example("donghu-2018-business-admin")
    built = build_form(spec, tmp_path / "d.xlsm", mode="xlwings")
    book = FakeBook(built.path)
    message = check(book)
    assert book.alerts == [("检查本表", message)]
    assert message.startswith("总分 99.79，评价等级 优。错误 1 条")
    assert "[错误] 第 " in message and "“全年案件结案率”（自评表!I" in message
    blank_form = build_form(blank(spec), tmp_path / "blank.xlsm", mode="xlwings")
    message = check(FakeBook(blank_form.path))
    assert "尚未填写完整，暂不定级" in message and "……另有" in message
    report = (tmp_path / "blank-检查结果.txt").read_text(encoding="utf-8")
    assert report.count("\n[") == 21 and report.count("[错误]") == 12  # every finding, not only the 15 shown


def test_export_button_writes_the_attachments(tmp_path: Path) -> None:
    built = build_form(load_example("caidian-2019-quality"), tmp_path / "表.xlsm", mode="xlwings")
    book = FakeBook(built.path)
    message = export(book)
    assert message == f"已导出：\n{tmp_path / '表.pdf'}\n{tmp_path / '表-数值.xlsx'}"
    assert (tmp_path / "表.pdf").stat().st_size > 10000 and (tmp_path / "表-数值.xlsx").exists()
    assert book.saved == 1


def test_export_button_with_the_export_library(pair: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    _, xlw = pair
    calls = []

    def export_form(form: Path, *, pdf: Path, values: Path) -> Any:
        calls.append((form, pdf, values))
        return types.SimpleNamespace(pdf=pdf, values=values, report=None)

    monkeypatch.setitem(sys.modules, "perfeval_xl.export", types.SimpleNamespace(export_form=export_form))
    book = FakeBook(xlw.path)
    message = export(book)
    form = Path(xlw.path)
    assert calls == [(form, form.with_suffix(".pdf"), form.with_name("xlwings-数值.xlsx"))]
    assert book.saved == 1 and message == f"已导出：\n{form.with_suffix('.pdf')}\n{form.with_name('xlwings-数值.xlsx')}"


def test_cli_new_xlwings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["new", str(EXAMPLES / "caidian-2019-quality.yaml"), "--mode", "xlwings"],
                           prog_name="perfeval-xl")
    assert result.exit_code == 0, result.output
    assert result.stdout == "已生成 质量技术监督专项经费.xlsm（5 个指标，规则 mof-2020）\n"
    assert (tmp_path / "质量技术监督专项经费.xlsm").exists()
    bad = runner.invoke(cli, ["new", str(EXAMPLES / "caidian-2019-quality.yaml"), "--mode", "xlwings",
                              "-o", "x.xlsx"])
    assert bad.exit_code == 2 and "须保存为 .xlsm 文件" in bad.stderr


def test_cli_new_xlwings_without_xlwings(tmp_path: Path) -> None:
    """`new --mode xlwings` where the optional xlwings package is missing (made unimportable
    in a child process): the install command, exit 2, no traceback, no file."""
    from test_batch import NO_XLWINGS, WITHOUT_XLWINGS

    out = tmp_path / "表.xlsm"
    proc = subprocess.run([sys.executable, "-c", WITHOUT_XLWINGS, "new", str(EXAMPLES / "caidian-2019-quality.yaml"),
                           "--mode", "xlwings", "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", NO_XLWINGS)
    assert not out.exists()
    native = subprocess.run([sys.executable, "-c", WITHOUT_XLWINGS, "new", str(EXAMPLES / "caidian-2019-quality.yaml"),
                             "-o", str(tmp_path / "表.xlsx")], capture_output=True, text=True, timeout=120)
    assert native.returncode == 0 and (tmp_path / "表.xlsx").exists(), native.stderr  # native needs no xlwings


def test_cli_addin_without_excel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import perfeval_xl.addin as addin

    monkeypatch.setattr(addin, "user_config_path", lambda: tmp_path / "xlwings.conf")
    runner = CliRunner()
    dry = runner.invoke(cli, ["addin", "install", "--dry-run"], prog_name="perfeval-xl")
    assert dry.exit_code == 0
    assert f'在 {tmp_path / "xlwings.conf"} 中设置 "UDF MODULES" = "perfeval_xl.udfs"' in dry.stdout
    assert "信任对 VBA 工程对象模型的访问" in dry.stdout
    real = runner.invoke(cli, ["addin", "install"], prog_name="perfeval-xl")
    assert real.exit_code == 2 and "将要：" in real.stdout
    assert real.stderr.startswith("错误：本机不是 Windows，没有可安装加载项的 Excel")
    assert not (tmp_path / "xlwings.conf").exists()
    status = runner.invoke(cli, ["addin", "status"], prog_name="perfeval-xl")
    assert status.exit_code == 0 and "UDF Modules：未设置" in status.stdout and "PE_SCORE" in status.stdout


def test_config_update_keeps_other_settings() -> None:
    from perfeval_xl.addin import read_config, updated_config

    old = '"INTERPRETER_WIN","C:\\old\\python.exe"\n"LICENSE_KEY","abc"\n\n"UDF Modules","mymodule"\n'
    new = updated_config(old, {"UDF MODULES": "perfeval_xl.udfs", "INTERPRETER_WIN": "C:\\py\\python.exe"})
    assert read_config(new) == {"LICENSE_KEY": "abc", "UDF MODULES": "perfeval_xl.udfs",
                                "INTERPRETER_WIN": "C:\\py\\python.exe"}
    assert new.count("UDF") == 1


def test_native_forms_are_untouched_by_the_mode_machinery(tmp_path: Path) -> None:
    spec = dataclasses.replace(load_example("caidian-2019-quality"))
    built = build_form(spec, tmp_path / "n.xlsx")
    with zipfile.ZipFile(built.path) as archive:
        assert "xl/vbaProject.bin" not in archive.namelist()
    assert "PE_" not in "".join(str(c.value) for row in openpyxl.load_workbook(built.path)[SHEET].iter_rows()
                                 for c in row)
