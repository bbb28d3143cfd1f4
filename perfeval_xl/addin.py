"""Setting up Excel for the perfeval-xl functions: the xlwings add-in and its config.

``perfeval-xl addin install`` does what the xlwings documentation asks of a
user: install xlwings' Excel add-in (``xlwings addin install``) and point its
``UDF Modules`` setting at ``perfeval_xl.udfs`` in the user config file
(``~/.xlwings/xlwings.conf``, one ``"KEY","value"`` line per setting — the file
the add-in's ribbon edits), together with the Python interpreter to start.
Excel and its add-ins exist only on Windows (and macOS, where xlwings UDFs do
not run), so elsewhere the command only prints what it would do.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import FileError

UDF_MODULE = "perfeval_xl.udfs"
UDF_MODULES_KEY = "UDF MODULES"  # the add-in's key for its "UDF Modules" box
INTERPRETER_KEY = "INTERPRETER_WIN"

TRUST_CENTER = (
    "Excel 的信任中心设置：\n"
    "  1. 文件 > 选项 > 信任中心 > 信任中心设置 > 宏设置：勾选“信任对 VBA 工程对象模型的访问”。\n"
    "     加载项的“Import Functions”按钮要把函数写进您的工作簿，需要这一项；\n"
    "     perfeval-xl 生成的 .xlsm 自评表已带好这些函数，不需要它。\n"
    "  2. 打开 .xlsm 自评表时点“启用内容”（或把存放自评表的文件夹加入 信任中心 > 受信任位置）。\n"
    "     从网上或邮件收到的 .xlsm 会被 Windows 标记并禁止宏：在文件“属性”中勾选“解除锁定”。"
)


@dataclass(frozen=True)
class Setup:
    """What installing means on this machine."""

    config_path: Path
    settings: dict[str, str]
    steps: list[str]


def user_config_path() -> Path:
    """xlwings' user config file (its own constant when xlwings is installed)."""
    try:
        import xlwings
    except ImportError:
        return Path.home() / ".xlwings" / "xlwings.conf"
    return Path(xlwings.USER_CONFIG_FILE)


def read_config(text: str) -> dict[str, str]:
    """The settings of an xlwings.conf text, keys upper-cased."""
    out = {}
    for line in text.splitlines():
        values = re.findall(r'"([^"]*)"', line)
        if len(values) >= 2:
            out[values[0].upper()] = values[1]
    return out


def updated_config(text: str, settings: dict[str, str]) -> str:
    """``text`` with ``settings`` set (replacing lines of the same keys, keeping the rest)."""
    keys = {k.upper() for k in settings}
    kept = [line for line in text.splitlines()
            if line.strip() and (re.findall(r'"([^"]*)"', line)[:1] or [""])[0].upper() not in keys]
    kept += [f'"{key}","{value}"' for key, value in settings.items()]
    return "\n".join(kept) + "\n"


def plan_setup(python: str | None = None) -> Setup:
    """The add-in install and the settings perfeval-xl needs."""
    config = user_config_path()
    settings = {UDF_MODULES_KEY: UDF_MODULE, INTERPRETER_KEY: python or sys.executable}
    steps = [
        "安装 xlwings 的 Excel 加载项（xlwings addin install，复制 xlwings.xlam 到 Excel 的 XLSTART 文件夹）",
        f"在 {config} 中设置 \"{UDF_MODULES_KEY}\" = \"{UDF_MODULE}\"（加载项功能区的 UDF Modules）",
        f"在 {config} 中设置 \"{INTERPRETER_KEY}\" = \"{settings[INTERPRETER_KEY]}\"（运行函数的 Python）",
    ]
    return Setup(config, settings, steps)


def excel_available(platform: str | None = None) -> bool:
    """Whether this machine can have the xlwings add-in with UDFs (Windows)."""
    return (platform or sys.platform).startswith("win")


def install(setup: Setup) -> list[str]:
    """Install the add-in and write the settings; returns what was done.

    Raises FileError when the add-in cannot be installed here or xlwings fails.
    """
    if not excel_available():
        raise FileError("本机不是 Windows，没有可安装加载项的 Excel（xlwings 的 Excel 函数只在 Windows 上运行）。"
                        "请在装有 Excel 的 Windows 电脑上运行 perfeval-xl addin install")
    proc = subprocess.run([sys.executable, "-m", "xlwings.cli", "addin", "install"],
                          capture_output=True, text=True, check=False)
    output = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0 or "Error" in output:
        raise FileError(f"xlwings 加载项安装失败：{output or proc.returncode}。如 Excel 正在运行，请关闭后重试")
    path = setup.config_path
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(updated_config(old, setup.settings), encoding="utf-8")
    return [output, *(f"已设置 \"{k}\" = \"{v}\"（{path}）" for k, v in setup.settings.items())]


def status() -> list[str]:
    """What is in place: xlwings, its add-in, the settings, the UDF module."""
    lines = []
    try:
        import xlwings
    except ImportError:
        return ["未安装 xlwings：pip install 'perfeval-xl[xlwings]'"]
    lines.append(f"xlwings {xlwings.__version__}")
    addin = _addin_path()
    if addin is None:
        lines.append("Excel 加载项：本机不是 Windows，无法安装")
    else:
        lines.append(f"Excel 加载项：{'已安装' if addin.exists() else '未安装'}（{addin}）")
    config = user_config_path()
    settings = read_config(config.read_text(encoding="utf-8")) if config.exists() else {}
    modules = settings.get(UDF_MODULES_KEY, "")
    state = "已设置" if UDF_MODULE in modules.split(";") else "未设置"
    lines.append(f"UDF Modules：{state}（{config}：{modules or '无'}）")
    lines.append(f"Python：{settings.get(INTERPRETER_KEY, '未设置')}")
    try:
        from . import udfs

        names = [n for n in udfs.__all__ if n.startswith("PE_")]
        lines.append(f"函数：{'、'.join(names)}")
    except ImportError as exc:  # pragma: no cover - perfeval_xl.udfs needs only xlwings
        lines.append(f"函数模块无法导入：{exc}")
    return lines


def _addin_path() -> Path | None:
    """Where `xlwings addin install` puts the add-in for this user (Windows)."""
    if not excel_available():
        return None
    appdata = os.environ.get("APPDATA", str(Path.home() / "AppData" / "Roaming"))
    return Path(appdata) / "Microsoft" / "Excel" / "XLSTART" / "xlwings.xlam"
