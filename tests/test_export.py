"""The attachments: PDF (one landscape page, title and total, fonts embedded), the
values-only copy, and the report section whose sentences are the seed's own."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from docx import Document
from golden_cases import golden_spec
from handmade_forms import seed_003_workbook

from perfeval_xl.cli import cli
from perfeval_xl.demo import load_example
from perfeval_xl.engine import score_project
from perfeval_xl.export import export_form
from perfeval_xl.export.report import analysis_paragraphs
from perfeval_xl.form import build_form
from perfeval_xl.form.layout import SHEET
from perfeval_xl.libreoffice import PDF, convert
from perfeval_xl.reader import evaluate
from perfeval_xl.spec import spec_from_data

GOLDEN_REPORTS = Path(__file__).parent / "golden_reports"


def pdf_facts(pdf: Path) -> tuple[int, str, str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return pages, info, text


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("export")
    form = build_form(load_example("donghu-2018-quality"), root / "自评表.xlsx").path
    return export_form(form, pdf=root / "out" / "自评表.pdf", values=root / "out" / "数值.xlsx",
                       report=root / "out" / "报告.docx")


def test_pdf_is_one_landscape_page_with_title_and_total(exported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pages, info, text = pdf_facts(exported.pdf)
    assert pages == 1 and "841.89 x 595.3" in info
    assert "项目支出绩效自评表" in text and "（2018年度）" in text
    assert "96.64" in text and "质量技术监督项目" in text and "2.76" in text
    fonts = subprocess.run(["pdffonts", str(exported.pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(exported.pdf), str(tmp_path / "p")],
                   check=True)
    assert (tmp_path / "p.png").stat().st_size > 20000


def test_a_long_form_breaks_across_pages_with_the_header_repeated(tmp_path: Path) -> None:
    rows = [{"level1": "产出指标", "level2": "数量指标", "name": f"巡查任务第{i}项", "target": f"≥{10 + i}次",
             "actual": f"{10 + i}次", "weight": 1} for i in range(50)]
    rows.append({"level1": "效益指标", "level2": "社会效益指标", "name": "群众受益", "target": "达成预期指标",
                 "actual": "达成", "weight": 30})
    rows.append({"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "target": "≥90%",
                 "actual": "95%", "weight": 10})
    spec = spec_from_data({"year": 2020, "project": "长表项目", "funds": {"fiscal": {"budget": 10, "executed": 10}},
                           "indicators": rows})
    form = build_form(spec, tmp_path / "long.xlsx").path
    done = export_form(form, pdf=tmp_path / "long.pdf")
    pages, _, text = pdf_facts(done.pdf)  # type: ignore[arg-type]
    assert pages >= 2
    chunks = text.split("\f")
    assert all("三级指标" in chunk for chunk in chunks if chunk.strip())
    assert "100" in chunks[pages - 1]


def test_values_copy_has_no_formulas_and_stays_protected(exported) -> None:  # type: ignore[no-untyped-def]
    wb = openpyxl.load_workbook(exported.values)
    formulas = [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    assert wb[SHEET].protection.sheet and wb.security.lockStructure
    with zipfile.ZipFile(exported.values) as archive:
        assert "xl/vbaProject.bin" not in archive.namelist()
    [result] = evaluate(exported.values)
    assert (result.total, result.grade) == (exported.result.total, "优")
    assert "form-altered" not in {f.code for f in result.all_findings()}
    assert "values-copy" in {f.code for f in result.all_findings()}
    assert convert([exported.values], PDF, exported.values.parent / "check")[0].exists()


def test_report_has_the_table_and_the_analysis(exported) -> None:  # type: ignore[no-untyped-def]
    document = Document(str(exported.report))
    table = document.tables[0]
    assert table.rows[0].cells[1].text == "质量技术监督项目"
    texts = [p.text for p in document.paragraphs]
    assert "日常监管巡查设备台数，指标目标值3000台，设定分值4分。" in "".join(texts)
    assert any("绩效自评得分为96.64分，自评等级为“优”" in t for t in texts)
    assert any("评价设定分值40分，自评得分36.64分，得分率91.6%" in t for t in texts)


def test_report_sentences_are_the_seed_reports_own() -> None:
    case = yaml.safe_load((GOLDEN_REPORTS / "donghu_2018_business_admin.yaml").read_text("utf-8"))
    result = score_project(golden_spec(case))
    ours = [text for _, text in analysis_paragraphs(result)]

    def same(text: str) -> str:
        return text.replace(" ", "").replace("**", "")

    missing = [s for s in case["sentences"] if same(s) not in {same(t) for t in ours}]
    assert not missing, "not reproduced:\n" + "\n".join(missing) + "\nours:\n" + "\n".join(ours)
    assert len(case["sentences"]) >= 10


def test_hand_made_form_exports_too(tmp_path: Path) -> None:
    path = tmp_path / "手填.xlsx"
    seed_003_workbook(path)
    done = export_form(path, pdf=tmp_path / "h.pdf", report=tmp_path / "h.docx")
    pages, info, text = pdf_facts(done.pdf)  # type: ignore[arg-type]
    assert pages == 1 and "841.89 x 595.3" in info and "99.87" in text
    assert "自评等级为“优”" in "".join(p.text for p in Document(str(done.report)).paragraphs)


def test_cli_export_writes_all_three_next_to_the_form(tmp_path: Path) -> None:
    form = build_form(load_example("donghu-2018-business-admin"), tmp_path / "表.xlsx").path
    result = CliRunner().invoke(cli, ["export", str(form)], prog_name="perfeval-xl")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "表.pdf").exists() and (tmp_path / "表-数值.xlsx").exists()
    assert (tmp_path / "表-报告.docx").exists()
    assert "已导出PDF：" in result.stdout
    assert result.stderr == "注意：表中还有 1 个错误（perfeval-xl check 可列出），导出的附件反映的是当前填写的内容\n"
