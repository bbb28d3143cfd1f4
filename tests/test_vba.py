"""The VBA of the xlwings-mode form, read by independent readers: oletools' olevba
(the modules, the UDF wrappers, whose names and arguments match the Python
functions), the dir stream (the reference to the xlwings add-in), and
LibreOffice's VBA importer."""

from __future__ import annotations

import inspect
import json
import random
import re
import string
import subprocess
from pathlib import Path

import olefile
import pytest
from oletools.olevba import VBA_Parser, decompress_stream
from udf_wrappers import WRAPPERS, wrapper_module_text

from perfeval_xl import udfs
from perfeval_xl.demo import load_example
from perfeval_xl.form import build_form
from perfeval_xl.kinds.self.macros import vba_modules
from perfeval_xl.vbaproject import Module, stored_text

SYSTEM_PYTHON = "/usr/bin/python3"
WRAPPER = re.compile(r"^Function (PE_\w+)\(([^)]*)\)\n(.*?)^End Function", re.M | re.S)


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("vba") / "自评表.xlsm"
    return build_form(load_example("caidian-2019-quality"), path, mode="xlwings").path


@pytest.fixture(scope="module")
def modules(xlsm: Path) -> dict[str, str]:
    parser = VBA_Parser(str(xlsm))
    try:
        assert parser.detect_vba_macros()
        return {Path(name).stem: code.replace("\r\n", "\n") for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_checked_in_wrappers_are_what_xlwings_generates() -> None:
    assert WRAPPERS.read_text(encoding="ascii") == wrapper_module_text(), "run `make macros`"


def test_olevba_lists_the_modules(modules: dict[str, str]) -> None:
    assert set(modules) == {"ThisWorkbook", "Sheet1", "Sheet2", "Sheet3", "Sheet4", "xlwings_udfs", "perfeval_buttons"}
    assert re.search(r"Private Sub Workbook_Open\(\)\s+Application\.CalculateFull\s+End Sub", modules["ThisWorkbook"])
    assert 'RunPython "import perfeval_xl.xlwings_macros as m; m.check()"' in modules["perfeval_buttons"]
    assert 'RunPython "import perfeval_xl.xlwings_macros as m; m.export()"' in modules["perfeval_buttons"]


def test_wrappers_match_the_python_functions(modules: dict[str, str]) -> None:
    wrappers = {name: (args, body) for name, args, body in WRAPPER.findall(modules["xlwings_udfs"])}
    python = {name for name in udfs.__all__ if name.startswith("PE_")}
    assert set(wrappers) == python
    for name, (args, body) in wrappers.items():
        params = inspect.signature(getattr(udfs, name)).parameters.values()
        declared = [("Optional " if p.default is not inspect.Parameter.empty else "") + p.name for p in params]
        assert [a.strip() for a in args.split(",")] == declared, name
        names = ", ".join(p.name for p in params)
        assert (f'{name} = XLPy.CallUDF("perfeval_xl.udfs", "{name}", Array({names}), ThisWorkbook, '
                "Application.Caller)") in body
        assert f"{name} = Err.Description" in body  # a VBA error shows in the cell, not as a dialog


def test_the_project_references_the_xlwings_addin(xlsm: Path) -> None:
    import zipfile

    with zipfile.ZipFile(xlsm) as archive:
        data = archive.read("xl/vbaProject.bin")
        assert "xl/vbaProject.bin" in archive.namelist()
        content_types = archive.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in content_types
    ole = olefile.OleFileIO(data)
    dir_stream = decompress_stream(bytearray(ole.openstream("VBA/dir").read()))
    assert b"xlwings.xlam" in dir_stream and b"xlwings" in dir_stream
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert "Document=ThisWorkbook/&H00000000" in project and "Module=xlwings_udfs" in project
    # no compiled code: Excel compiles the modules from their source (MS-OVBA: PerformanceCache not written)
    assert ole.openstream("VBA/_VBA_PROJECT").read()[2:4] == b"\xff\xff"


def test_the_project_is_the_same_for_every_form(tmp_path: Path, xlsm: Path) -> None:
    import zipfile

    other = build_form(load_example("donghu-2018-business-admin"), tmp_path / "b.xlsm", mode="xlwings").path
    parts = [zipfile.ZipFile(p).read("xl/vbaProject.bin") for p in (xlsm, other)]
    assert parts[0] == parts[1]


def test_module_text_round_trips_the_compression() -> None:
    """Every module, and text-like data across chunk boundaries, decompresses (with
    oletools' reader) to what was stored. (Random letters only up to 1,000 bytes:
    a chunk that does not compress is stored raw and padded to 4,096 bytes, as
    MS-OVBA specifies; source code always compresses.)"""
    from ms_ovba_compression.ms_ovba import MsOvba

    from perfeval_xl.vbaproject import _fix_compression

    _fix_compression()
    samples = [stored_text(m).encode("ascii") for m in vba_modules(3)]
    rng = random.Random(7)
    for size in (1, 2, 100, 1000, 4095, 4096, 4097, 9000):
        samples.append("".join(rng.choice("Dim x As Long\r\n    If ") for _ in range(size)).encode()[:size])
        if size <= 1000:
            samples.append("".join(rng.choice(string.ascii_letters) for _ in range(size)).encode())
    for data in samples:
        assert decompress_stream(bytearray(MsOvba().compress(data))) == data, len(data)


def test_stored_text_puts_attributes_first() -> None:
    exported = 'VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1\nEND\nAttribute VB_Name = "ThisWorkbook"\n' \
               "Attribute VB_Exposed = True\nSub A()\nEnd Sub\n"
    text = stored_text(Module("ThisWorkbook", "document", exported, "BASE"))
    assert text.split("\r\n")[:5] == ['Attribute VB_Name = "ThisWorkbook"', 'Attribute VB_Base = "0{BASE}"',
                                      "Attribute VB_Exposed = True", "Attribute VB_TemplateDerived = False",
                                      "Attribute VB_Customizable = True"]
    with pytest.raises(ValueError, match="ASCII"):
        stored_text(Module("M", "module", 'Attribute VB_Name = "M"\n\' 中文\n'))


def test_libreoffice_imports_the_vba_project(xlsm: Path) -> None:
    proc = subprocess.run([SYSTEM_PYTHON, str(Path(__file__).with_name("uno_vba.py")), str(xlsm)],
                          capture_output=True, text=True, timeout=240, check=False)
    assert proc.stdout.rstrip().endswith("done"), proc.stdout + proc.stderr
    imported = {}
    for line in proc.stdout.splitlines()[:-1]:
        library, module, source = line.split("\t", 2)
        imported[module] = (library, json.loads(source))
    assert set(imported) == {"ThisWorkbook", "Sheet1", "Sheet2", "Sheet3", "Sheet4", "xlwings_udfs", "perfeval_buttons"}
    assert "VBADocumentModule" in imported["ThisWorkbook"][1] and "Application.CalculateFull" in imported["ThisWorkbook"][1]
    assert "VBAModule" in imported["xlwings_udfs"][1]
    assert imported["xlwings_udfs"][1].count("XLPy.CallUDF(") == 2 * len([n for n in udfs.__all__ if n.startswith("PE_")])
