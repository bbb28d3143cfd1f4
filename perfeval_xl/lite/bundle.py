"""Building the ``main.py`` of a Lite form: perfeval-xl's engine packed into one Python file.

The engine is perfeval-xl's own source — the modules :data:`ENGINE_MODULES` that
:mod:`perfeval_xl.udfs` needs, nothing of the form writer, the readers or the CLI —
and its rule data (:data:`ENGINE_DATA`). They go into a zip archive, base64-encoded at
the end of ``main.py``; at start-up ``main.py`` writes the archive to a temporary folder
and imports the engine from it (Python's zipimport), then imports the functions Excel
calls. Everything runs on the standard library: Pyodide has no PyYAML unless it is
installed, so the archive also holds the rule files' composed trees
(:data:`perfeval_xl.yamlfile.PRECOMPOSED`), and nothing imports xlsxwriter, openpyxl,
python-calamine, rich or click.

The archive is deterministic (sorted entries, fixed times, fixed compression level), so
every form written by the same perfeval-xl carries the same ``main.py``.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import zipfile
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from .. import __version__, yamlfile
from ..datafiles import templates_dir

# The modules main.py imports first; the archive carries them and every perfeval_xl module they
# import at module level, transitively (found from the source, so a new import cannot be forgotten).
ENGINE_ROOTS = ("__init__.py", "udfs.py")
# The rule data they read, inside perfeval_xl.workbook_templates (profiles/*.yaml: every profile).
ENGINE_DATA = ("__init__.py", "notation.yaml", "profiles/__init__.py", "profiles/*.yaml")
TEMPLATES_PACKAGE = "perfeval_xl/workbook_templates"

# The functions main.py exposes to Excel (perfeval_xl.udfs).
FUNCTIONS = (
    "PE_SCORE", "PE_DEVIATION", "PE_EXEC_SCORE", "PE_GRADE", "PE_SCORES", "PE_CHECK",
    "PE_DEVIATION_RATE", "PE_EXECUTION_SCORE", "PE_EVALUATION_GRADE",
)

# xlwings >= 0.36.7 reads JavaScript's null (an empty cell under Pyodide >= 0.28) as None;
# pinned to the release the functions are tested with (the same as the xlwings Server tests).
XLWINGS_REQUIREMENT = "xlwings==0.37.8"
REQUIREMENTS = f"{XLWINGS_REQUIREMENT}  # required\n"

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_LINE = 76  # base64 characters per line of main.py


def _relative_imports(tree: ast.Module, module: PurePosixPath) -> set[PurePosixPath]:
    """The perfeval_xl modules a module imports in its body (not inside functions: those are
    imported lazily, on paths the functions Excel calls do not take)."""
    found: set[PurePosixPath] = set()
    package = module.parent
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = package
        for _ in range(node.level - 1):
            base = base.parent
        targets = [node.module] if node.module else [alias.name for alias in node.names]
        for target in targets:
            stem = base.joinpath(*target.split(".")) if target else base
            found.add(stem / "__init__.py" if (PACKAGE_ROOT / stem / "__init__.py").exists()
                      else stem.with_suffix(".py"))
        if node.module:  # "from . import x" above; "from .pkg import mod" names a module too
            for alias in node.names:
                candidate = base.joinpath(*node.module.split("."), alias.name).with_suffix(".py")
                if (PACKAGE_ROOT / candidate).exists():
                    found.add(candidate)
    # a package's __init__ runs before any of its modules
    return found | {parent / "__init__.py" for path in found for parent in path.parents if str(parent) != "."}


PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # perfeval_xl/ on disk


def engine_modules() -> tuple[str, ...]:
    """The engine's modules (paths inside perfeval_xl/): the roots and their imports, transitively."""
    todo = [PurePosixPath(name) for name in ENGINE_ROOTS]
    seen: set[PurePosixPath] = set()
    while todo:
        module = todo.pop()
        if module in seen or module.parts[:1] == ("workbook_templates",):
            continue
        seen.add(module)
        tree = ast.parse((PACKAGE_ROOT / module).read_text(encoding="utf-8"))
        todo.extend(_relative_imports(tree, module) - seen)
    return tuple(sorted(str(m) for m in seen))


ENGINE_MODULES = engine_modules()


# Modules whose docstrings are used at run time: the functions' descriptions Excel shows.
KEEP_DOCSTRINGS = frozenset({"udfs.py"})


def _module_files() -> list[tuple[str, bytes]]:
    return [(f"perfeval_xl/{name}", _compact((PACKAGE_ROOT / name).read_text(encoding="utf-8"), name))
            for name in ENGINE_MODULES]


def _compact(source: str, name: str) -> bytes:
    """A module as the form carries it: the same code without comments and (but where Excel shows
    them) docstrings — a quarter less to carry in the workbook's document settings."""
    tree = ast.parse(source)
    if name not in KEEP_DOCSTRINGS:
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                        and isinstance(body[0].value.value, str):
                    node.body = body[1:] or [ast.Pass()]
    return (ast.unparse(tree) + "\n").encode("utf-8")


