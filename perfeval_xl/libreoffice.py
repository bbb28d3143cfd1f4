"""LibreOffice headless: the real spreadsheet engine that recalculates forms and renders PDFs.

LibreOffice keeps the stored results of an .xlsx it did not write unless told to
recalculate on load, so every run uses a private user profile whose settings say
"always recalculate" (OOXMLRecalcMode = 0) and a fontconfig file that maps the
fonts the form names (宋体, 黑体) to Noto CJK. Many files convert in one process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .errors import FileError

# Where the installers put soffice when it is not on PATH.
INSTALL_LOCATIONS = {
    "win32": (r"C:\Program Files\LibreOffice\program\soffice.exe",
              r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"),
    "darwin": ("/Applications/LibreOffice.app/Contents/MacOS/soffice",),
}


def install_hint(platform: str | None = None) -> str:
    """How to install LibreOffice on this system (``platform`` as ``sys.platform``)."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return ("未找到 LibreOffice。请从 https://zh-cn.libreoffice.org/download/ 下载并安装 LibreOffice，"
                "安装后重新打开命令行窗口再试（如装在其他位置，请把其 program 文件夹加入 PATH 环境变量）")
    if platform == "darwin":
        return ("未找到 LibreOffice。请从 https://zh-cn.libreoffice.org/download/ 下载安装，"
                "或运行：brew install --cask libreoffice")
    return ("未找到 LibreOffice。请用系统的软件包管理器安装，例如 Debian/Ubuntu："
            "sudo apt-get install -y libreoffice-calc-nogui fonts-noto-cjk poppler-utils")

_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
{recalc}<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""
_RECALC = """<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
"""

_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimSun</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>仿宋</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>楷体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>方正小标宋简体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimHei</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>微软雅黑</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>等线</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
</fontconfig>
"""

CALC_XLSX = "xlsx:Calc MS Excel 2007 XML"
PDF = "pdf:calc_pdf_Export"


def soffice() -> str:
    """Path of the soffice executable, or a FileError saying how to install it."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in INSTALL_LOCATIONS.get(sys.platform, ()):
        if Path(candidate).is_file():
            return candidate
    raise FileError(install_hint())


def _profile(root: Path, recalculate: bool | None = True) -> tuple[str, dict[str, str]]:
    user = root / "user"
    user.mkdir(parents=True, exist_ok=True)
    # 0: always recalculate on load; 1: never (show the results stored in the file);
    # None: LibreOffice's own default, as a user's installation has it
    recalc = "" if recalculate is None else _RECALC.replace("{mode}", "0" if recalculate else "1")
    registry = _REGISTRY.replace("{recalc}", recalc)
    (user / "registrymodifications.xcu").write_text(registry, encoding="utf-8")
    fonts = root / "fonts.conf"
    fonts.write_text(_FONTS, encoding="utf-8")
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(fonts)
    env.setdefault("HOME", str(root))
    return root.as_uri(), env


CHUNK = 40  # files per LibreOffice process: one long run can die part way
TIMEOUT = "LibreOffice 转换超时"


def convert(sources: Sequence[Path], target: str, outdir: Path, timeout: float = 600,
            jobs: int | None = None, recalculate: bool | None = True) -> list[Path]:
    """Convert ``sources`` with LibreOffice to ``target`` (e.g. CALC_XLSX, PDF) in ``outdir``.

    Returns the output paths, in the order of ``sources``. Every source must have a
    distinct file name (LibreOffice names outputs after their source). Files are
    converted in chunks by ``jobs`` LibreOffice processes at once (default: one per
    core), and a file a chunk did not produce is tried once more alone. With
    ``recalculate=False`` LibreOffice shows the results stored in the files, as a
    viewer that never calculates would; with ``recalculate=None`` it loads them with
    its default settings, as on a user's machine.
    """
    if not sources:
        return []
    names = [p.stem for p in sources]
    if len(set(names)) != len(names):
        raise ValueError("sources must have distinct file names")
    outdir.mkdir(parents=True, exist_ok=True)
    extension = target.split(":", 1)[0]
    outputs = [outdir / f"{p.stem}.{extension}" for p in sources]
    for output in outputs:
        output.unlink(missing_ok=True)
    # With Writer installed LibreOffice would open any text file as a document and "convert" it:
    # a spreadsheet conversion takes only what can be a workbook (a zip package or an OLE2 file).
    refused = [p for p in sources if _spreadsheet_target(target) and not _maybe_workbook(p)]
    todo = [p for p in sources if p not in refused]
    chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(chunks) or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        messages = list(pool.map(lambda chunk: _run(chunk, target, outdir, timeout, recalculate), chunks))
    detail = next((m for m in reversed(messages) if m), "")
    for source, output in zip(sources, outputs, strict=True):
        if source in refused:
            detail = NOT_LOADED
        elif not output.exists():
            detail = _run([source], target, outdir, timeout, recalculate) or detail
    missing = [p for p in outputs if not p.exists()]
    if missing:
        raise FileError(f"LibreOffice 未能转换 {len(missing)} 个文件（{missing[0].name} 等）：{_reason(detail)}")
    return outputs


