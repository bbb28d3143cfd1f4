"""Every workbook perfeval-xl writes passes the Open XML schema and package checks of the
Open XML SDK (Office 2016 rules), as the openxml-audit package implements them: the native
form, the xlwings-mode .xlsm, the values-only copy, the targets template in both layouts, the
batch manifest and the consolidation's review workbook.

A file passes when the audit finds no error; its warnings (inline strings, which Excel moves to
the shared-string table when it saves) are allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from openxml_audit import FileFormat, OpenXmlValidator

from perfeval_xl.batch import generate_batch, write_template
from perfeval_xl.consolidate import consolidate
from perfeval_xl.demo import blank, load_example
from perfeval_xl.export.values import values_copy
from perfeval_xl.form import build_form


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("openxml")
    spec = load_example("caidian-2019-quality")
    found = {
        "native form (filled)": build_form(spec, root / "filled.xlsx").path,
        "native form (blank)": build_form(blank(spec), root / "blank.xlsx").path,
        "xlwings form": build_form(spec, root / "xlwings.xlsm", mode="xlwings").path,
        "targets template": write_template(root / "template.xlsx"),
        "targets template, three parts": write_template(root / "template3.xlsx", three_part=True),
    }
    listed = write_template(root / "list.xlsx", projects=[blank(load_example(n)) for n in (
        "caidian-2019-quality", "donghu-2018-quality")])
    report = generate_batch(listed, root / "batch", jobs=1)
    found["targets list with projects"] = listed
    found["batch manifest"] = report.manifest
    found["values-only copy"] = values_copy(found["native form (filled)"], root / "values.xlsx")
    done = consolidate([str(root / "filled.xlsx"), str(report.outdir)], root / "review.xlsx", jobs=1)
    found["review workbook"] = done.output
    return found


KINDS = ["native form (filled)", "native form (blank)", "xlwings form", "targets template",
         "targets template, three parts", "targets list with projects", "batch manifest", "values-only copy",
         "review workbook"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_generated_workbook_passes_the_office_2016_checks(written: dict[str, Path], kind: str) -> None:
    result = OpenXmlValidator(file_format=FileFormat.OFFICE_2016, max_errors=50).validate(str(written[kind]))
    errors = [f"{e.part_uri} {e.path}: {e.description}" for e in result.errors if e.severity.value == "error"]
    assert result.is_valid and not errors, "\n".join(errors)


def test_the_checks_catch_what_the_values_copy_repairs(tmp_path: Path) -> None:
    """The audit is no formality: openpyxl's own order of a font's elements fails it, and the
    values-only copy's repair (export.values) is what makes the copy pass."""
    import openpyxl
    from openpyxl.styles import Font

    from perfeval_xl.export.values import _order_font_elements

    path = tmp_path / "openpyxl.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "项目名称"
    workbook.active["A1"].font = Font(name="宋体", bold=True, color="FF0000")
    workbook.save(path)
    validator = OpenXmlValidator(file_format=FileFormat.OFFICE_2016, max_errors=50)
    before = validator.validate(str(path))
    assert not before.is_valid and any("font" in (e.path or "") for e in before.errors)
    _order_font_elements(path)
    assert validator.validate(str(path)).is_valid
    assert openpyxl.load_workbook(path).active["A1"].font.b is True
