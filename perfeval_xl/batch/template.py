"""The targets-list template (绩效目标清单模板.xlsx) a finance bureau fills in.

Sheet 绩效目标: the header of :func:`~perfeval_xl.batch.columns.template_columns` —
the target as one 年度指标值 column, or as the budget system's three columns 指标性质 |
指标值 | 度量单位 — a prompt on every column, dropdowns for 一级指标, 二级指标, 规则 (from
the profile's hierarchy) and 指标性质, range checks on 年度, 全年预算数 and 分值, and text
format on the target columns so that Excel keeps ``95%`` as written. Sheet 填写说明:
the rules of the list, the columns, the hierarchy with the profile's weights, and an
example taken from a published report (seed 003).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from .. import display
from ..atomic import atomic_output, write_failure
from ..filemarks import mark
from ..notation import notation
from ..profiles import DEFAULT_PROFILE, Rules, available_profiles, load_rules
from ..spec import YEARS, ProjectSpec
from ..targetparts import QUALITATIVE_WORD, split_target
from .columns import COLUMNS, THREE_PART_COLUMNS, Column, header_text, template_columns
from .manifest import MANIFEST_NAME
from .tables import INSTRUCTIONS_SHEET

LIST_SHEET = "绩效目标"
LISTS_SHEET = "下拉列表"  # hidden: the dropdowns' sources
LIST_ROWS = 20000  # rows below the header that get the dropdowns and checks
EXAMPLE = "caidian-2019-quality"
TEXT_COLUMNS = {"project", "department", "unit", "level1", "level2", "name", "target", "profile", "sign",
                "measure"}
NUMBER_FORMATS = {"year": "0", "budget": "0.00"}


def spec_rows(spec: ProjectSpec, columns: Sequence[Column] | None = None) -> list[list[object]]:
    """A project as rows of the list, in the order of ``columns`` (default: the one-column
    layout; a three-part layout gets each target split into 指标性质, 指标值, 度量单位)."""
    columns = template_columns() if columns is None else columns
    fiscal = spec.funds.get("fiscal")
    project = {"project": spec.project, "department": spec.department, "unit": spec.unit, "year": spec.year,
               "budget": fiscal.budget if fiscal else None, "profile": spec.profile}
    three_part = any(c.three_part for c in columns)
    rows = []
    for ind in spec.indicators:
        values = {**project, "level1": ind.level1, "level2": ind.level2, "name": ind.name,
                  "target": ind.target, "weight": ind.weight}
        if three_part:
            values["sign"], values["target"], values["measure"] = split_target(ind.target)
        rows.append([values.get(c.key) for c in columns])
    return rows


def write_template(path: str | Path, profile: str = DEFAULT_PROFILE, year: int | None = None,
                   projects: Sequence[ProjectSpec] = (), three_part: bool = False) -> Path:
    """Write the template for ``profile`` (resolved for budget ``year``) to ``path``, with the
    declared targets of ``projects`` already listed (the demo's list; empty for a user's template).
    ``three_part``: the target in three columns 指标性质 | 指标值 | 度量单位, as budget systems export it."""
    path = Path(path)
    columns = template_columns(three_part)
    rules = load_rules(profile, year or _last_year())
    with atomic_output(path) as temporary:
        _write_template(temporary, path, rules, projects, columns)
    return path


def _write_template(temporary: Path, path: Path, rules: Rules, projects: Sequence[ProjectSpec],
                    columns: Sequence[Column]) -> None:
    from ..demo import load_example

    try:
        workbook = xlsxwriter.Workbook(str(temporary), {
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        })
        formats = _Formats(workbook)
        _write_lists(workbook, rules)
        _write_list_sheet(workbook.add_worksheet(LIST_SHEET), formats, rules, projects, columns)
        _write_instructions(workbook.add_worksheet(INSTRUCTIONS_SHEET), formats, rules, load_example(EXAMPLE),
                            columns)
        workbook.get_worksheet_by_name(LIST_SHEET).activate()
        mark(workbook, "targets")  # a consolidation passes over the list if it lies among the returns
        workbook.close()
    except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
        raise write_failure(path, exc) from None


def _last_year() -> int:
    import datetime as dt

    return dt.date.today().year - 1  # the budget year evaluated this year


class _Formats:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        self.header = workbook.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "border": 1,
                                           "text_wrap": True, "align": "center"})
        self.title = workbook.add_format({**base, "bold": True, "font_size": 14})
        self.heading = workbook.add_format({**base, "bold": True, "font_size": 11})
        self.text = workbook.add_format({**base, "text_wrap": True, "valign": "top"})
        self.cell = workbook.add_format({**base, "border": 1, "text_wrap": True})
        self.columns = {c.key: workbook.add_format({**base, "num_format": NUMBER_FORMATS.get(c.key, "@")})
                        for c in (*COLUMNS, *THREE_PART_COLUMNS) if c.key in TEXT_COLUMNS or c.key in NUMBER_FORMATS}


def _write_lists(workbook: xlsxwriter.Workbook, rules: Rules) -> None:
    sheet = workbook.add_worksheet(LISTS_SHEET)
    lists = {"pe_list_level1": list(rules.hierarchy), "pe_list_level2": list(rules.level2_owner),
             "pe_list_profile": available_profiles(), "pe_list_sign": [*notation().directions, QUALITATIVE_WORD]}
    for col, (name, values) in enumerate(lists.items()):
        for row, value in enumerate(values):
            sheet.write_string(row, col, value)
        first = xl_rowcol_to_cell(0, col, row_abs=True, col_abs=True)
        last = xl_rowcol_to_cell(len(values) - 1, col, row_abs=True, col_abs=True)
        workbook.define_name(name, f"='{LISTS_SHEET}'!{first}:{last}")
    sheet.hide()


def _write_list_sheet(sheet: xlsxwriter.worksheet.Worksheet, formats: _Formats, rules: Rules,
                      projects: Sequence[ProjectSpec], columns: Sequence[Column]) -> None:
    for col, column in enumerate(columns):
        sheet.write_string(0, col, header_text(column), formats.header)
        sheet.set_column(col, col, column.width, formats.columns.get(column.key))
        sheet.data_validation(1, col, LIST_ROWS, col, _validation(column, rules))
    rows = [row for spec in projects for row in spec_rows(spec, columns)]
    for r, row in enumerate(rows, start=1):
        for col, (column, value) in enumerate(zip(columns, row, strict=True)):
            if value is None or value == "":
                continue
            fmt = formats.columns.get(column.key)
            if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                sheet.write_number(r, col, float(value), fmt)
            else:
                sheet.write_string(r, col, str(value), fmt)
    sheet.set_row(0, 30)
    sheet.freeze_panes(1, 0)
    _print_setup(sheet)
    sheet.repeat_rows(0)


def _print_setup(sheet: xlsxwriter.worksheet.Worksheet) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide


def _validation(column: Column, rules: Rules) -> dict[str, object]:
    prompt = {"input_title": column.label, "input_message": column.help}
    lists = {"level1": "=pe_list_level1", "level2": "=pe_list_level2", "profile": "=pe_list_profile",
             "sign": "=pe_list_sign"}
    if column.key in lists:
        return {**prompt, "validate": "list", "source": lists[column.key],
                "error_title": column.label, "error_message": f"请从下拉列表中选择{column.label}"}
    if column.key == "year":
        return {**prompt, "validate": "integer", "criteria": "between", "minimum": YEARS[0],
                "maximum": YEARS[-1], "error_title": column.label, "error_message": "请填写四位年份，如 2024"}
    if column.key == "budget":
        return {**prompt, "validate": "decimal", "criteria": ">=", "value": 0,
                "error_title": column.label, "error_message": "请填写以万元计的金额（不带单位），如 87.65"}
    if column.key == "weight":
        return {**prompt, "validate": "decimal", "criteria": "between", "minimum": 0,
                "maximum": display.number(rules.total_points), "error_title": column.label,
                "error_message": f"分值应为 0 到 {display.number(rules.total_points)} 之间的数"}
    return {**prompt, "validate": "any"}


def _write_instructions(sheet: xlsxwriter.worksheet.Worksheet, formats: _Formats, rules: Rules,
                        example: ProjectSpec, columns: Sequence[Column]) -> None:
    execution = display.number(rules.execution_weight)
    full = display.number(rules.total_points)
    project_columns = "、".join(c.label for c in columns if c.project)
    three_part = any(c.three_part for c in columns)
    target_rule = (
        "年度指标值分三列填写（与预算管理一体化系统导出的格式相同）：指标性质填 ≥ ＞ ＝ ＜ ≤ 或“定性”，"
        "指标值填数值（定性指标填文字），度量单位填 %、万元、批次 等；生成的自评表中合为一个年度指标值，如 ≥95%。"
        "这几列已设为文本格式，请勿改为数字或百分比格式。"
        if three_part else
        "年度指标值按官方写法填写，如 ≥95%、≤420元/次、87.65万元、0次、达成预期指标。"
        "该列已设为文本格式，请勿改为数字或百分比格式。")
    rules_text = [
        "每行填写一个三级指标。项目名称和实施单位都相同的各行属于同一个项目，各行不必相邻。",
        f"{project_columns}这几列可只在项目的第一行填写：这几列全部留空的行属于上一行的项目（合并单元格也按此读取）；"
        "各行都填写时须一致。",
        "一级指标、二级指标须为下面“指标体系”中的名称（可从下拉列表选择）；同一项目中三级指标不能重名。",
        target_rule,
        "年度指标值含有数字却读不出“比较符号+数值+单位”（如 完成3500批次、90%-100%）时按定性指标处理，"
        "生成时列为警告（见生成清单的“问题”工作表），请改为 ≥3500批次 这样的写法。",
        f"分值：一个项目各指标分值之和加预算执行率分值（规则 {rules.profile}：{execution} 分）应为 {full}。"
        f"分值可留空，由填报单位在自评表中填写，此时已填分值之和加预算执行率分值不能超过 {full}。",
        "已填写的年度指标值和分值在生成的自评表中锁定；全年预算数填入自评表“当年财政拨款”行，执行数由填报单位填写。",
        f"填好后运行：perfeval-xl batch 本文件 -o 输出文件夹。每个项目生成一份“主管部门_项目名称.xlsx”，"
        f"并生成“{MANIFEST_NAME}”，列出每个项目的状态和清单中的全部问题（含行号）。清单有错误的项目不生成，其余照常生成。",
        "也可以提交 CSV 文件（UTF-8 或 GBK 编码，逗号分隔），第一行为与“绩效目标”工作表相同的表头。",
    ]
    last = len(columns) - 1
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width)
    _print_setup(sheet)
    sheet.write_string(0, 0, "绩效目标清单填写说明", formats.title)
    row = 2
    for number, text in enumerate(rules_text, start=1):
        sheet.merge_range(row, 0, row, last, f"{number}. {text}", formats.text)
        sheet.set_row(row, 30)
        row += 1

    row = _heading(sheet, row + 1, "各列说明", ("列名", "说明"), formats)
    for column in columns:
        sheet.write_string(row, 0, header_text(column), formats.cell)
        sheet.merge_range(row, 1, row, last, column.help, formats.cell)
        row += 1

    weights = {b.levels[0]: b.weight for b in rules.blocks if len(b.levels) == 1}
    row = _heading(sheet, row + 1, f"指标体系（规则 {rules.profile}：{rules.title}；预算执行率 {execution} 分）",
                   ("一级指标", "二级指标"), formats)
    for level1, level2s in rules.hierarchy.items():
        weight = f"（{display.number(weights[level1])} 分）" if level1 in weights else ""
        for level2 in level2s:
            sheet.write_string(row, 0, level1 + weight, formats.cell)
            sheet.write_string(row, 1, level2, formats.cell)
            row += 1

    row = _heading(sheet, row + 1, f"示例（取自公开的自评报告：{example.year}年度{example.project}）",
                   [header_text(c) for c in columns], formats)
    for values in spec_rows(example, columns):
        for col, value in enumerate(values):
            if value is not None:
                sheet.write(row, col, float(value) if isinstance(value, Decimal) else value, formats.cell)
        row += 1


def _heading(sheet: xlsxwriter.worksheet.Worksheet, row: int, title: str, header: Sequence[str],
             formats: _Formats) -> int:
    """A table's title and header; returns the first row below them."""
    sheet.write_string(row, 0, title, formats.heading)
    for col, text in enumerate(header):
        sheet.write_string(row + 1, col, text, formats.header)
    return row + 2
