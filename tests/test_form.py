"""The generated 自评表: its contract (defined names, metadata), locking, validation,
print setup and the errors of ``build_form``, read back with openpyxl."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.workbook.protection import hash_password
from xlsxwriter.worksheet import Worksheet

from perfeval_xl.cli import cli
from perfeval_xl.demo import blank, load_example
from perfeval_xl.errors import FormError, InputError
from perfeval_xl.form import build_form
from perfeval_xl.form.addresses import CALC_SHEET, cell
from perfeval_xl.form.metadata import fingerprint, read_meta, workbook_cells
from perfeval_xl.form.protection import legacy_hash
from perfeval_xl.kinds.self.layout import SHEET, Col
from perfeval_xl.profiles import load_rules

FIXED = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def caidian(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("form") / "caidian.xlsx"
    built = build_form(blank(load_example("caidian-2019-quality")), path, generated_at=FIXED)
    return built, openpyxl.load_workbook(path)


def destination(wb: openpyxl.Workbook, name: str) -> str:
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return f"{sheet}!{ref.replace('$', '')}"


def test_defined_names_are_the_contract(caidian) -> None:  # type: ignore[no-untyped-def]
    built, wb = caidian
    layout = built.layout
    first, last = layout.first_indicator + 1, layout.last_indicator + 1
    assert destination(wb, "pe_total") == f"{SHEET}!H{layout.total + 1}"
    assert destination(wb, "pe_grade") == f"{SHEET}!G{layout.grade + 1}"
    assert destination(wb, "pe_exec_rate") == f"{SHEET}!H6"
    assert destination(wb, "pe_exec_score") == f"{SHEET}!I6"
    assert destination(wb, "pe_project") == f"{SHEET}!C3"
    assert destination(wb, "pe_year") == f"{SHEET}!A2"
    assert destination(wb, "pe_funds") == f"{SHEET}!D7:F9"
    assert destination(wb, "pe_indicators") == f"{SHEET}!B{first}:I{last}"
    ws = wb[SHEET]
    assert [ws.cell(layout.table_header + 1, c).value for c in range(2, 10)] == [
        "一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分", "偏差原因分析及改进措施"]
    assert ws["C3"].value == "质量技术监督专项经费" and ws["A2"].value == 2019
    assert ws["A2"].number_format == '"（"0"年度）"'
    # every 二级 of the hierarchy is on the form, with two spare rows
    assert len(layout.indicators) == 5 + 9 * 2


def test_only_inputs_are_unlocked(caidian) -> None:  # type: ignore[no-untyped-def]
    built, wb = caidian
    ws = wb[SHEET]
    assert ws.protection.sheet and wb.security.lockStructure
    assert wb["参数"].sheet_state == "hidden" and wb["_meta"].sheet_state == "veryHidden"
    calc = wb[CALC_SHEET]
    assert calc.sheet_state == "hidden" and calc.protection.sheet

    def locked(row: int, col: int) -> bool:
        return bool(ws[cell(row, col)].protection.locked)

    layout = built.layout
    for key in ("fiscal", "carryover", "other"):
        for col in (Col.NAME, Col.TARGET, Col.ACTUAL):
            assert not locked(layout.funds[key], col)
    assert locked(layout.funds["total"], Col.TARGET)  # the total is computed
    for planned in built.plan.rows:
        r = planned.row
        for col in (Col.ACTUAL, Col.REASON, Col.QSCORE):
            assert not locked(r, col)
        for col in (Col.SCORE, Col.DEVIATION):
            assert locked(r, col) and ws[cell(r, col)].protection.hidden
        for col in (Col.STATE, Col.RAW, Col.USED):
            helper = calc[cell(r, col)]
            assert helper.protection.locked and helper.protection.hidden
        declared = planned.place.spec_index is not None
        for col in (Col.NAME, Col.TARGET, Col.WEIGHT):
            assert locked(r, col) == declared
    for name in ("pe_total", "pe_grade", "pe_status", "pe_exec_score"):
        target = destination(wb, name).split("!")[1]
        assert ws[target].protection.locked and ws[target].data_type == "f"


def test_validations_and_prompts(caidian) -> None:  # type: ignore[no-untyped-def]
    built, wb = caidian
    ws = wb[SHEET]
    by_cell = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in rng.cells:
                by_cell[cell(row[0] - 1, row[1] - 1)] = dv
    funds = by_cell["D7"]
    assert (funds.type, funds.operator, funds.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert "万元" in funds.prompt
    numeric = next(p for p in built.plan.rows if p.target is not None and not p.target.qualitative)
    dv = by_cell[cell(numeric.row, Col.ACTUAL)]
    assert dv.type == "decimal" and dv.showErrorMessage and dv.error
    spare = next(p for p in built.plan.rows if p.place.spec_index is None)
    dv = by_cell[cell(spare.row, Col.ACTUAL)]
    assert (dv.type, dv.formula1, dv.errorStyle) == ("list", "pe_p_band_label", "information")
    assert by_cell[cell(spare.row, Col.WEIGHT)].formula2 == "100"
    assert by_cell[cell(spare.row, Col.QSCORE)].type == "custom"


def test_qualitative_rows_get_the_rating_dropdown(tmp_path: Path) -> None:
    spec = load_example("donghu-2018-business-admin")
    built = build_form(spec, tmp_path / "f.xlsx")
    ws = openpyxl.load_workbook(built.path)[SHEET]
    row = next(p for p in built.plan.rows if p.target is not None and p.target.qualitative).row
    dv = next(dv for dv in ws.data_validations.dataValidation if cell(row, Col.ACTUAL) in str(dv.sqref))
    assert dv.type == "list" and dv.formula1 == "pe_p_band_label" and dv.errorStyle in (None, "stop")


def test_print_setup(caidian) -> None:  # type: ignore[no-untyped-def]
    built, wb = caidian
    ws = wb[SHEET]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight in (None, 1)  # this form fits one page (at a readable scale)
    assert ws.print_area == f"'{SHEET}'!$A$1:$I${built.layout.last_row + 1}"
    assert ws.print_title_rows == f"${built.layout.table_header + 1}:${built.layout.table_header + 1}"
    assert ws.max_column == Col.QSCORE + 1  # the helpers are on the hidden 计算 sheet, not beside the table
    assert not any(d.hidden for d in ws.column_dimensions.values())


def test_metadata_and_fingerprint(caidian, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    built, wb = caidian
    meta = read_meta(wb)
    assert meta["template_version"] == "4" and meta["profile"] == "mof-2020" and meta["year"] == "2019"
    assert meta["generated_at"] == "2026-01-01T09:00:00+00:00"
    assert re.fullmatch(r"[0-9a-f]{64}", meta["spec_hash"])
    assert meta["fingerprint"] == built.fingerprint == fingerprint(workbook_cells(wb))

    # typing in the input cells does not change the fingerprint …
    filled = openpyxl.load_workbook(built.path)
    ws = filled[SHEET]
    first = next(p.row for p in built.plan.rows if p.place.spec_index is not None)
    ws[cell(first, Col.ACTUAL)] = 0.95
    ws[cell(built.layout.funds["fiscal"], Col.TARGET)] = 100
    ws[cell(first, Col.REASON)] = "说明"
    assert fingerprint(workbook_cells(filled)) == built.fingerprint
    # … changing a declared weight or overwriting a formula does
    ws[cell(first, Col.WEIGHT)] = 30
    assert fingerprint(workbook_cells(filled)) != built.fingerprint
    again = openpyxl.load_workbook(built.path)
    again[SHEET][cell(first, Col.SCORE)] = 25
    assert fingerprint(workbook_cells(again)) != built.fingerprint
    again = openpyxl.load_workbook(built.path)
    again["参数"]["B2"] = 3  # a rule number
    assert fingerprint(workbook_cells(again)) != built.fingerprint


def test_spec_hash_ignores_where_the_spec_came_from() -> None:
    from perfeval_xl.form.metadata import spec_hash

    spec = load_example("caidian-2019-quality")
    assert spec_hash(spec) == spec_hash(dataclasses.replace(spec, source="elsewhere.yaml"))
    changed = dataclasses.replace(spec, execution_weight=Decimal(20))
    assert spec_hash(spec) != spec_hash(changed)


def test_password_protection(tmp_path: Path) -> None:
    built = build_form(load_example("caidian-2019-quality"), tmp_path / "p.xlsx", password="Pe2026!")
    wb = openpyxl.load_workbook(built.path)
    assert legacy_hash("Pe2026!") == hash_password("Pe2026!")
    assert wb.security.workbookPassword == hash_password("Pe2026!")
    assert wb[SHEET].protection.password == hash_password("Pe2026!")
    with pytest.raises(InputError, match="保护密码须为 1–15 位英文字母"):
        build_form(load_example("caidian-2019-quality"), tmp_path / "q.xlsx", password="密码")


def test_indicators_outside_the_hierarchy_cannot_be_placed(tmp_path: Path) -> None:
    spec = load_example("caidian-2019-quality")
    odd = dataclasses.replace(spec.indicators[0], level2="好看指标", where="第 1 个指标“及时完成”")
    with pytest.raises(FormError) as info:
        build_form(dataclasses.replace(spec, indicators=(odd, *spec.indicators[1:])), tmp_path / "x.xlsx")
    assert "项目“质量技术监督专项经费”无法生成自评表" in str(info.value)
    assert "第 1 个指标“及时完成”：二级指标“好看指标”不在规则 mof-2020 的指标体系中" in str(info.value)


def test_a_total_without_its_split_goes_to_the_fiscal_row(tmp_path: Path) -> None:
    from golden_cases import golden_spec, load_golden

    spec = golden_spec(load_golden(Path(__file__).parent / "golden" / "nanchang_2020_slips.yaml"))
    built = build_form(spec, tmp_path / "n.xlsx")
    assert built.warnings == ["年度资金总额的全年执行数 1172.32 万元未分到各资金来源，已填入“当年财政拨款”行，请核对"]
    ws = openpyxl.load_workbook(built.path)[SHEET]
    assert ws[cell(built.layout.funds["fiscal"], Col.ACTUAL)].value == 1172.32


def test_formulas_need_no_future_function_prefixes(caidian) -> None:  # type: ignore[no-untyped-def]
    """The form's worksheet skips XlsxWriter's _xlfn expansion; prove there is nothing to expand."""
    _, wb = caidian
    plain = Worksheet()
    count = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    text = str(c.value)[1:]
                    assert plain._prepare_formula(text, expand_future_functions=True) == text
                    count += 1
    assert count > 400


@pytest.mark.parametrize("example", ["caidian-2019-quality", "donghu-2018-business-admin"])
def test_cells_are_serialised_as_xlsxwriter_does(example: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """FormWorksheet writes formatted cells by its own short path: the package must be the
    one XlsxWriter itself writes, part for part (filled forms: text, numbers, booleans, blanks),
    but for the one documented difference: an empty formula result is typed t="str", as Excel
    writes it (XlsxWriter leaves the type out)."""
    from perfeval_xl.form.sheet import FormWorksheet

    spec, when = load_example(example), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ours = build_form(spec, tmp_path / "ours.xlsx", generated_at=when).path
    monkeypatch.setattr(FormWorksheet, "_write_cell", Worksheet._write_cell)
    theirs = build_form(spec, tmp_path / "theirs.xlsx", generated_at=when).path
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(theirs) as b:
        assert a.namelist() == b.namelist()
        typed = 0
        for name in a.namelist():
            ours, count = EMPTY_TEXT_RESULT.subn(rb"\1", a.read(name))
            assert ours == b.read(name), name
            typed += count
        assert b"<f>" in a.read("xl/worksheets/sheet2.xml") and b't="b"' in a.read("xl/worksheets/sheet2.xml")
        assert typed > 50 and b"<v></v>" in b.read("xl/worksheets/sheet1.xml")


EMPTY_TEXT_RESULT = re.compile(rb' t="str"(><f>[^<]*</f><v></v></c>)')


def test_cli_new(tmp_path: Path) -> None:
    example = Path(__file__).parents[1] / "perfeval_xl" / "examples" / "caidian-2019-quality.yaml"
    out = tmp_path / "自评表.xlsx"
    runner = CliRunner()
    result = runner.invoke(cli, ["new", str(example), "-o", str(out)], prog_name="perfeval-xl")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"已生成 {out}（5 个指标，规则 mof-2020）\n"
    again = runner.invoke(cli, ["new", str(example), "-o", str(out)], prog_name="perfeval-xl")
    assert again.exit_code == 2
    assert again.stderr == f"错误：文件 {out} 已存在；如需覆盖请加 --force\n"
    assert runner.invoke(cli, ["new", str(example), "-o", str(out), "--force"]).exit_code == 0


@pytest.mark.parametrize("name", ["f.xlsm", "f.txt", "f", "f.xls"])
def test_native_forms_are_xlsx_files(name: str, tmp_path: Path) -> None:
    """A native form holds no macros and has the content types of an .xlsx: Excel refuses
    it under another extension, so no other is accepted."""
    example = Path(__file__).parents[1] / "perfeval_xl" / "examples" / "caidian-2019-quality.yaml"
    result = CliRunner().invoke(cli, ["new", str(example), "-o", str(tmp_path / name)], prog_name="perfeval-xl")
    assert result.exit_code == 2
    assert result.stderr == (f"错误：自评表须保存为 .xlsx 文件，现为 {name}，请改用 .xlsx 扩展名"
                             "（含宏的 .xlsm 自评表请用 xlwings 模式：--mode xlwings）\n")
    assert list(tmp_path.iterdir()) == []
    assert build_form(load_example("caidian-2019-quality"), tmp_path / "F.XLSX").path.exists()


def _prompts(path: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for dv in openpyxl.load_workbook(path)[SHEET].data_validations.dataValidation:
        out.setdefault(str(dv.promptTitle), set()).add(str(dv.prompt))
    return out


def test_prompts_state_the_rules_of_the_profile(tmp_path: Path) -> None:
    """The numbers in the prompts (bands, the excess line, whether a shortfall needs a
    reason) are the profile's: a profile with other numbers shows other guidance."""
    spec = load_example("donghu-2018-business-admin")
    base = load_rules(spec.profile, spec.year)
    prompts = _prompts(build_form(spec, tmp_path / "base.xlsx").path)
    assert prompts["定性指标评分（可选）"] == {
        "在所选档次的分值区间内给分（按分值的比例）：达成年度指标 80%（含）至100%（含）；部分达成年度指标并具有一定效果 "
        "60%（含）至80%（不含）；未达成年度指标且效果较差 0（含）至60%（不含）。达成年度指标且不填时记满分。"}
    assert prompts["偏差原因分析及改进措施"] == {
        "未完成年度指标值（定性指标未评为“达成年度指标”），或超出较多（正向指标实际达到指标值的 130% 及以上，"
        "反向指标 70% 及以下；指标值为 0 时实际 ≥ 30）时须填写原因和改进措施。"}
    assert prompts["评价档次"] == {
        "请选择：达成年度指标；部分达成年度指标并具有一定效果；未达成年度指标且效果较差。评为“部分达成年度指标并具有一定效果”、"
        "“未达成年度指标且效果较差”时须在右侧“定性指标评分”列给分，并填写偏差原因。"}

    achieved, partial, missed = base.bands
    other = dataclasses.replace(
        base, reason_shortfall=False, reason_excess_ratio=Decimal("1.5"), reason_excess_zero_target=None,
        bands=(dataclasses.replace(achieved, low=Decimal("0.85"), default=Decimal("0.95")),
               dataclasses.replace(partial, low=Decimal("0.5"), high=Decimal("0.85"), default=None),
               dataclasses.replace(missed, high=Decimal("0.5"), high_inclusive=True)))
    prompts = _prompts(build_form(spec, tmp_path / "other.xlsx", rules=other).path)
    assert prompts["定性指标评分（可选）"] == {
        "在所选档次的分值区间内给分（按分值的比例）：达成年度指标 85%（含）至100%（含）；部分达成年度指标并具有一定效果 "
        "50%（含）至85%（不含）；未达成年度指标且效果较差 0（含）至50%（含）。达成年度指标且不填时记分值的 95%。"}
    assert prompts["偏差原因分析及改进措施"] == {
        "超出较多（正向指标实际达到指标值的 150% 及以上，反向指标 50% 及以下）时须填写原因和改进措施。"}
    assert prompts["评价档次"] == {
        "请选择：达成年度指标；部分达成年度指标并具有一定效果；未达成年度指标且效果较差。评为“部分达成年度指标并具有一定效果”、"
        "“未达成年度指标且效果较差”时须在右侧“定性指标评分”列给分。"}
    shown = "".join(p for texts in prompts.values() for p in texts)
    assert "80%" not in shown and "130%" not in shown and "60%" not in shown


def test_indicator_rows_have_automatic_heights(caidian) -> None:  # type: ignore[no-untyped-def]
    """Indicator rows carry the generated height without customHeight, so Excel and
    LibreOffice grow them for text typed later (test_form_lo prints one); the rest is fixed."""
    built, _ = caidian
    with zipfile.ZipFile(built.path) as archive:
        rows = dict(re.findall(r'<row r="(\d+)"([^>]*)>', archive.read("xl/worksheets/sheet1.xml").decode()))
    indicator_rows = {str(p.row + 1) for p in built.layout.indicators}
    assert indicator_rows <= set(rows)
    for number, attributes in rows.items():
        if number in indicator_rows:
            assert "ht=" in attributes and "customHeight" not in attributes, number
        else:
            assert ("ht=" in attributes) == ('customHeight="1"' in attributes), number
