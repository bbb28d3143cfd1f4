"""A ``vbaProject.bin`` built from VBA source files, without Excel.

An .xlsm keeps its macros in ``xl/vbaProject.bin``: an OLE compound file with
one compressed stream per module, a ``dir`` stream describing the project
(modules, references, code page) and a ``PROJECT`` stream (MS-OVBA). The
``ms_ovba`` package writes those structures; this module feeds it source text
only — no compiled p-code, which MS-OVBA forbids writers to include, so Excel
compiles the modules from source when it first runs them.

``ms_ovba`` (0.0.1) and ``ms_cfb`` write their intermediate files, and the
result, into the current working directory, and ``ms_ovba`` puts a document
module's attributes after its code. So :func:`build_vba_project` writes each
module's stored text itself (attributes first, CRLF line ends) and runs
``ms_ovba`` in a child process whose working directory is a private temporary
directory: the caller's working directory is never changed, which keeps
threads in the caller safe.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import FileError

# VB_Base of the document modules Excel creates (ThisWorkbook, each worksheet).
WORKBOOK_CLASS = "00020819-0000-0000-C000-000000000046"
WORKSHEET_CLASS = "00020820-0000-0000-C000-000000000046"


@dataclass(frozen=True)
class Module:
    """One VBA module: ``kind`` "module" (a .bas) or "document" (ThisWorkbook, a sheet)."""

    name: str
    kind: str
    code: str  # the module as VBA exports it (.bas / .cls text)
    base_class: str = ""  # documents: WORKBOOK_CLASS or WORKSHEET_CLASS


@dataclass(frozen=True)
class TypeLibReference:
    """A reference to a registered type library (stdole, the Office library)."""

    name: str
    guid: str
    version: str
    path: str
    description: str


@dataclass(frozen=True)
class ProjectReference:
    """A reference to another VBA project (an add-in), by path."""

    name: str
    path: str


def stored_text(module: Module) -> str:
    """What VBA stores for a module: its attributes, then its code, CRLF line ends.

    An exported document module starts with a VERSION/BEGIN…END header that the
    project does not store, and lacks the VB_Base, VB_TemplateDerived and
    VB_Customizable attributes that it does.
    """
    lines = module.code.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].startswith("Attribute VB_Name"):
        lines.pop(0)
    if not lines:
        raise ValueError(f"VBA module {module.name} has no Attribute VB_Name line")
    if module.kind == "document":
        attributes = [line for line in lines if line.startswith("Attribute ")]
        code = lines[len(attributes):]
        lines = [
            attributes[0],
            f'Attribute VB_Base = "0{{{module.base_class}}}"',
            *attributes[1:],
            "Attribute VB_TemplateDerived = False",
            "Attribute VB_Customizable = True",
            *code,
        ]
    text = "\r\n".join(lines)
    if not text.endswith("\r\n"):
        text += "\r\n"
    if not text.isascii():
        # The project is written with code page 1252 (ms_ovba's only one); Chinese
        # text in VBA would depend on the reader's system code page.
        raise ValueError(f"VBA module {module.name} must be ASCII")
    return text


def build_vba_project(
    modules: Sequence[Module],
    references: Sequence[TypeLibReference | ProjectReference],
    project_id: str,
) -> bytes:
    """The bytes of a vbaProject.bin holding ``modules`` and ``references``."""
    with tempfile.TemporaryDirectory(prefix="perfeval-vba-") as tmp:
        root = Path(tmp)
        entries: list[dict[str, str]] = []
        for index, module in enumerate(modules):
            source = root / f"module{index}"
            source.with_suffix(".new").write_bytes(stored_text(module).encode("ascii"))
            entries.append({"name": module.name, "kind": module.kind, "path": str(source)})
        refs = [{"kind": "typelib" if isinstance(ref, TypeLibReference) else "project", **asdict(ref)}
                for ref in references]
        manifest = {"project_id": project_id, "modules": entries, "references": refs}
        (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "perfeval_xl.vbaproject", str(root)], cwd=root,
                              capture_output=True, text=True, check=False)
        output = root / "vbaProject.bin"
        if proc.returncode != 0 or not output.exists():
            detail = (proc.stderr.strip().splitlines() or ["?"])[-1]
            if "No module named 'ms_ovba'" in proc.stderr:
                detail = "未安装 ms-ovba，请运行 pip install 'perfeval-xl[xlwings]'"
            raise FileError(f"无法生成宏（vbaProject.bin）：{detail}")
        return output.read_bytes()


def _fix_compression() -> None:
    """Correct ms_ovba_compression 1.0.1's longest copy.

    MS-OVBA 2.4.1.3.19.1 gives the longest run a CopyToken can hold as
    ``(0xFFFF >> BitCount) + 3``; 1.0.1 computes ``0xFFFF << (BitCount + 3)``, so
    a long repeated run (the wrapper module has many) overflows the token and
    corrupts the module. Put the specified formula in; a fixed release is left
    alone.
    """
    from ms_ovba_compression.ms_ovba import MsOvba

    def copytoken_help(difference: int) -> dict[str, int]:
        bit_count = max(4, (max(difference, 1) - 1).bit_length())
        length_mask = 0xFFFF >> bit_count
        return {"lengthMask": length_mask, "offsetMask": ~length_mask & 0xFFFF, "bitCount": bit_count,
                "maxLength": length_mask + 3}

    if MsOvba.copytoken_help(16)["maxLength"] != copytoken_help(16)["maxLength"]:
        MsOvba.copytoken_help = staticmethod(copytoken_help)  # type: ignore[method-assign]


def _write_project(root: Path) -> None:
    """The child process: build vbaProject.bin in ``root`` (the working directory)."""
    import uuid

    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_project import ReferenceProject
    from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.libid_reference import LibidReference
    from ms_ovba.Models.Fields.project_reference import ProjectReference as OvbaProjectReference
    from ms_ovba.vbaProject import VbaProject
    from ms_ovba.Views.project_ole_file import ProjectOleFile

    _fix_compression()
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    project = VbaProject()
    project.project_id = manifest["project_id"]
    for item in manifest["modules"]:
        module = DocModule(item["name"]) if item["kind"] == "document" else StdModule(item["name"])
        module.add_file(item["path"])  # ms_ovba compresses <path>.new into <path>.bin
        project.add_module(module)
    for item in manifest["references"]:
        if item["kind"] == "typelib":
            libid = LibidReference(uuid.UUID(item["guid"]), item["version"], "0", item["path"],
                                   item["description"])
            record = ReferenceRegistered(libid)
        else:
            record = ReferenceProject(OvbaProjectReference(item["path"]))
        project.add_reference(Reference(record, item["name"]))
    ProjectOleFile.write_file(project)


if __name__ == "__main__":
    _write_project(Path(sys.argv[1]))
