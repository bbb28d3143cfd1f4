"""What a person sees, checked with the real engine: typing into a locked cell is
refused by LibreOffice, and the printed form is an A4 landscape page with the
title and the total."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from perfeval_xl.demo import load_example
from perfeval_xl.form import build_form
from perfeval_xl.form.layout import Col, cell
from perfeval_xl.libreoffice import PDF, convert

SYSTEM_PYTHON = "/usr/bin/python3"


def _has_uno() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


def test_typing_into_a_locked_cell_is_refused(tmp_path: Path) -> None:
    assert _has_uno(), "python3-uno is needed (apt-get install python3-uno)"
    built = build_form(load_example("caidian-2019-quality"), tmp_path / "form.xlsx")
    declared = next(p for p in built.plan.rows if p.place.spec_index is not None)
    spare = next(p for p in built.plan.rows if p.place.spec_index is None)
    edits = {
        cell(declared.row, Col.SCORE): "0",  # a formula: locked
        cell(declared.row, Col.WEIGHT): "50",  # a declared weight: locked
        cell(built.layout.total, Col.SCORE): "100",  # the total: locked
        cell(declared.row, Col.REASON): "已说明",  # an input
        cell(spare.row, Col.WEIGHT): "5",  # a spare row's weight: editable
    }
    proc = subprocess.run(
        [SYSTEM_PYTHON, str(Path(__file__).parent / "uno_typing.py"), str(built.path),
         *[f"{k}={v}" for k, v in edits.items()]],
        capture_output=True, text=True, timeout=180, check=False)
    lines = dict(line.split("\t", 1) for line in proc.stdout.splitlines() if "\t" in line)
    assert proc.stdout.rstrip().endswith("done"), proc.stdout + proc.stderr
    assert lines["protected"] == "True"
    for address in list(edits)[:3]:
        before, after = lines[address].split("\t")
        assert after == before, f"{address} was changed by typing: {before!r} -> {after!r}"
    assert lines[cell(declared.row, Col.REASON)].split("\t")[1] == "已说明"
    assert lines[cell(spare.row, Col.WEIGHT)].split("\t")[1] == "5"


def test_printed_form_is_a_landscape_a4_with_title_and_total(tmp_path: Path) -> None:
    built = build_form(load_example("caidian-2019-quality"), tmp_path / "form.xlsx")
    pdf = convert([built.path], PDF, tmp_path / "pdf")[0]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert "841.89 x 595.3" in info  # A4 landscape, in points
    assert pages == 1
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "项目支出绩效自评表" in text and "（2019年度）" in text
    assert "99.87" in text and "9.87" in text and "98.73%" in text
    assert "偏差原因分析及改进措施" in text
    # the helper columns beside the form are not printed
    assert "偏差率" not in text and "分项" not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    assert shutil.which("pdftoppm")
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    png = tmp_path / "page-1.png"
    assert png.stat().st_size > 20000
