"""The columns of a targets list (绩效目标清单), said once.

The template writer puts these headers, prompts and widths on the sheet; the
reader finds them in whatever header row a user's list has. A header cell
matches a column when, after normalising (full-width to half-width, no spaces
or line breaks, no ``*`` marks, no trailing bracketed note such as ``（万元）``),
it equals the column's label or one of its aliases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..profiles import DEFAULT_PROFILE


@dataclass(frozen=True)
class Column:
    """One column of the list."""

    key: str  # name in code
    label: str  # the header the template writes (and the name in messages)
    required: bool  # the header row must have it
    project: bool  # a project's value, the same on all its rows (may be left blank after the first)
    help: str  # what to write, for the template's prompts and instructions
    aliases: tuple[str, ...] = ()
    note: str = ""  # bracketed after the label in the template's header, e.g. 万元
    width: float = 12
    three_part: bool = False  # only in the three-part layout (指标性质 | 指标值 | 度量单位)


COLUMNS: tuple[Column, ...] = (
    Column("project", "项目名称", True, True,
           "必填。项目的名称，与预算中的项目名称一致；同一项目的各行相同。",
           ("项目",), width=28),
    Column("department", "主管部门", False, True,
           "可空。项目的主管部门（预算部门）；生成的文件名为“主管部门_项目名称.xlsx”。",
           ("预算部门",), width=22),
    Column("unit", "实施单位", False, True,
           "可空。项目的实施单位；项目名称相同、实施单位不同的是不同项目。",
           ("项目实施单位",), width=22),
    Column("year", "年度", True, True,
           "必填。评价的预算年度，四位年份，如 2024。",
           ("预算年度", "评价年度"), width=8),
    Column("budget", "全年预算数", False, True,
           "可空（由填报单位填写）。项目全年预算数，以万元计，如 87.65；填入自评表“当年财政拨款”行。",
           ("预算数", "全年预算"), note="万元", width=14),
    Column("level1", "一级指标", True, False,
           "必填。产出指标、效益指标或满意度指标（可从下拉列表选择）。",
           width=12),
    Column("level2", "二级指标", True, False,
           "必填。所属一级指标下的二级指标，如 数量指标、社会效益指标（可从下拉列表选择）。",
           width=16),
    Column("name", "三级指标", True, False,
           "必填。指标名称；同一项目中不能重名。",
           ("指标名称", "三级指标名称"), width=30),
    Column("target", "年度指标值", True, False,
           "可空（由填报单位填写），但须有此列。申报的年度指标值，按官方写法：≥95%、≤420元/次、87.65万元、0次、达成预期指标。",
           ("指标值", "年度目标值"), width=16),
    Column("weight", "分值", True, False,
           "可空（由填报单位填写），但须有此列。该指标的分值；各指标分值之和加预算执行率分值应为 100。",
           ("权重", "指标分值"), width=8),
    Column("profile", "规则", False, True,
           f"可空（默认 {DEFAULT_PROFILE}）。计分规则，如 {DEFAULT_PROFILE}；perfeval-xl profiles 列出全部规则。",
           ("计分规则",), width=16),
)

# The budget system's three-part target: read when a list has these columns (with 指标值 as the
# target column), written by the three-part template.
THREE_PART_COLUMNS: tuple[Column, ...] = (
    Column("sign", "指标性质", False, False,
           "三列写法（预算管理一体化系统导出的格式）用：比较符号 ≥ ＞ ＝ ＜ ≤，或“定性”；"
           "与“指标值”“度量单位”两列合成年度指标值（如 ≥ | 95 | % 即 ≥95%）。",
           ("指标值性质", "指标性质（符号）", "运算符号", "计算符号", "比较符号", "符号"), width=9, three_part=True),
    Column("measure", "度量单位", False, False,
           "三列写法用：指标值的单位，如 %、万元、批次、个工作日；定性指标留空。",
           ("计量单位", "指标单位", "指标值单位"), width=10, three_part=True),
)

# Read when a list has it, never written: 正向/反向 (or a sign) as some systems export it beside or
# instead of 指标性质; it gives the sign of a target written without one.
DIRECTION = Column("direction", "指标方向", False, False,
                   "可空。正向（越大越好，≥）或反向（越小越好，≤）；年度指标值未写比较符号时按此计分。",
                   ("指标属性", "指标类型"), width=10)

BY_KEY = {column.key: column for column in (*COLUMNS, *THREE_PART_COLUMNS, DIRECTION)}
PROJECT_KEYS = tuple(column.key for column in COLUMNS if column.project)
REQUIRED = tuple(column for column in COLUMNS if column.required)
# Required, but a list without it is still read: the 二级指标 is inferred from the 三级指标 name
# (reader.hints.infer_level2), and what cannot be inferred is an error at its row.
INFERABLE = ("level2",)

_SPACES = re.compile(r"\s+")
_NOTE = re.compile(r"\([^()]*\)$")


def normalize_header(text: object) -> str:
    """A header cell as compared: "全年预算数\\n（万元）" -> "全年预算数"."""
    if text is None:
        return ""
    name = _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).strip("*")
    return _NOTE.sub("", name).strip("*")


_LOOKUP = {
    normalize_header(name): column.key
    for column in (*COLUMNS, *THREE_PART_COLUMNS, DIRECTION)
    for name in (column.label, *column.aliases)
}


def column_key(header: object) -> str | None:
    """The key of the column a header cell names, or None."""
    return _LOOKUP.get(normalize_header(header))


def header_text(column: Column) -> str:
    """The header the template writes."""
    return f"{column.label}（{column.note}）" if column.note else column.label


# The 指标值 column of the three-part layout: the number (or a qualitative target's text).
THREE_PART_TARGET = Column(
    "target", "指标值", True, False,
    "可空（由填报单位填写），但须有此列。三列写法：定量指标只填数值（如 95、3500、87.65），"
    "符号填在“指标性质”列、单位填在“度量单位”列；定性指标填文字（如 达成预期指标），指标性质填“定性”。",
    ("年度指标值", "年度目标值"), width=14)


def template_columns(three_part: bool = False) -> tuple[Column, ...]:
    """The columns the template writes: one 年度指标值 column, or 指标性质 | 指标值 | 度量单位."""
    if not three_part:
        return COLUMNS
    out: list[Column] = []
    for column in COLUMNS:
        out += [BY_KEY["sign"], THREE_PART_TARGET, BY_KEY["measure"]] if column.key == "target" else [column]
    return tuple(out)
