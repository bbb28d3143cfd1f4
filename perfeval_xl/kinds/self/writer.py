"""The locked 项目支出绩效自评表 workbook (form kind ``self``). One entry point: :func:`build_self_form`,
reached through :func:`perfeval_xl.form.build_form`.

Each part of the workbook has its own writer: :mod:`.header` (title, project, goals), :mod:`.funds`
(项目资金), :mod:`.indicators` (绩效指标), :mod:`.summary` (总分, 等级, 状态), the shared
:mod:`perfeval_xl.form.params` (the hidden 参数 sheet) and :mod:`perfeval_xl.form.metadata` (the
hidden _meta sheet), :mod:`.macros` (the VBA project and buttons of the xlwings mode) and
:mod:`perfeval_xl.form.webextension` (the xlwings Lite add-in and its code, lite mode). Where each
field sits is said once, in :mod:`.layout`; the formulas of each mode are in :mod:`.formulas`.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from ...atomic import atomic_output
from ...errors import DependencyError, FileError, FormError, InputError
from ...form.params import write_params
from ...form.protection import check_password
from ...form.recording import RecordingSheet
from ...form.workbook import finish, issued, open_form, protect
from ...profiles import Rules, load_rules
from ...seal import SealKey
from ...spec import ProjectSpec
from .funds import write_funds
from .header import write_goals, write_header
from .indicators import write_indicators
from .layout import COLUMN_WIDTHS, SHEET, TEMPLATE_VERSION, Col, FormLayout, layout_summary
from .plan import FormPlan, plan_form
from .summary import write_summary

__all__ = ["MODES", "SUFFIXES", "BuiltForm", "build_self_form", "check_mode"]

MODES = ("native", "xlwings", "lite")
SUFFIXES = {"native": ".xlsx", "xlwings": ".xlsm", "lite": ".xlsx"}
# xlwings Lite's workbook setting: start the add-in with its task pane when the workbook opens
# (where it asks the user to trust the workbook's code)
LITE_SETTINGS = {"xlwingsSettingsWorkbook": {"startupBehavior": "taskpane"}}
# the packages of the ``xlwings`` extra: the UDFs (cached results) and the vbaProject.bin writer
XLWINGS_PACKAGES = ("xlwings", "ms_ovba")
DEFAULT_ROW_HEIGHT = 15.0
A4_LANDSCAPE_HEIGHT = 595.3  # points
MIN_PRINT_SCALE = 0.68


@dataclass
class BuiltForm:
    """What :func:`build_self_form` wrote."""

    path: Path
    layout: FormLayout
    fingerprint: str
    warnings: list[str]
    plan: FormPlan
    form_kind = "self"


def build_self_form(
    spec: ProjectSpec,
    path: str | Path,
    *,
    password: str | None = None,
    spare_rows: int = 2,
    mode: str = "native",
    rules: Rules | None = None,
    generated_at: dt.datetime | None = None,
    key: SealKey | None = None,
) -> BuiltForm:
    """Write the 自评表 for ``spec`` to ``path`` (.xlsx; .xlsm in xlwings mode; any other
    extension is the user's error).

    Only input cells can be typed in; scores, deviation, execution score, total,
    grade and the status line are live formulas. Targets, weights and names the
    spec gives are locked; what it leaves out stays editable, and ``spare_rows``
    empty rows in every 二级指标 take indicators it does not list.

    ``mode="xlwings"`` writes the same form whose 得分, 偏差率, execution score and
    grade call the perfeval-xl UDFs (through the xlwings add-in), with the VBA
    project those calls need and the 检查本表 / 导出附件 buttons.

    ``mode="lite"`` writes the same form as an .xlsx whose results call the same
    functions as xlwings Lite custom functions, carrying the engine itself as the
    add-in's ``main.py`` (:mod:`perfeval_xl.lite`).

    With ``key`` the form is sealed (:mod:`perfeval_xl.seal`). The file is written under
    a temporary name beside ``path`` and renamed when complete.
    """
    check_mode(mode)
    check_password(password)
    if not 0 <= spare_rows <= 20:
        raise FileError("备用行数须在 0 到 20 之间")
    path = Path(path)
    if path.suffix.lower() != SUFFIXES[mode]:  # Excel opens a workbook by its extension
        if mode == "xlwings":
            raise FileError(f"含宏的自评表（xlwings 模式）须保存为 .xlsm 文件，现为 {path.name}，请改用 .xlsm 扩展名")
        if mode == "lite":
            raise FileError(f"xlwings Lite 模式的自评表须保存为 .xlsx 文件，现为 {path.name}，请改用 .xlsx 扩展名")
        raise FileError(f"自评表须保存为 .xlsx 文件，现为 {path.name}，请改用 .xlsx 扩展名"
                        "（含宏的 .xlsm 自评表请用 xlwings 模式：--mode xlwings）")
    rules = rules or load_rules(spec.profile, spec.year)
    if mode in ("xlwings", "lite") and rules != load_rules(rules.profile, spec.year):
        # The UDFs look the rules up by the form's profile and year.
        raise FormError(f"{mode} 模式的自评表按规则名称计分，规则须为 {rules.profile} 在 {spec.year} 年度的取值")
    plan = plan_form(spec, rules, spare_rows, mode)
    generated_at = generated_at or dt.datetime.now().astimezone().replace(microsecond=0)
    with atomic_output(path) as temporary:
        digest = _write(spec, temporary, path, plan, rules, mode, password, generated_at, key)
    return BuiltForm(path, plan.layout, digest, plan.warnings, plan)


def _write(spec: ProjectSpec, temporary: Path, path: Path, plan: FormPlan, rules: Rules, mode: str,
           password: str | None, generated_at: dt.datetime, key: SealKey | None) -> str:
    """Write the workbook to ``temporary`` (``path`` names it in messages); its fingerprint."""
    book = open_form(temporary, path, SHEET, password, f"项目支出绩效自评表（{spec.year}年度）{spec.project}",
                     "项目支出绩效自评表", spec.unit, generated_at)
    workbook, styles, main, calc = book.workbook, book.styles, book.main, book.calc

    write_params(workbook, book.params, plan.params, rules, {
        "param_head": styles.get(bold=True), "param_key": styles.get(font_color="#808080")})
    write_header(main, plan.layout, styles, spec)
    write_funds(main, calc, plan, styles)
    write_goals(main, plan.layout, styles, spec)
    write_indicators(main, calc, plan, styles)
    write_summary(main, calc, plan, styles)
    for name, ref in plan.layout.names().items():
        workbook.define_name(name, "=" + ref)
    _page_setup(main, plan.layout)
    if mode == "xlwings":
        from .macros import add_macros

        add_macros(workbook, [main, calc, book.params, book.meta], plan.layout)
    elif mode == "lite":
        from .macros import NAMES as UDF_NAMES  # the names the function calls read, without the VBA

        for name, ref in UDF_NAMES.items():
            workbook.define_name(name, "=" + ref)

    digest = protect(book, password)
    finish(book, issued(book, kind="self", template_version=TEMPLATE_VERSION, mode=mode, profile=rules.profile,
                        spec=spec, generated_at=generated_at, digest=digest, layout=layout_summary(plan.layout)),
           key)
    if mode == "lite":
        from ...form.webextension import add_webextension
        from ...lite import lite_files

        add_webextension(temporary, {**lite_files(), **LITE_SETTINGS}, digest)
    return digest


def check_mode(mode: str) -> None:
    """The user's error for a mode this installation cannot write (before anything is written)."""
    if mode not in MODES:
        raise InputError(f"未知的自评表模式“{mode}”，可用：{'、'.join(MODES)}")
    if mode == "xlwings":
        missing = [name for name in XLWINGS_PACKAGES if not _importable(name)]
        if missing:
            raise DependencyError(
                f"生成 xlwings 模式的自评表（.xlsm）需要 {'、'.join(m.replace('_', '-') for m in missing)}，"
                "本机未安装：请运行 pip install 'perfeval-xl[xlwings]' 后重试，"
                "或改用 native 模式（--mode native）生成 .xlsx 自评表")


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # ValueError: sys.modules holds None or a module without a spec
        return False


def _page_setup(sheet: RecordingSheet, layout: FormLayout) -> None:
    for col, width in COLUMN_WIDTHS.items():
        sheet.set_column(col, col, width)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.center_horizontally()
    # One page when the form fits at a readable scale, else one page wide with
    # the header row repeated on every page.
    height = sum(sheet.heights.get(r, DEFAULT_ROW_HEIGHT) for r in range(layout.last_row + 1))
    printable = A4_LANDSCAPE_HEIGHT - (0.5 + 0.6) * 72 - 24
    sheet.fit_to_pages(1, 1 if printable / height >= MIN_PRINT_SCALE else 0)
    sheet.repeat_rows(layout.table_header)
    sheet.print_area(0, 0, layout.last_row, Col.REASON)
    sheet.print_black_and_white()
    sheet.hide_gridlines(2)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    first_input = layout.funds["fiscal"]
    sheet.set_selection(first_input, Col.TARGET, first_input, Col.TARGET)
