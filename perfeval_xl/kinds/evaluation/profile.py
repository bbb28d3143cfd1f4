"""The rules of the 评分表, as dated data with their sources.

A 评分表 profile is a YAML file in ``workbook_templates/profiles/evaluation/``, read by the same
strict loader as the 自评表's profiles (:mod:`perfeval_xl.profiles`: dated values, each citing its
document, ``extends`` for a local override) against this kind's own parameters (:data:`PARAMETERS`).
Rows scored against a target are scored exactly as on the 自评表, under the 自评表 profile the
评分表 profile names (``indicator_profile``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ...errors import RuleDataError
from ...notation import normalize
from ...profiles import (
    Grade,
    ProfileFile,
    Rules,
    Schema,
    Source,
    _aliases,
    _boolean,
    _grades,
    _hierarchy,
    _number,
    _places,
    _str_list,
    available_profiles,
    load_rules,
    profile_names,
    read_profile_in,
    resolve,
)

DEFAULT_PROFILE = "mof-2020"
FOLDER = "evaluation"  # under workbook_templates/profiles/
FUND_FIELDS = {"budget": "预算资金", "arrived": "实际到位资金", "executed": "执行数"}


@dataclass(frozen=True)
class RateRule:
    """A row scored from the amounts: 分值 × amount ÷ base (资金到位率, 预算执行率)."""

    key: str  # what a spec row writes as ``rule``
    label: str
    amount: str  # a key of FUND_FIELDS
    base: str


@dataclass(frozen=True)
class OutcomeWeight:
    """The least weight the result blocks (产出, 效益 …) should carry together."""

    levels: tuple[str, ...]
    minimum: Decimal


@dataclass(frozen=True)
class EvaluationRules:
    """A 评分表 profile resolved for one evaluation year."""

    profile: str
    title: str
    year: int
    total_points: Decimal  # the rows' 分值 add up to this
    grades: tuple[Grade, ...]  # highest first
    hierarchy: dict[str, tuple[str, ...]]  # 一级 -> 二级 of the 共性指标 framework
    level_aliases: dict[str, str]
    block_weights: dict[str, Decimal] | None  # 一级 weights a local notice sets; None: the spec's own
    outcome_weight: OutcomeWeight | None
    rates: dict[str, RateRule]
    rate_cap: bool
    indicator_profile: str
    lower_level2: tuple[str, ...]
    score_places: int
    basis_below_full: bool
    evaluation_types: tuple[str, ...]  # the 评价方式 a 评分表 is made for: 部门评价, 财政评价
    target_rules: Rules  # the 自评表 rules a target/actual row is scored under
    sources: dict[str, Source] = field(default_factory=dict)

    def grade_of(self, total: Decimal) -> str:
        for grade in self.grades:
            if total >= grade.minimum:
                return grade.label
        return self.grades[-1].label

    def level1_of(self, written: str) -> tuple[str | None, bool]:
        """The framework's 一级 name for a written one, and whether an alias was used; None if unknown."""
        return _resolve(written, tuple(self.hierarchy), self.level_aliases)

    def level2_of(self, written: str) -> tuple[str | None, bool]:
        """The framework's 二级 name for a written one, and whether an alias was used; None if unknown."""
        names = tuple(l2 for l2s in self.hierarchy.values() for l2 in l2s)
        return _resolve(written, names, self.level_aliases)

    def owner_of(self, level2: str) -> str | None:
        """The 一级 a framework 二级 belongs to."""
        return next((l1 for l1, l2s in self.hierarchy.items() if level2 in l2s), None)


def _resolve(written: str, names: tuple[str, ...], aliases: dict[str, str]) -> tuple[str | None, bool]:
    name = normalize(written)
    if name in names:
        return name, False
    # 产出指标, 产出(45分): the framework's names without the suffixes sheets add
    for stripped in (name.removesuffix("指标"), name.split("(")[0].removesuffix("指标")):
        if stripped in names:
            return stripped, False
        canonical = aliases.get(stripped) or aliases.get(name)
        if canonical in names:
            return canonical, True
    return None, False


# ---------------------------------------------------------------------------
# Parameter converters of this kind (the shared ones come from perfeval_xl.profiles)


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def optional(value: Any) -> Any:
        return None if value is None else convert(value)

    return optional


def _block_weights(value: Any) -> dict[str, Decimal]:
    if not isinstance(value, dict) or not value:
        raise ValueError("应为 一级指标: 分值 的键值表")
    return {str(k): _number(v) for k, v in value.items()}