def _data_files() -> list[tuple[str, bytes]]:
    out = []
    for pattern in ENGINE_DATA:
        folder, _, name = pattern.rpartition("/")
        base: Traversable = templates_dir().joinpath(folder) if folder else templates_dir()
        entries = sorted(base.iterdir(), key=lambda e: e.name) if "*" in name else [base.joinpath(name)]
        for entry in entries:
            if PurePosixPath(entry.name).match(name):
                out.append((f"{TEMPLATES_PACKAGE}/{folder + '/' if folder else ''}{entry.name}", entry.read_bytes()))
    return out


def _precomposed(files: list[tuple[str, bytes]]) -> bytes:
    """The composed tree of every YAML data file, keyed by the SHA-256 of its text."""
    trees = {}
    for name, data in files:
        if name.endswith(".yaml"):
            text = data.decode("utf-8")
            trees[yamlfile.text_key(text)] = yamlfile.dump_tree(yamlfile.parse(text, name))
    return json.dumps(trees, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


@cache
def engine_archive() -> bytes:
    """The zip archive of the engine that ``main.py`` carries."""
    data = _data_files()
    files = sorted([*_module_files(), *data, (f"{TEMPLATES_PACKAGE}/{yamlfile.PRECOMPOSED}", _precomposed(data))])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content, compresslevel=9)
    return buffer.getvalue()


_HEADER = '''\
"""项目支出绩效自评表的计分函数（xlwings Lite）—— 由 perfeval-xl {version} 生成，请勿修改。

本文件是这份自评表随带的 Python 代码。在 Excel（Microsoft 365 或 Excel 2021 及以后版本，
Windows、macOS 或网页版）中安装免费的 xlwings Lite 加载项并信任本工作簿后，表中的得分、偏差率、
预算执行率得分和评价等级由下列函数计算，与 perfeval-xl score 的结果相同：

{functions}

计分引擎是 perfeval-xl {version} 自己的源代码（{modules}）和计分规则数据（{profiles}），
以 zip 压缩包（SHA-256 {digest}）的 base64 文本附在本文件末尾；启动时写入临时文件夹并从那里导入。
只用 Python 标准库，不联网下载任何东西。

如何生成：perfeval-xl new 项目.yaml --mode lite -o 自评表.xlsx（或 perfeval-xl batch --mode lite）。
要更新代码，请用新版 perfeval-xl 重新生成自评表，不要在此编辑。

This is the xlwings Lite code of a form written by perfeval-xl {version} (`--mode lite`): the engine's
own modules and rule data travel below as a base64 zip archive, imported at start-up; only the
standard library is used and nothing is downloaded.
"""

import base64
import hashlib
import importlib
import sys
import tempfile
from pathlib import Path

ENGINE_VERSION = "{version}"
ENGINE_SHA256 = "{digest}"


def _load_engine(encoded: str) -> None:
    """Write the engine archive to a temporary folder and put it first on the import path."""
    archive = base64.b64decode(encoded)
    if hashlib.sha256(archive).hexdigest() != ENGINE_SHA256:
        raise ImportError("自评表中的计分引擎已损坏（校验值不符），请重新获取自评表")
    for name in [m for m in sys.modules if m == "perfeval_xl" or m.startswith("perfeval_xl.")]:
        del sys.modules[name]  # a re-run imports this archive, not an earlier one
    path = Path(tempfile.mkdtemp(prefix="perfeval-xl-")) / f"perfeval_xl-{{ENGINE_VERSION}}.zip"
    path.write_bytes(archive)
    sys.path.insert(0, str(path))
    importlib.invalidate_caches()


'''

_FOOTER = '''
_load_engine(_ENGINE)

from perfeval_xl.udfs import (  # noqa: E402  the functions Excel calls
{imports}
)

__all__ = [{names}]
'''


def _function_lines() -> str:
    from .. import udfs

    lines = []
    for name in FUNCTIONS:
        doc = (getattr(udfs, name).__doc__ or "").strip().splitlines()[0]
        lines.append(f"- {name}：{doc}")
    return "\n".join(lines)


@cache
def main_py() -> str:
    """The text of ``main.py``: what it is and how it was made, the loader, the archive, the imports."""
    archive = engine_archive()
    profiles = sorted(name.rsplit("/", 1)[1][: -len(".yaml")] for name in zipfile.ZipFile(io.BytesIO(archive))
                      .namelist() if name.startswith(f"{TEMPLATES_PACKAGE}/profiles/") and name.endswith(".yaml"))
    header = _HEADER.format(
        version=__version__, digest=hashlib.sha256(archive).hexdigest(), functions=_function_lines(),
        modules="、".join(name[: -len(".py")] for name in ENGINE_MODULES), profiles="、".join(profiles),
    )
    encoded = base64.b64encode(archive).decode("ascii")
    lines = [encoded[start:start + _LINE] for start in range(0, len(encoded), _LINE)]
    body = "_ENGINE = \"\"\"\n" + "\n".join(lines) + "\n\"\"\"\n"
    footer = _FOOTER.format(imports="\n".join(f"    {name}," for name in FUNCTIONS),
                            names=", ".join(f'"{name}"' for name in FUNCTIONS))
    return header + body + footer


def lite_files() -> dict[str, str]:
    """The files xlwings Lite reads from a workbook: ``main.py`` and ``requirements.txt``."""
    return {"main.py": main_py(), "requirements.txt": REQUIREMENTS}
