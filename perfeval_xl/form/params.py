"""The hidden 参数 sheet: every rule number the formulas use, from the profile.

:class:`FormParams` is built from a resolved :class:`~perfeval_xl.profiles.Rules`
and the notation tables; :func:`write_params` puts it on the sheet and defines a
name for each entry (``pe_p_places``, ``pe_p_grade_min``, …). The formulas
reference only these names, never the numbers themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..notation import amount_scale, money_units, normalize, notation
from ..profiles import Rules
from ..rounding import CLEAN_PLACES, MAX_MAGNITUDE
from ..scoring import RATIO_PLACES
from .addresses import PARAMS_SHEET, cell, sheet_ref


@dataclass(frozen=True)
class FormParams:
    """The values of the 参数 sheet (also used to compute cached results)."""

    total: Decimal  # 满分
    places: int
    dev_places: int
    rate_places: int
    clean: int
    ratio_places: int
    lower_formula: str
    equal_formula: str
    reason_shortfall: int
    excess_ratio: Decimal | None
    excess_zero: Decimal | None
    exec_reason_below: Decimal | None
    grade_min: tuple[Decimal, ...]  # ascending
    grade_label: tuple[str, ...]
    band_label: tuple[str, ...]
    band_low: tuple[Decimal, ...]
    band_high: tuple[Decimal, ...]
    band_low_incl: tuple[bool, ...]
    band_high_incl: tuple[bool, ...]
    band_default: tuple[Decimal | None, ...]
    rating_key: tuple[str, ...]
    rating_idx: tuple[int, ...]
    sign_key: tuple[str, ...]
    sign_val: tuple[str, ...]
    suf_key: tuple[str, ...]
    suf_val: tuple[str, ...]
    dir_sign: tuple[str, ...]
    dir_code: tuple[int, ...]
    date_units: str
    empty: tuple[str, ...]
    lower_l2: tuple[str, ...]
    not_unit_start: str
    max_number: Decimal
    mark: tuple[str, ...]  # limit marks, longest first (removed in this order)
    money_unit: tuple[str, ...]
    money_scale: tuple[Decimal, ...]  # 元 per unit
    money_per_amount: Decimal  # 元 per 万元
    pct_ratio: Decimal  # notation.yaml percent_scale
    duration_l2: tuple[str, ...]  # notation.yaml duration_limit
    duration_unit: tuple[str, ...]
    pct_bare_min: Decimal
    pct_bare_max: Decimal
    pct_bare_actual_max: Decimal

    @property
    def sign_len(self) -> tuple[int, ...]:
        return tuple(len(k) for k in self.sign_key)

    @property
    def suf_len(self) -> tuple[int, ...]:
        return tuple(len(k) for k in self.suf_key)

    @property
    def money_len(self) -> tuple[int, ...]:
        return tuple(len(k) for k in self.money_unit)


_DIRECTION_CODES = {"higher": 1, "lower": -1, "equal": 0}


def form_params(rules: Rules) -> FormParams:
    """The parameters a form needs, from the rules and the notation tables."""
    nota = notation()
    rating_key: list[str] = []
    rating_idx: list[int] = []
    for index, band in enumerate(rules.bands, start=1):
        for text in (band.label, *band.aliases):
            key = normalize(text)
            if key not in rating_key:
                rating_key.append(key)
                rating_idx.append(index)
    grades = sorted(rules.grades, key=lambda g: g.minimum)
    return FormParams(
        total=rules.total_points,
        places=rules.score_places,
        dev_places=rules.deviation_places,
        rate_places=rules.rate_places,
        clean=CLEAN_PLACES,
        ratio_places=RATIO_PLACES,
        lower_formula=rules.lower_formula,
        equal_formula=rules.equal_formula,
        reason_shortfall=1 if rules.reason_shortfall else 0,
        excess_ratio=rules.reason_excess_ratio,
        excess_zero=rules.reason_excess_zero_target,
        exec_reason_below=rules.execution_reason_below,
        grade_min=tuple(g.minimum for g in grades),
        grade_label=tuple(g.label for g in grades),
        band_label=tuple(b.label for b in rules.bands),
        band_low=tuple(b.low for b in rules.bands),
        band_high=tuple(b.high for b in rules.bands),
        band_low_incl=tuple(b.low_inclusive for b in rules.bands),
        band_high_incl=tuple(b.high_inclusive for b in rules.bands),
        band_default=tuple(b.default for b in rules.bands),
        rating_key=tuple(rating_key),
        rating_idx=tuple(rating_idx),
        sign_key=tuple(nota.sign_prefixes),
        sign_val=tuple(nota.sign_prefixes.values()),
        suf_key=tuple(nota.sign_suffixes),
        suf_val=tuple(nota.sign_suffixes.values()),
        dir_sign=tuple(nota.directions),
        dir_code=tuple(_DIRECTION_CODES[d.value] for d in nota.directions.values()),
        date_units="".join(nota.date_units),
        empty=tuple(sorted(v for v in nota.empty_values if v)),
        lower_l2=rules.lower_level2,
        not_unit_start=nota.not_unit_start,
        max_number=MAX_MAGNITUDE,
        mark=tuple(sorted(nota.limit_marks, key=len, reverse=True)),
        money_unit=tuple(money_units()),
        money_scale=tuple(money_units().values()),
        money_per_amount=amount_scale(),
        pct_ratio=nota.percent_scale.ratio,
        duration_l2=nota.duration_level2,
        duration_unit=nota.duration_units,
        pct_bare_min=nota.percent_scale.bare_target_min,
        pct_bare_max=nota.percent_scale.bare_target_max,
        pct_bare_actual_max=nota.percent_scale.bare_actual_max,
    )


def _num(value: Decimal | None) -> float | str:
    return "" if value is None else float(value)


def write_params(workbook: Workbook, sheet: Worksheet, params: FormParams, rules: Rules,
                 formats: dict[str, object]) -> None:
    """Fill the 参数 sheet and define every ``pe_p_*`` name."""
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 60)
    head = formats["param_head"]
    sheet.write_row(0, 0, ["名称", "取值", "说明及依据"], head)
    sheet.write(0, 4, f"规则：{rules.profile}（{rules.title}），{rules.year} 年度", head)

    row = 1
    scalars: list[tuple[str, object, str]] = [
        ("total", _num(params.total), _cite(rules, "total_points", "满分（预算执行率与各指标分值之和）")),
        ("places", params.places, _cite(rules, "score_places", "得分保留小数位")),
        ("dev_places", params.dev_places, _cite(rules, "deviation_places", "偏差率（比例）保留小数位")),
        ("rate_places", params.rate_places, _cite(rules, "rate_places", "执行率（比例）保留小数位")),
        ("clean", params.clean, "差值先按此位数取整再相除，与计分引擎一致"),
        ("ratio_places", params.ratio_places, "比较界线时比值按此位数取整"),
        ("lower_formula", params.lower_formula, _cite(rules, "lower_formula", "反向指标超出目标时的计分公式")),
        ("equal_formula", params.equal_formula, _cite(rules, "equal_formula", "等于型指标的计分公式")),
        ("reason_shortfall", params.reason_shortfall, _cite(rules, "reason_shortfall", "未完成目标须说明原因（1 是，0 否）")),
        ("excess_ratio", _num(params.excess_ratio), _cite(rules, "reason_excess_ratio", "超额完成须说明原因的倍数")),
        ("excess_zero", _num(params.excess_zero), _cite(rules, "reason_excess_zero_target", "目标为 0 时须说明原因的实际值")),
        ("exec_reason_below", _num(params.exec_reason_below),
         _cite(rules, "execution_reason_below", "预算执行率低于此值须说明原因（空：无此要求）")),
        ("date_units", params.date_units, "数字后紧跟这些字且无符号时，指标值视为日期（定性）"),
        ("not_unit_start", params.not_unit_start, "数字后紧跟这些字符时不是数值（如 100-、1e3），指标值视为定性，实际完成值无法识别"),
        ("max_number", float(params.max_number), "数值的绝对值须小于此数（电子表格只保留 15 位有效数字）"),
        ("money_per_amount", float(params.money_per_amount), "项目资金以万元计：1 万元合多少元"),
        ("pct_ratio", float(params.pct_ratio),
         "百分数未写 %（对 ≥95% 填 90，或指标值写 95 而实际填 97.9%）：另一种读法离指标值近这么多倍时按另一种读法（notation.yaml）"),
        ("pct_bare_min", float(params.pct_bare_min), "未写单位的指标值在此范围内时可按百分数理解（下限）"),
        ("pct_bare_max", float(params.pct_bare_max), "未写单位的指标值在此范围内时可按百分数理解（上限）"),
        ("pct_bare_actual_max", float(params.pct_bare_actual_max), "对小于 1 的未写单位指标值，实际完成值按百分数理解的上限"),
    ]
    for key, value, note in scalars:
        sheet.write(row, 0, f"pe_p_{key}")
        sheet.write(row, 1, value)
        sheet.write(row, 2, note)
        workbook.define_name(f"pe_p_{key}", "=" + sheet_ref(cell(row, 1, True), PARAMS_SHEET))
        row += 1

    row += 1
    tables: list[tuple[str, list[tuple[str, tuple[object, ...]]]]] = [
        (_cite(rules, "grades", "评价等级（下限升序）"),
         [("grade_min", tuple(float(v) for v in params.grade_min)), ("grade_label", params.grade_label)]),
        (_cite(rules, "qualitative_bands", "定性指标评价档次（分值比例）"),
         [("band_label", params.band_label), ("band_low", tuple(float(v) for v in params.band_low)),
          ("band_high", tuple(float(v) for v in params.band_high)),
          ("band_low_incl", params.band_low_incl), ("band_high_incl", params.band_high_incl),
          ("band_default", tuple(_num(v) for v in params.band_default))]),
        ("评价档次的写法（规范化后）", [("rating_key", params.rating_key), ("rating_idx", params.rating_idx)]),
        ("指标值前的比较符号（notation.yaml）",
         [("sign_key", params.sign_key), ("sign_val", params.sign_val), ("sign_len", params.sign_len)]),
        ("指标值后的比较词（notation.yaml）",
         [("suf_key", params.suf_key), ("suf_val", params.suf_val), ("suf_len", params.suf_len)]),
        ("符号的方向（1 正向，-1 反向，0 等于）", [("dir_sign", params.dir_sign), ("dir_code", params.dir_code)]),
        ("表示“无”的写法", [("empty", params.empty)]),
        ("指标值中表示是否含本数的标记（读取时去掉）", [("mark", params.mark)]),
        ("金额的单位（notation.yaml，每单位合多少元）",
         [("money_unit", params.money_unit), ("money_scale", tuple(float(v) for v in params.money_scale)),
          ("money_len", params.money_len)]),
        (_cite(rules, "lower_level2", "未写符号时按反向计分的二级指标"), [("lower_l2", params.lower_l2)]),
        ("未写符号时按时限（≤）计分的二级指标（notation.yaml）", [("duration_l2", params.duration_l2)]),
        ("……其中以这些单位计的时长（notation.yaml）", [("duration_unit", params.duration_unit)]),
    ]
    for title, columns in tables:
        sheet.write(row, 0, title, head)
        row += 1
        length = max(1, len(columns[0][1]))
        for offset, (key, values) in enumerate(columns):
            sheet.write(row, offset, f"pe_p_{key}", formats["param_key"])
            for i, value in enumerate(values):
                sheet.write(row + 1 + i, offset, value)
            first, last = cell(row + 1, offset, True), cell(row + length, offset, True)
            workbook.define_name(f"pe_p_{key}", "=" + sheet_ref(f"{first}:{last}", PARAMS_SHEET))
        row += length + 2


def _cite(rules: Rules, parameter: str, label: str) -> str:
    source = rules.sources.get(parameter)
    return f"{label}——{source.cite()}" if source else label