def _outcome(value: Any) -> OutcomeWeight:
    if not isinstance(value, dict) or set(value) != {"levels", "min"}:
        raise ValueError("应为 {levels: [一级指标, …], min: 分值}")
    return OutcomeWeight(_str_list(value["levels"]), _number(value["min"]))


def _rates(value: Any) -> dict[str, RateRule]:
    if not isinstance(value, dict) or not value:
        raise ValueError("应为 规则名: {label, amount, base} 的键值表")
    rates = {}
    for key, item in value.items():
        if not isinstance(item, dict) or set(item) != {"label", "amount", "base"}:
            raise ValueError(f"规则 {key} 应为 {{label, amount, base}}")
        for part in ("amount", "base"):
            if item[part] not in FUND_FIELDS:
                raise ValueError(f"规则 {key} 的 {part} 应为 {' / '.join(FUND_FIELDS)} 之一")
        rates[str(key)] = RateRule(str(key), str(item["label"]), str(item["amount"]), str(item["base"]))
    return rates


def _self_profile(value: Any) -> str:
    if value not in available_profiles():
        raise ValueError(f"应为自评表的规则之一：{'、'.join(available_profiles())}")
    return str(value)


PARAMETERS: Schema = {
    "total_points": ("满分（各指标分值之和）", _number),
    "grades": ("评价等级及下限", _grades),
    "hierarchy": ("共性指标框架（一级、二级指标）", _hierarchy),
    "level_aliases": ("指标名称别名", _aliases),
    "block_weights": ("一级指标分值（地方规定时）", _optional(_block_weights)),
    "outcome_weight": ("产出、效益类指标分值合计的下限", _optional(_outcome)),
    "rates": ("按金额计分的指标（资金到位率、预算执行率）", _rates),
    "rate_cap": ("按金额计分的得分不超过分值", _boolean),
    "indicator_profile": ("按指标值与实际值计分的行所用的自评表规则", _self_profile),
    "lower_level2": ("未写符号时按反向计分的二级指标", _str_list),
    "score_places": ("得分保留小数位", _places),
    "basis_below_full": ("得分低于分值须写得分依据", _boolean),
    "evaluation_types": ("评分表的评价方式（部门评价、财政评价）", _str_list),
}


def evaluation_profiles() -> list[str]:
    """Names of the 评分表 profiles shipped in workbook_templates/profiles/evaluation/."""
    return profile_names(FOLDER)


@lru_cache(maxsize=16)
def read_evaluation_profile(name: str) -> ProfileFile:
    """Read and check one 评分表 profile file by name."""
    return read_profile_in((FOLDER,), name, PARAMETERS, "评分表规则")


@lru_cache(maxsize=64)
def load_evaluation_rules(name: str = DEFAULT_PROFILE, year: int = 2020) -> EvaluationRules:
    """Resolve 评分表 profile ``name`` for budget year ``year``."""
    profile = read_evaluation_profile(name)
    values, sources = resolve(profile, year, PARAMETERS, read_evaluation_profile)
    # A 评分表 row has no 偏差原因 column: what it needs written is its 得分依据, checked by this
    # kind's engine (basis_below_full), not the 自评表's reason lines.
    target_rules = dataclasses.replace(
        load_rules(values["indicator_profile"], year),
        lower_level2=values["lower_level2"], score_places=values["score_places"],
        reason_shortfall=False, reason_excess_ratio=None, reason_excess_zero_target=None,
    )
    rules = EvaluationRules(profile=name, title=profile.title, year=year, target_rules=target_rules,
                            sources=sources, **values)
    _check_consistency(rules, profile.path)
    return rules


def _check_consistency(rules: EvaluationRules, path: str) -> None:
    problems = []
    known = set(rules.hierarchy) | {l2 for l2s in rules.hierarchy.values() for l2 in l2s}
    for alias, canonical in rules.level_aliases.items():
        if canonical not in known:
            problems.append(f"别名“{alias}”指向未知指标“{canonical}”")
    levels = [*(rules.block_weights or {}), *(rules.outcome_weight.levels if rules.outcome_weight else ())]
    problems += [f"一级指标“{level}”不在 hierarchy 中" for level in levels if level not in rules.hierarchy]
    if rules.block_weights is not None and sum(rules.block_weights.values()) != rules.total_points:
        problems.append(f"block_weights 合计 {sum(rules.block_weights.values())}，应为满分 {rules.total_points}")
    if problems:
        raise RuleDataError(f"规则文件 {path} 在 {rules.year} 年度的取值互相矛盾：", problems)
