"""The 评分表 form computes what the engine computes, as LibreOffice recalculates it: seed 000's
sheet (90.33, 优, every row as its golden case says), its blank form, and generated sheets
filled as an evaluator would — recalculated together, in one call, read back and compared with
the engine to the cent; and what a person sees: the printed pages, typing into locked cells,
the validation of judgement scores, the exports."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from evaluationcases import EvaluationCase, fill_form, make_case
from formcompare import stored_and_recalculated
from golden_cases import GOLDEN_DIR, load_golden
from python_calamine import CalamineWorkbook

from perfeval_xl.form import build_form
from perfeval_xl.form.addresses import CALC_SHEET
from perfeval_xl.form.metadata import read_meta
from perfeval_xl.kinds.evaluation.engine import EvaluationResult
from perfeval_xl.kinds.evaluation.layout import SHEET, ECol, EvaluationLayout, layout_from_meta
from perfeval_xl.kinds.evaluation.plan import blank_evaluation
from perfeval_xl.kinds.evaluation.reader import read_evaluation_form
from perfeval_xl.kinds.evaluation.spec import TARGET, load_evaluation_example
from perfeval_xl.kinds.evaluation.writer import BuiltEvaluationForm
from perfeval_xl.kinds.self.layout import Col
from perfeval_xl.kinds.self.model import RowInput, row_values
from perfeval_xl.libreoffice import PDF, convert, recalculate

GENERATED = 48
SEED_000 = "nanchang-2020-work-funds"
SYSTEM_PYTHON = "/usr/bin/python3"
HERE = Path(__file__).parent


def grid(path: Path, sheet: str = SHEET) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def value(rows: list[list[Any]], row: int, col: int) -> Any:
    try:
        found = rows[row][col]
    except IndexError:
        return None
    return None if found == "" else found


def shown(path: Path, layout: EvaluationLayout) -> dict[str, Any]:
    """The results a recalculated form shows."""
    rows = grid(path)
    return {
        "rows": [value(rows, p.row, ECol.SCORE) for p in layout.rows],
        "blocks": {b.level1: value(rows, b.row, ECol.SCORE) for b in layout.blocks},
        "weight_total": value(rows, layout.total, ECol.WEIGHT),
        "total": value(rows, layout.total, ECol.SCORE),
        "grade": value(rows, layout.grade, ECol.WEIGHT),
        "status": value(rows, layout.status, ECol.WEIGHT),
    }


def _same(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)):
        return round(float(a), 6) == round(float(b), 6)
    return bool(a == b)


def differences(result: EvaluationResult, form: dict[str, Any], layout: EvaluationLayout) -> list[str]:
    """What the recalculated form shows that the engine does not compute. A judgement row's 得分
    is the evaluator's input: what counts of it is on the 计算 sheet, compared through the totals."""
    out = []
    for place, row, got in zip(layout.rows, result.indicators, form["rows"], strict=True):
        if place.method != "judgement" and not _same(got, row.score):
            out.append(f"row {place.row + 1} {row.spec.name}: form {got!r}, engine {row.score}")
    for block in result.blocks:
        if not _same(form["blocks"][block.level1], block.score):
            out.append(f"block {block.name}: form {form['blocks'][block.level1]!r}, engine {block.score}")
    expected = {"weight_total": result.weight_total, "total": result.total, "grade": result.grade or "",
                "status": result.status()}
    out += [f"{key}: form {form[key]!r}, engine {want!r}" for key, want in expected.items()
            if not _same(form[key], want)]
    return out


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Seed 000 (as written, and blank) and the generated cases, built and filled, then recalculated
    by LibreOffice in one call."""
    root = tmp_path_factory.mktemp("evaluation-parity")
    seed = load_evaluation_example(SEED_000)
    built = {"seed000": build_form(seed, root / "built" / "seed000.xlsx"),
             "seed000-blank": build_form(blank_evaluation(seed), root / "built" / "seed000-blank.xlsx")}
    cases: list[tuple[EvaluationCase, BuiltEvaluationForm, Path]] = []
    for index in range(GENERATED):
        case = make_case(index)
        form = build_form(case.blank_spec(), root / "blank" / f"case{index:03d}.xlsx")
        filled = root / "filled" / f"case{index:03d}.xlsx"
        filled.parent.mkdir(exist_ok=True)
        fill_form(form.plan.layout, case, form.path, filled)
        cases.append((case, form, filled))
    sources = [b.path for b in built.values()] + [filled for _, _, filled in cases]
    outputs = recalculate(sources, root / "recalculated")
    fresh = dict(zip(sources, outputs, strict=True))
    # what the evaluator typed, read back before any recalculation, scored by the engine
    results = {filled: read_evaluation_form(filled).score() for _, _, filled in cases}
    return {"built": built, "cases": cases, "fresh": fresh, "root": root, "results": results}


def test_seed_000_form_recalculated_shows_90_33_and_every_golden_row(forms: dict[str, Any]) -> None:
    built = forms["built"]["seed000"]
    form = shown(forms["fresh"][built.path], built.plan.layout)
    assert (form["total"], form["grade"], form["status"], form["weight_total"]) == (90.33, "优", "已填写完整", 100)
    golden = load_golden(GOLDEN_DIR / "nanchang_2020_evaluation_sheet.yaml")["expect"]
    computed = [(p.method, got, want["score"]) for p, got, want in
                zip(built.plan.layout.rows, form["rows"], golden["indicators"], strict=True) if p.method != "judgement"]
    assert [(got, method) for method, got, _ in computed] == [(want, method) for method, _, want in computed]
    assert [method for method, _, _ in computed] == ["rule", "rule", "target", "target"]
    counted = grid(forms["fresh"][built.path], CALC_SHEET)
    assert [value(counted, p.row, ECol.COUNTED) for p in built.plan.layout.rows] == \
        [want["score"] for want in golden["indicators"]]
    assert {level1: v for level1, v in form["blocks"].items()} == golden["blocks"]
    rates = grid(forms["fresh"][built.path])
    assert [value(rates, p.row, ECol.ACTUAL) for p in built.plan.layout.rows if p.method == "rule"] == [1, 0.544]


def test_generated_forms_equal_the_engine(forms: dict[str, Any]) -> None:
    failures, seen = [], {"rows": 0, "complete": 0, "funds": 0, "out-of-range": 0, "invalid": 0, "unscored": 0,
                          "qualitative": 0, "text amounts": 0, "rule": 0, "target": 0}
    for case, built, filled in forms["cases"]:
        fresh = forms["fresh"][filled]
        result = forms["results"][filled]
        layout = built.plan.layout
        diffs = differences(result, shown(fresh, layout), layout)
        # read back after LibreOffice: nothing altered, nothing shown that differs from the engine
        problems = [f.render() for f in read_evaluation_form(fresh).score().findings
                    if f.code in ("form-altered", "shown-differs", "actual-unread-by-form")]
        if diffs or problems:
            failures.append(f"{case.name}: " + "; ".join((diffs + problems)[:4]))
        seen["rows"] += len(result.indicators)
        seen["complete"] += result.complete
        seen["text amounts"] += sum(isinstance(v, str) for v in case.funds.values())
        for row in result.indicators:
            seen[row.state] = seen.get(row.state, 0) + 1
            seen[row.method] = seen.get(row.method, 0) + 1
            seen["qualitative"] += bool(row.measured and row.measured.band)
    assert not failures, f"{len(failures)} of {len(forms['cases'])} forms differ:\n" + "\n".join(failures[:20])
    # the generator exercises what it claims to
    n = len(forms["cases"])
    assert seen["rows"] > 10 * n and n / 3 < seen["complete"] < n
    assert seen["rule"] > n and seen["target"] > 2 * n and seen["qualitative"] > n / 3
    assert seen["funds"] > n / 40 and min(seen["out-of-range"], seen["invalid"], seen["unscored"]) > n / 12
    assert seen["text amounts"] > n / 2


def test_cached_results_are_what_libreoffice_computes(forms: dict[str, Any]) -> None:
    """Every formula cell's stored result (for viewers that never recalculate) is right: seed 000's
    filled and blank forms (the generated forms are filled by openpyxl, which keeps no results: the
    twin's test below covers their rows)."""
    checked = 0
    for built in forms["built"].values():
        for where, stored, recalculated in stored_and_recalculated(built.path, forms["fresh"][built.path]):
            assert _same(stored, recalculated), f"{built.path.name} {where}: stored {stored!r}, LibreOffice {recalculated!r}"
            checked += 1
    assert checked > 250


def test_twin_of_target_rows_equals_libreoffice_and_the_engine(forms: dict[str, Any]) -> None:
    """The helper cells of the rows scored against a target (the 自评表's twin, model.row_values)
    agree with LibreOffice on the filled forms, and their score with the engine's."""
    checked = 0
    for _, built, filled in forms["cases"]:
        inputs, calc = grid(filled), grid(forms["fresh"][filled], CALC_SHEET)
        result = forms["results"][filled]
        for planned, row in zip(built.plan.rows, result.indicators, strict=True):
            if planned.method != TARGET:
                continue
            r = planned.row
            typed = RowInput(row.level1, row.level2, *(value(inputs, r, c) for c in (
                ECol.NAME, ECol.TARGET, ECol.ACTUAL, ECol.WEIGHT, ECol.BASIS, ECol.QSCORE)),
                declared=_declared(built, planned.place.index))
            values = row_values(typed, built.plan.params)
            assert _same(values.pop(Col.SCORE), row.score), (built.path.name, r + 1, row.spec.name)
            values.pop(Col.DEVIATION)
            for col, want in values.items():
                got = value(calc, r, col)
                assert _same(got, want), f"{built.path.name} row {r + 1} col {col}: LibreOffice {got!r}, twin {want!r}"
                checked += 1
    assert checked > 60 * len(forms["cases"])


def _declared(built: BuiltEvaluationForm, index: int) -> Any:
    from perfeval_xl.kinds.evaluation.plan import declared_target

    planned = built.plan.rows[index]
    assert planned.target is not None
    return declared_target(planned.target, planned.result.level2, built.plan.rules)


# ---------------------------------------------------------------------------
# What a person sees


def test_printed_form_is_a4_landscape_with_the_header_on_every_page(forms: dict[str, Any]) -> None:
    built = forms["built"]["seed000"]
    pdf = convert([built.path], PDF, forms["root"] / "pdf")[0]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert "841.89 x 595.3" in info and pages >= 2
    texts = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"], capture_output=True,
                            text=True, check=True).stdout for n in range(1, pages + 1)]
    assert "项目支出绩效评分表" in texts[0] and "（2020年度）" in texts[0] and "2154.81" in texts[0]
    for text in texts:  # the table's header repeated on every page
        assert all(label in text for label in ("一级指标", "二级指标", "三级指标", "评分标准", "得分依据")), text[:300]
    last = texts[-1]
    assert "90.33" in last and "优" in last and "已填写完整" in last and "小计：满意度" in last
    assert not any("年度指标值" in text or "实际完成值" in text for text in texts)  # the side columns are not printed
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts


def test_typing_into_a_locked_cell_is_refused(forms: dict[str, Any]) -> None:
    built = forms["built"]["seed000-blank"]
    layout = built.plan.layout
    rows = {p.method: p.row for p in reversed(layout.rows)}
    # a judgement row whose texts are one line each (uno_typing prints a cell's content on one line)
    rows["judgement"] = next(p.row for p in built.plan.rows if p.spec.name == "指标3：核查评估结果客观正确")
    addresses = {
        "score of a row from the amounts": (rows["rule"], ECol.SCORE, "4"),
        "weight": (rows["judgement"], ECol.WEIGHT, "50"),
        "criteria": (rows["judgement"], ECol.CRITERIA, "随便"),
        "target": (rows["target"], ECol.TARGET, "≥10%"),
        "total": (layout.total, ECol.SCORE, "100"),
        "judgement score": (rows["judgement"], ECol.SCORE, "1.5"),
        "actual": (rows["target"], ECol.ACTUAL, "88%"),
        "basis": (rows["judgement"], ECol.BASIS, "资料齐全"),
        "amount": (*layout.fund_cell("budget"), "100"),
    }
    from perfeval_xl.form.addresses import cell

    edits = {what: (cell(r, c), text) for what, (r, c, text) in addresses.items()}
    proc = subprocess.run([SYSTEM_PYTHON, str(HERE / "uno_typing.py"), str(built.path),
                           *[f"{address}={text}" for address, text in edits.values()]],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.stdout.rstrip().endswith("done"), proc.stdout + proc.stderr
    lines = dict(line.split("\t", 1) for line in proc.stdout.splitlines() if "\t" in line)
    assert lines["protected"] == "True"
    for what, (address, text) in edits.items():
        before, after = lines[address].split("\t")
        locked = what in ("score of a row from the amounts", "weight", "criteria", "target", "total")
        assert (after == before) if locked else (after in (text, "0.88")), (what, before, after)


def test_judgement_scores_are_validated(forms: dict[str, Any]) -> None:
    """LibreOffice's own validity check (Tools ▸ Detective ▸ Mark Invalid Data, as the typing path
    applies it) on the 得分 cells of seed 000's blank form: [0, 分值], or the ladder the 评分标准
    lists; a stop message in Chinese."""
    from perfeval_xl.form.addresses import cell

    built = forms["built"]["seed000-blank"]
    planned = {p.spec.name: p for p in built.plan.rows}
    plain = planned["立项依据充分性"]  # 分值 2, sub-criteria
    ladder = planned["指标1：监督问题企业后续整改率"]  # 分值 4: 4 / 3.2 / 2.8 / 2.4
    all_or_nothing = planned["指标3：核查评估结果客观正确"]  # 分值 5: 5 / 0
    tries = [(plain, 2, True), (plain, 1.5, True), (plain, 0, True), (plain, 2.01, False), (plain, -1, False),
             (ladder, 3.2, True), (ladder, 4, True), (ladder, 3.02, False), (ladder, 3, False),
             (all_or_nothing, 5, True), (all_or_nothing, 0, True), (all_or_nothing, 2.5, False)]
    args = [f"{cell(p.row, ECol.SCORE)}={v}" for p, v, _ in tries]
    proc = subprocess.run([SYSTEM_PYTHON, str(HERE / "uno_validity.py"), str(built.path), *args],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.stdout.rstrip().endswith("done"), proc.stdout + proc.stderr
    verdicts = [line.split("\t") for line in proc.stdout.splitlines() if line.count("\t") == 4]
    assert [(v[0], v[1] == "valid") for v in verdicts] == \
        [(cell(p.row, ECol.SCORE), ok) for p, _, ok in tries]
    assert {v[2] for v in verdicts} == {"STOP"}  # typing an invalid score is refused, not merely warned
    messages = {v[0]: v[3] for v in verdicts}
    assert "0 到 2 之间" in messages[cell(plain.row, ECol.SCORE)]
    assert "持久 4、一般 3.2、较短暂 2.8、短暂 2.4" in messages[cell(ladder.row, ECol.SCORE)]


def test_export_writes_the_pdf_the_values_copy_and_the_report(forms: dict[str, Any]) -> None:
    from perfeval_xl.export import export_form

    root = forms["root"] / "export"
    done = export_form(forms["built"]["seed000"].path, pdf=root / "评分表.pdf", values=root / "数值.xlsx",
                       report=root / "报告.docx")
    assert done.result.total == Decimal("90.33")
    assert done.pdf is not None and done.pdf.stat().st_size > 20000
    assert done.values is not None
    copy = openpyxl.load_workbook(done.values)
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for c in copy[SHEET]._cells.values())
    read = read_evaluation_form(done.values)
    assert read.meta["mode"] == "values-only" and [f.code for f in read.findings] == ["values-copy"]
    assert read.score().total == Decimal("90.33")
    import docx

    text = "\n".join(p.text for p in docx.Document(str(done.report)).paragraphs)
    assert "（一）项目决策情况（14分）" in text and "（1）立项依据充分性（2分）" in text
    assert "根据评分标准，该项指标得2分。" in text
    assert "预算执行率=执行数÷预算资金×100%=1172.32÷2154.81×100%=54.4%，得2.18分。" in text
    assert "实际完成值为90%，指标值≥90%，得3分。" in text
    assert "2020年度2020年度工作经费绩效评价得分为90.33分，评价等级为“优”。" in text
    assert layout_from_meta(read_meta(copy)).rows == forms["built"]["seed000"].plan.layout.rows
