"""The 评分表 form (kind evaluation) without LibreOffice: what is locked and what is typed, the
validations, the page, _meta, the cached results (the engine's), reading a filled form back,
integrity, the readers of the 自评表 meeting a 评分表, and the commands."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from evaluationcases import fill_form, make_case

from perfeval_xl import __version__
from perfeval_xl.cli import cli
from perfeval_xl.errors import FileError, FormError
from perfeval_xl.form import build_form
from perfeval_xl.form.addresses import CALC_SHEET, cell
from perfeval_xl.form.metadata import META_KEYS, decode_cells, fingerprint, read_meta, workbook_cells
from perfeval_xl.kinds.evaluation import score_evaluation
from perfeval_xl.kinds.evaluation.layout import SHEET, TEMPLATE_VERSION, ECol
from perfeval_xl.kinds.evaluation.plan import blank_evaluation
from perfeval_xl.kinds.evaluation.reader import read_evaluation_form
from perfeval_xl.kinds.evaluation.spec import EvaluationSpec, Funds, load_evaluation_example
from perfeval_xl.kinds.evaluation.writer import build_evaluation_form
from perfeval_xl.kinds.self.layout import Col

SEED_000 = "nanchang-2020-work-funds"


@pytest.fixture(scope="module")
def seed() -> EvaluationSpec:
    return load_evaluation_example(SEED_000)


@pytest.fixture(scope="module")
def blank_form(seed: EvaluationSpec, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return build_form(blank_evaluation(seed), tmp_path_factory.mktemp("blank") / "评分表.xlsx")


@pytest.fixture(scope="module")
def filled_form(seed: EvaluationSpec, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return build_form(seed, tmp_path_factory.mktemp("filled") / "评分表.xlsx")


def rows_by_name(built: Any) -> dict[str, Any]:
    return {planned.spec.name: planned for planned in built.plan.rows}


# ---------------------------------------------------------------------------
# The workbook


def test_sheets_protection_and_meta(blank_form: Any) -> None:
    wb = openpyxl.load_workbook(blank_form.path)
    assert wb.sheetnames == [SHEET, CALC_SHEET, "参数", "_meta"]
    assert [wb[name].sheet_state for name in wb.sheetnames] == ["visible", "hidden", "hidden", "veryHidden"]
    assert all(wb[name].protection.sheet for name in wb.sheetnames)
    meta = read_meta(wb)
    assert "kind" in META_KEYS and meta["kind"] == "evaluation"
    assert meta["template_version"] == TEMPLATE_VERSION and meta["mode"] == "native"
    assert meta["profile"] == "mof-2020" and meta["year"] == "2020"
    assert meta["fingerprint"] == fingerprint(workbook_cells(wb)) == blank_form.fingerprint
    ws = wb[SHEET]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    # one page wide (1 is the default, not written), as many pages tall as the rows need
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0
    layout = blank_form.plan.layout
    assert ws.print_title_rows == f"${layout.table_header + 1}:${layout.table_header + 1}"
    assert ws.print_area == f"'{SHEET}'!$A$1:$G${layout.status + 1}"
    names = {n: wb.defined_names[n].attr_text for n in ("pe_total", "pe_grade", "pe_status", "pe_budget")}
    assert names["pe_total"] == f"'{SHEET}'!$F${layout.total + 1}"
    assert names["pe_budget"] == f"'{SHEET}'!$C${layout.funds_values + 1}"


def test_only_the_evaluators_cells_are_unlocked(blank_form: Any) -> None:
    """Amounts, the judgement scores, the actual values (and a qualitative row's score), every
    得分依据, and the 评价方式 the spec left out; everything else — names, 分值, 评分标准, targets,
    formulas — is locked, and every formula hidden."""
    wb = openpyxl.load_workbook(blank_form.path)
    ws = wb[SHEET]
    layout = blank_form.plan.layout
    children = {cell for rng in ws.merged_cells.ranges for cell in list(rng.cells)[1:]}
    unlocked = {(c.row - 1, c.column - 1) for row in ws.iter_rows() for c in row if not c.protection.locked
                and (c.row, c.column) not in children}
    expected = {layout.fund_cell(key) for key in ("budget", "arrived", "executed")}
    expected.add((layout.project, ECol.BASIS))  # 评价方式: not in seed 000's spec
    for planned in blank_form.plan.rows:
        expected.add((planned.row, ECol.BASIS))
        if planned.method == "judgement":
            expected.add((planned.row, ECol.SCORE))
        elif planned.method == "target":
            expected.add((planned.row, ECol.ACTUAL))
    assert unlocked == expected
    assert decode_cells(read_meta(wb)["inputs"]) == expected
    formulas = [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert len(formulas) >= 20 and all(c.protection.hidden for c in formulas)


def test_judgement_scores_are_validated_by_their_criteria(blank_form: Any) -> None:
    ws = openpyxl.load_workbook(blank_form.path)[SHEET]
    rows = rows_by_name(blank_form)
    rules = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row, col in rng.cells:
                rules[cell(row - 1, col - 1)] = dv
    plain = rules[cell(rows["立项依据充分性"].row, ECol.SCORE)]
    assert (plain.type, plain.operator or "between", plain.formula1, plain.formula2) == ("decimal", "between", "0", "2")
    assert plain.errorStyle in (None, "stop") and plain.showErrorMessage
    assert plain.error == "得分须为 0 到 2 之间的数字（可保留两位小数）。"
    assert "得分低于分值时请在“得分依据”中写明扣分理由" in plain.prompt
    ladder = rules[cell(rows["指标1：监督问题企业后续整改率"].row, ECol.SCORE)]
    assert (ladder.type, ladder.formula1) == ("list", '"4,3.2,2.8,2.4"')
    assert ladder.prompt.startswith("按评分标准取值：持久 4、一般 3.2、较短暂 2.8、短暂 2.4")
    either = rules[cell(rows["指标3：核查评估结果客观正确"].row, ECol.SCORE)]
    assert (either.type, either.formula1) == ("list", '"5,0"')
    percent = rules[cell(rows["指标1：群众满意度"].row, ECol.ACTUAL)]
    assert percent.type == "decimal" and "百分比" in percent.prompt and "≥90%" in percent.prompt
    amount = rules[cell(*blank_form.plan.layout.fund_cell("budget"))]
    assert (amount.type, amount.operator, amount.formula1) == ("decimal", "greaterThanOrEqual", "0")


def test_cached_results_are_the_engines(filled_form: Any, seed: EvaluationSpec) -> None:
    """What the form opens showing, before any program calculates: the engine's results."""
    ws = openpyxl.load_workbook(filled_form.path, data_only=True)[SHEET]
    layout = filled_form.plan.layout
    rows = rows_by_name(filled_form)
    assert ws.cell(rows["预算执行率"].row + 1, ECol.SCORE + 1).value == 2.18  # not the printed 2.16
    assert ws.cell(rows["预算执行率"].row + 1, ECol.ACTUAL + 1).value == 0.544
    assert ws.cell(rows["指标2：培训对象满意度"].row + 1, ECol.SCORE + 1).value == 3  # not the printed 2.83
    assert ws.cell(layout.total + 1, ECol.SCORE + 1).value == 90.33
    assert ws.cell(layout.grade + 1, ECol.WEIGHT + 1).value == "优"
    assert ws.cell(layout.status + 1, ECol.WEIGHT + 1).value == "已填写完整"
    assert [ws.cell(b.row + 1, ECol.SCORE + 1).value for b in layout.blocks] == [14, 13.18, 41.1, 16.22, 5.83]
    assert filled_form.warnings == [
        "第 8 个指标“预算执行率”：所写得分 2.16 与按金额算出的 2.18 不同，表中得分由公式计算",
        "第 32 个指标“指标2：培训对象满意度”：所写得分 2.83 与按年度指标值和实际完成值算出的 3 不同，表中得分由公式计算"]


@pytest.mark.parametrize("index", range(0, 60, 3))
def test_a_filled_spec_reads_back_as_the_engine_scores_it(index: int, tmp_path: Path) -> None:
    """A form generated from a filled spec, read back: the same spec (an actual typed as text in the
    target's unit, or a short rating, is held as the number or the rating it is read as), the same
    result as the engine's on the spec; its cached results are that result (the twin is the engine)."""
    case = make_case(index)
    blank = build_form(case.blank_spec(), tmp_path / "blank.xlsx")
    fill_form(blank.plan.layout, case, blank.path, tmp_path / "filled.xlsx")
    typed = read_evaluation_form(tmp_path / "filled.xlsx").spec
    built = build_form(dataclasses.replace(typed, source=""), tmp_path / "again.xlsx")
    read = read_evaluation_form(built.path)
    assert [f.code for f in read.findings] == []
    for before, after in zip(typed.indicators, read.spec.indicators, strict=True):
        fields = ("level1", "level2", "name", "weight", "criteria", "score", "basis", "rule", "target")
        assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    assert read.spec.funds == typed.funds
    result, engine = read.score(), score_evaluation(typed)
    assert (result.total, result.grade, result.status()) == (engine.total, engine.grade, engine.status())
    assert [r.score for r in result.indicators] == [r.score for r in engine.indicators]
    ws = openpyxl.load_workbook(built.path, data_only=True)[SHEET]
    layout = built.plan.layout
    assert ws.cell(layout.total + 1, ECol.SCORE + 1).value == float(engine.total)
    assert ws.cell(layout.status + 1, ECol.WEIGHT + 1).value == engine.status()
    calc = openpyxl.load_workbook(built.path, data_only=True)[CALC_SHEET]
    counted = [calc.cell(p.row + 1, ECol.COUNTED + 1).value for p in layout.rows]
    assert counted == [None if r.score is None else float(r.score) for r in engine.indicators]
    assert [calc.cell(p.row + 1, Col.STATE + 1).value for p in layout.rows] == [r.state for r in engine.indicators]


# ---------------------------------------------------------------------------
# Reading back: integrity


def test_altered_locked_content_and_replaced_formulas_are_named(filled_form: Any, tmp_path: Path) -> None:
    layout = filled_form.plan.layout
    rows = rows_by_name(filled_form)
    wb = openpyxl.load_workbook(filled_form.path)
    ws = wb[SHEET]
    ws.cell(rows["立项依据充分性"].row + 1, ECol.WEIGHT + 1).value = 3  # a locked 分值
    ws.cell(rows["预算执行率"].row + 1, ECol.SCORE + 1).value = 2.16  # a formula typed over
    wb.save(tmp_path / "altered.xlsx")
    found = read_evaluation_form(tmp_path / "altered.xlsx").findings
    assert [f.code for f in found] == ["form-altered"]
    address = cell(rows["预算执行率"].row, ECol.SCORE)
    assert found[0].message.startswith("表中锁定的内容（指标名称、评分标准、分值、年度指标值、公式或计分参数）与下发时不一致；"
                                       f"公式被改成数值的单元格：{address}")
    assert found[0].location == f"{SHEET}!A1"
    # typed inputs alone change nothing
    wb = openpyxl.load_workbook(filled_form.path)
    wb[SHEET].cell(rows["立项依据充分性"].row + 1, ECol.SCORE + 1).value = 1.5
    wb[SHEET].cell(layout.funds_values + 1, ECol.NAME + 1).value = "2154.81万元"
    wb.save(tmp_path / "typed.xlsx")
    read = read_evaluation_form(tmp_path / "typed.xlsx")
    assert read.findings == [] and read.spec.funds.budget == Decimal("2154.81")
    assert read.score().total == Decimal("89.83")


def test_cells_that_cannot_be_read_are_named(filled_form: Any, tmp_path: Path) -> None:
    rows = rows_by_name(filled_form)
    wb = openpyxl.load_workbook(filled_form.path)
    ws = wb[SHEET]
    ws.cell(rows["立项依据充分性"].row + 1, ECol.SCORE + 1).value = "两分"
    budget_row, budget_col = filled_form.plan.layout.fund_cell("budget")
    ws.cell(budget_row + 1, budget_col + 1).value = "约2000万元"
    wb.save(tmp_path / "bad.xlsx")
    result = read_evaluation_form(tmp_path / "bad.xlsx").score()
    messages = [f.render() for f in result.findings if f.code == "cell-not-number"]
    assert messages == [
        f"[错误] 评分表（评分表!{cell(budget_row, budget_col)}）：预算资金“约2000万元”不是金额，请填写以万元计的数值"
        "（如 2154.81），或带单位的金额（如 2154.81万元、21548100元）",
        f"[错误] 评分表（评分表!{cell(rows['立项依据充分性'].row, ECol.SCORE)}）：得分“两分”不是数字，请只填写数值",
    ]
    assert result.status() == "项目资金未填写完整；1 项得分未填写" and result.grade is None


def test_every_reader_reads_an_evaluation_form_by_its_kind(filled_form: Any) -> None:
    """Since kinds, ``evaluate`` (openpyxl and values-only) dispatches on _meta's kind: a 评分表 is
    scored as one; only the 自评表's own readers (``read_projects``) refuse it, naming its kind."""
    from perfeval_xl.reader import evaluate, read_projects
    from perfeval_xl.reader.fast import evaluate_fast, read_projects_fast

    [full] = evaluate(filled_form.path)
    [quick], _ = evaluate_fast(filled_form.path)
    for result in (full, quick):
        assert result.form_kind == "evaluation"
        assert (result.total, result.grade) == (Decimal("90.33"), "优")
    message = (f"{filled_form.path.name} 是项目支出绩效评分表（kind: evaluation），不是自评表；"
               "评分表可用 perfeval-xl new、score、check、export 和 consolidate，尚不能批量生成（batch）")
    for read in (read_projects, read_projects_fast):
        with pytest.raises(FormError) as info:
            read(filled_form.path)
        assert str(info.value) == message


def test_a_self_evaluation_form_without_kind_still_reads(tmp_path: Path) -> None:
    """Forms made before _meta recorded the kind have no such row: they are 自评表."""
    from perfeval_xl.demo import load_example
    from perfeval_xl.reader import evaluate

    built = build_form(load_example("caidian-2019-quality"), tmp_path / "自评表.xlsx")
    wb = openpyxl.load_workbook(built.path)
    meta = wb["_meta"]
    assert meta.cell(META_KEYS.index("kind") + 1, 1).value == "kind"
    assert meta.cell(META_KEYS.index("kind") + 1, 2).value == "self"
    meta.delete_rows(META_KEYS.index("kind") + 1)
    wb.save(tmp_path / "old.xlsx")
    assert "kind" not in read_meta(openpyxl.load_workbook(tmp_path / "old.xlsx"))
    [result] = evaluate(tmp_path / "old.xlsx")
    assert result.total == Decimal("99.87") and not [f for f in result.findings if f.code == "form-altered"]


# ---------------------------------------------------------------------------
# What cannot be generated


def test_a_row_scored_against_no_target_is_refused(seed: EvaluationSpec, tmp_path: Path) -> None:
    rows = list(seed.indicators)
    rows[-1] = dataclasses.replace(rows[-1], criteria="按比例扣分")  # no target, no full-mark line
    with pytest.raises(FormError) as info:
        build_form(dataclasses.replace(seed, indicators=tuple(rows)), tmp_path / "x.xlsx")
    assert info.value.problems == [
        "第 32 个指标“指标2：培训对象满意度”：按年度指标值计分，但没有写 target（年度指标值），评分标准中也没有满分线"
        "（如“达成90%得满分”）；请在项目文件中写明 target"]
    assert not (tmp_path / "x.xlsx").exists()


def test_the_file_and_mode_are_checked(seed: EvaluationSpec, tmp_path: Path) -> None:
    with pytest.raises(FileError, match=r"评分表须保存为 \.xlsx 文件，现为 x\.xlsm"):
        build_evaluation_form(seed, tmp_path / "x.xlsm")
    with pytest.raises(FormError, match="评分表只有 native 模式"):
        build_form(seed, tmp_path / "x.xlsx", mode="lite")


def test_what_the_spec_leaves_out_is_typed(seed: EvaluationSpec, tmp_path: Path) -> None:
    rows = list(seed.indicators)
    rows[0] = dataclasses.replace(rows[0], weight=None, criteria="", name="")
    spec = dataclasses.replace(seed, indicators=tuple(rows), evaluation_type="财政评价", department="",
                               funds=Funds())
    built = build_form(spec, tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(built.path)[SHEET]
    r = built.plan.rows[0].row + 1
    assert [ws.cell(r, c + 1).protection.locked for c in (ECol.NAME, ECol.WEIGHT, ECol.CRITERIA)] == [False] * 3
    layout = built.plan.layout
    assert ws.cell(layout.project + 1, ECol.BASIS + 1).value == "财政评价"
    assert ws.cell(layout.project + 1, ECol.BASIS + 1).protection.locked
    assert not ws.cell(layout.department + 1, ECol.NAME + 1).protection.locked
    cached = openpyxl.load_workbook(built.path, data_only=True)[SHEET]
    assert cached.cell(layout.status + 1, ECol.WEIGHT + 1).value == "项目资金未填写完整；1 项分值未填写或有误；分值合计 98，应为 100"


# ---------------------------------------------------------------------------
# The commands


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="perfeval-xl")
    return result.exit_code, result.stdout, result.stderr


def test_score_and_check_on_a_filled_form(filled_form: Any, tmp_path: Path) -> None:
    code, out, _ = run("score", str(filled_form.path))
    assert code == 0 and "总分 90.33    评价等级 优" in out and "填报状态：已填写完整" in out
    code, out, _ = run("score", str(filled_form.path), "--json")
    assert code == 0 and '"total": 90.33' in out and '"kind": "perfeval-xl"' in out and '"form_kind": "evaluation"' in out
    code, out, _ = run("check", str(filled_form.path))
    assert code == 0 and out.startswith(f"2020年度工作经费（{filled_form.path}）：错误 0 条，警告 4 条，提示 2 条\n")
    wb = openpyxl.load_workbook(filled_form.path)
    wb[SHEET].cell(rows_by_name(filled_form)["立项依据充分性"].row + 1, ECol.SCORE + 1).value = 3
    wb.save(tmp_path / "over.xlsx")
    code, out, _ = run("check", str(tmp_path / "over.xlsx"))
    assert code == 1
    assert f"[错误] 第 {rows_by_name(filled_form)['立项依据充分性'].row + 1} 行“立项依据充分性”" in out
    assert "得分 3 不在 0 至 2 分之间，请按评分标准重新评分" in out


def test_commands_on_a_damaged_form_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "评分表.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    for command in ("score", "check", "export"):
        code, out, err = run(command, str(broken))
        assert code == 2 and out == "" and err.startswith("错误：") and "Traceback" not in err


def test_new_writes_the_form_and_refuses_other_modes(tmp_path: Path) -> None:
    spec = str(Path(__file__).parents[1] / "perfeval_xl" / "examples" / "evaluation" / f"{SEED_000}.yaml")
    target = tmp_path / "评分表.xlsx"
    code, out, _ = run("new", spec, "-o", str(target))
    assert code == 0 and out == f"已生成评分表 {target}（32 个指标，规则 mof-2020）\n"
    code, _, err = run("new", spec, "-o", str(target))
    assert code == 2 and err == f"错误：文件 {target} 已存在；如需覆盖请加 --force\n"
    code, _, err = run("new", spec, "-o", str(tmp_path / "x.xlsm"), "--mode", "xlwings")
    assert code == 2 and err == "错误：评分表只有 native 模式（原生公式，.xlsx），不能用 xlwings 模式生成\n"
    code, _, err = run("new", spec, "-o", str(tmp_path / "x.xlsx"), "--password", "太长的中文密码")
    assert code == 2 and err == "错误：保护密码须为 1–15 位英文字母、数字或符号（不含空格和中文）\n"


def test_the_values_only_path_reads_as_openpyxl_does(filled_form: Any, tmp_path: Path) -> None:
    """read_grid (python-calamine grids of the 评分表 sheet and the _meta pairs: the path a
    consolidation takes) gives the spec and the result the full reader gives, and finds altered
    locked constants through the content fingerprint."""
    from python_calamine import CalamineWorkbook

    from perfeval_xl.kinds.evaluation.reader import read_grid

    def fast(path: Path) -> Any:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_name(SHEET)
        meta = {str(r[0]): str(r[1]) for r in workbook.get_sheet_by_name("_meta").to_python() if r and r[0]}
        return read_grid(SHEET, sheet.to_python(skip_empty_area=False), list(sheet.merged_cell_ranges or []),
                         meta, str(path))

    full, quick = read_evaluation_form(filled_form.path), fast(filled_form.path)
    assert quick.findings == [] and quick.spec.indicators == full.spec.indicators
    assert quick.spec.funds == full.spec.funds and quick.spec.year == 2020
    assert quick.score().total == full.score().total == Decimal("90.33")
    wb = openpyxl.load_workbook(filled_form.path)
    wb[SHEET].cell(rows_by_name(filled_form)["立项依据充分性"].row + 1, ECol.CRITERIA + 1).value = "只要写了就得分"
    wb.save(tmp_path / "altered.xlsx")
    assert [f.code for f in fast(tmp_path / "altered.xlsx").findings] == ["form-altered"]


def test_a_form_of_an_unknown_template_version_is_refused(filled_form: Any) -> None:
    from perfeval_xl.kinds.evaluation.layout import layout_from_meta

    meta = read_meta(openpyxl.load_workbook(filled_form.path))
    assert [p.row for p in layout_from_meta(meta).rows] == [p.row for p in filled_form.plan.layout.rows]
    with pytest.raises(FormError) as info:
        layout_from_meta({**meta, "template_version": "9"})
    assert str(info.value) == (f"该评分表的模板版本是 9（由 perfeval-xl {__version__} 生成），比本机 perfeval-xl {__version__} "
                               "能读取的项目支出绩效评分表模板版本（1）新，无法按其版式读取：请升级 perfeval-xl"
                               "（pip install -U perfeval-xl）后再读取，或请下发单位用本机的版本重新生成该表")
    with pytest.raises(FormError, match="隐藏记录（_meta 工作表）已损坏"):
        layout_from_meta({**meta, "layout": "{"})