def _run(sources: list[Path], target: str, outdir: Path, timeout: float,
         recalculate: bool | None = True) -> str:
    """One LibreOffice process over ``sources``; returns the tail of its messages."""
    with tempfile.TemporaryDirectory(prefix="perfeval-lo-") as tmp:
        profile, env = _profile(Path(tmp), recalculate)
        command = [soffice(), f"-env:UserInstallation={profile}", "--headless", "--norestore",
                   "--nolockcheck", "--convert-to", target, "--outdir", str(outdir),
                   *[str(p) for p in sources]]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env,
                                  check=False)
        except subprocess.TimeoutExpired:
            return f"{TIMEOUT}（{timeout:.0f} 秒）"
    lines = [line for line in (proc.stderr + proc.stdout).splitlines()
             if line.strip() and "javaldx" not in line and not line.startswith("convert ")]
    return " ".join(lines[-3:])


NOT_LOADED = "source file could not be loaded"  # LibreOffice's own words for a file it cannot open
_WORKBOOK_MAGIC = (b"PK\x03\x04", bytes.fromhex("D0CF11E0A1B11AE1"))  # zip package (xlsx, ods), OLE2 (xls)


def _spreadsheet_target(target: str) -> bool:
    """Whether ``target`` is a Calc export (calc_pdf_Export, Calc MS Excel 2007 XML, MS Excel 97 …)."""
    name = target.split(":", 1)[-1].lower()
    return name.startswith("calc") or "excel" in name


def _maybe_workbook(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(8).startswith(_WORKBOOK_MAGIC)
    except OSError:
        return True  # LibreOffice then says why it cannot open it


def _reason(detail: str) -> str:
    """What LibreOffice's last (English) messages mean, in Chinese; never the messages themselves."""
    if detail.startswith(TIMEOUT):
        return detail
    if NOT_LOADED in detail:
        return "LibreOffice 无法打开该文件，可能已损坏或不是电子表格"
    return "LibreOffice 未给出原因；请确认该文件能在 Excel/WPS 中正常打开，并关闭正在运行的 LibreOffice 后重试"


def recalculate(sources: Sequence[Path], outdir: Path, jobs: int | None = None) -> list[Path]:
    """Recalculate workbooks in LibreOffice and save them as .xlsx in ``outdir``.

    Forms made by perfeval-xl carry a probe formula whose stored result is stale;
    this checks that LibreOffice replaced it, so a run that silently kept the stored
    results (the default for files LibreOffice did not write) cannot pass for a
    recalculation.
    """
    outputs = convert(sources, CALC_XLSX, outdir, jobs=jobs)
    for path in outputs:
        probe = read_probe(path)
        if probe is not None and probe != 2:
            raise FileError(f"LibreOffice 没有重新计算 {path.name}（探针值为 {probe!r}）")
    return outputs


def read_probe(path: Path) -> object:
    """The recalc probe of a perfeval-xl form (None when the file has none)."""
    import openpyxl

    from .form.addresses import META_SHEET
    from .form.metadata import RECALC_PROBE_ROW

    workbook = openpyxl.load_workbook(path, data_only=True, read_only=True)
    try:
        if META_SHEET not in workbook.sheetnames:
            return None
        sheet = workbook[META_SHEET]
        for key, value in sheet.iter_rows(min_col=1, max_col=2, values_only=True):
            if key == "recalc_probe":
                return value
        return sheet.cell(RECALC_PROBE_ROW + 1, 2).value
    finally:
        workbook.close()
