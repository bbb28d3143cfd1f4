"""Rule profiles: every number a policy sets, as dated data with its source.

A profile is one YAML file in ``workbook_templates/profiles/``. Each parameter
holds values keyed by the date they took effect, each citing the document that
set it (OpenFisca's way). A local profile ``extends`` another and overrides only
what differs. :func:`load_rules` resolves a profile for an evaluation year into
a flat, typed :class:`Rules`.

Which date applies: the self-evaluation of budget year Y is carried out in
year Y+1 (2019 projects were scored in 2020, under 财预〔2020〕10号), so the
rules are those in force by the end of Y+1: the latest value dated on or
before 31 December of Y+1 (:func:`evaluation_instant`).

The loader is strict: an unknown key, a duplicate key, a bad date, a value of
the wrong type or a reference to an unknown document is an error that names the
file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from importlib.resources.abc import Traversable
from typing import Any

from . import yamlfile
from .datafiles import profiles_dir
from .errors import RuleDataError
from .yamlfile import Node

DEFAULT_PROFILE = "mof-2020"


def evaluation_instant(year: int) -> dt.date:
    """The date whose rules govern the self-evaluation of budget year ``year``."""
    return dt.date(year + 1, 12, 31)


@dataclass(frozen=True)
class Block:
    """A weighted block of 一级指标 (产出指标 50; or 效益指标+满意度指标 40)."""

    levels: tuple[str, ...]
    weight: Decimal

    @property
    def name(self) -> str:
        return "、".join(self.levels)


@dataclass(frozen=True)
class Band:
    """A qualitative rating band, as fractions of the indicator's weight."""

    key: str  # achieved / partial / missed
    label: str
    aliases: tuple[str, ...]
    low: Decimal
    high: Decimal
    low_inclusive: bool
    high_inclusive: bool
    default: Decimal | None  # score fraction when the evaluator gives none

    def contains(self, fraction: Decimal) -> bool:
        above = fraction >= self.low if self.low_inclusive else fraction > self.low
        below = fraction <= self.high if self.high_inclusive else fraction < self.high
        return above and below

    def describe(self, weight: Decimal) -> str:
        """The band's scores for ``weight`` as a person says them: "不低于 9 分且低于 12 分"."""
        lo, hi = _fmt(self.low * weight), _fmt(self.high * weight)
        low = f"不低于 {lo} 分" if self.low_inclusive else f"高于 {lo} 分"
        high = f"不高于 {hi} 分" if self.high_inclusive else f"低于 {hi} 分"
        return f"{low}且{high}"


@dataclass(frozen=True)
class Grade:
    label: str
    minimum: Decimal


@dataclass(frozen=True)
class Source:
    """Where a parameter's value comes from."""

    document: str
    title: str
    date: dt.date | None
    note: str = ""

    def cite(self) -> str:
        date = f"，{self.date.isoformat()}" if self.date else ""
        return f"{self.title}（{self.document}{date}）"


@dataclass(frozen=True)
class Rules:
    """A profile resolved for one evaluation year."""

    profile: str
    title: str
    year: int
    total_points: Decimal  # 满分: the execution weight and every indicator's weight add up to this
    execution_weight: Decimal
    blocks: tuple[Block, ...]
    grades: tuple[Grade, ...]  # highest first
    bands: tuple[Band, ...]
    lower_formula: str  # "ratio" or "linear"
    equal_formula: str  # "ratio" or "linear"
    reason_shortfall: bool
    reason_excess_ratio: Decimal | None
    reason_excess_zero_target: Decimal | None
    execution_reason_below: Decimal | None
    hierarchy: dict[str, tuple[str, ...]]
    level_aliases: dict[str, str]
    lower_level2: tuple[str, ...]
    score_places: int
    deviation_places: int
    rate_places: int
    sources: dict[str, Source] = field(default_factory=dict)

    @cached_property
    def level2_owner(self) -> dict[str, str]:
        """二级指标 -> the 一级指标 it belongs to."""
        return {l2: l1 for l1, l2s in self.hierarchy.items() for l2 in l2s}

    def band(self, key: str) -> Band:
        for band in self.bands:
            if band.key == key:
                return band
        raise KeyError(key)

    def grade_of(self, total: Decimal) -> str:
        for grade in self.grades:
            if total >= grade.minimum:
                return grade.label
        return self.grades[-1].label


# ---------------------------------------------------------------------------
# Parameter schema: name -> (description, converter). A converter turns the
# plain YAML value into the typed value, or raises ValueError with a Chinese
# explanation.


def _number(value: Any) -> Decimal:
    if not isinstance(value, Decimal):
        raise ValueError("应为数字")
    return value


def _fraction(value: Any) -> Decimal:
    number = _number(value)
    if not 0 <= number <= 1:
        raise ValueError("应为 0 到 1 之间的比例")
    return number


def _optional_number(value: Any) -> Decimal | None:
    return None if value is None else _number(value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("应为 true 或 false")
    return value


def _places(value: Any) -> int:
    number = _number(value)
    if number != number.to_integral_value() or not 0 <= number <= 6:
        raise ValueError("应为 0 到 6 的整数")
    return int(number)


def _choice(*choices: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"应为 {' / '.join(choices)} 之一")
        return str(value)

    return convert


def _str_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("应为文字列表")
    return tuple(value)


def _keys(item: Any, required: set[str], optional: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    if not isinstance(item, dict):
        raise ValueError("每一项应为键值表")
    missing = required - set(item)
    unknown = set(item) - required - set(optional)
    if missing or unknown:
        raise ValueError(f"缺少 {sorted(missing)}，未知字段 {sorted(unknown)}")
    return item


def _blocks(value: Any) -> tuple[Block, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError("应为一级指标块的列表")
    blocks = []
    for item in value:
        data = _keys(item, {"levels", "weight"})
        blocks.append(Block(_str_list(data["levels"]), _number(data["weight"])))
    return tuple(blocks)


def _grades(value: Any) -> tuple[Grade, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError("应为等级列表")
    grades = []
    for item in value:
        data = _keys(item, {"label", "min"})
        grades.append(Grade(str(data["label"]), _number(data["min"])))
    if [g.minimum for g in grades] != sorted((g.minimum for g in grades), reverse=True):
        raise ValueError("等级应按下限从高到低排列")
    if grades[-1].minimum != 0:
        raise ValueError("最低一档的下限应为 0")
    return tuple(grades)


_BAND_KEYS = ("achieved", "partial", "missed")


def _bands(value: Any) -> tuple[Band, ...]:
    if not isinstance(value, list) or [i.get("key") for i in value if isinstance(i, dict)] != list(
        _BAND_KEYS
    ):
        raise ValueError(f"应依次列出 {', '.join(_BAND_KEYS)} 三档")
    bands = []
    for item in value:
        data = _keys(
            item,
            {"key", "label", "aliases", "low", "high", "low_inclusive", "high_inclusive"},
            {"default"},
        )
        low, high = _fraction(data["low"]), _fraction(data["high"])
        if low >= high:
            raise ValueError(f"档次 {data['key']} 的下限应小于上限")
        default = data.get("default")
        band = Band(
            key=str(data["key"]),
            label=str(data["label"]),
            aliases=_str_list(data["aliases"]),
            low=low,
            high=high,
            low_inclusive=_boolean(data["low_inclusive"]),
            high_inclusive=_boolean(data["high_inclusive"]),
            default=None if default is None else _fraction(default),
        )
        if band.default is not None and not band.contains(band.default):
            raise ValueError(f"档次 {band.key} 的默认分值不在档次区间内")
        bands.append(band)
    return tuple(bands)


def _hierarchy(value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict) or not value:
        raise ValueError("应为 一级指标: [二级指标, …] 的键值表")
    return {str(k): _str_list(v) for k, v in value.items()}


def _aliases(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("应为 别名: 标准名称 的键值表")
    return {str(k): str(v) for k, v in value.items()}


Schema = Mapping[str, tuple[str, Callable[[Any], Any]]]  # parameter name -> (description, converter)

PARAMETERS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "total_points": ("满分（预算执行率与各指标分值之和）", _number),
    "execution_weight": ("预算执行率分值", _number),
    "blocks": ("一级指标分值（原则上）", _blocks),
    "grades": ("评价等级及下限", _grades),
    "qualitative_bands": ("定性指标评价档次及分值区间", _bands),
    "lower_formula": ("反向指标超出目标时的计分公式", _choice("ratio", "linear")),
    "equal_formula": ("等于型指标偏离目标时的计分公式", _choice("ratio", "linear")),
    "reason_shortfall": ("未完成目标时须说明原因", _boolean),
    "reason_excess_ratio": ("超额完成须说明原因的倍数界线", _optional_number),
    "reason_excess_zero_target": ("目标为 0 时须说明原因的实际值界线", _optional_number),
    "execution_reason_below": ("预算执行率低于此值须说明原因", _optional_number),
    "hierarchy": ("指标体系（一级、二级指标）", _hierarchy),
    "level_aliases": ("指标名称别名", _aliases),
    "lower_level2": ("未写符号时按反向计分的二级指标", _str_list),
    "score_places": ("得分保留小数位", _places),
    "deviation_places": ("偏差率（比例）保留小数位", _places),
    "rate_places": ("执行率（比例）保留小数位", _places),
}


@dataclass(frozen=True)
class _Dated:
    date: dt.date
    value: Any
    source: Source


@dataclass(frozen=True)
class ProfileFile:
    """One profile file, checked but not yet resolved for a year."""

    name: str
    title: str
    description: str
    extends: str | None
    parameters: dict[str, tuple[_Dated, ...]]  # each sorted by date
    path: str


_TOP_KEYS = {"profile", "title", "description", "extends", "documents", "parameters"}
_DOC_KEYS = {"title", "date", "url", "note"}
_VALUE_KEYS = {"value", "document", "note"}


def available_profiles() -> list[str]:
    """Names of the profiles shipped in workbook_templates/profiles/."""
    return profile_names()


@lru_cache(maxsize=32)
def read_profile(name: str) -> ProfileFile:
    """Read and check one profile file by name (e.g. ``mof-2020``)."""
    return read_profile_in((), name, PARAMETERS, "规则")


def _folder(folder: tuple[str, ...]) -> Traversable:
    found = profiles_dir()
    for part in folder:
        found = found.joinpath(part)
    return found


def profile_names(*folder: str) -> list[str]:
    """Names of the profiles in workbook_templates/profiles/, or in a folder below it (another form
    kind's rules: ``evaluation``)."""
    return sorted(entry.name[: -len(".yaml")] for entry in _folder(folder).iterdir() if entry.name.endswith(".yaml"))


def read_profile_in(folder: tuple[str, ...], name: str, parameters: Schema, what: str) -> ProfileFile:
    """Read and check profile ``name`` of ``folder`` against ``parameters``; ``what`` names such
    profiles in messages."""
    names = profile_names(*folder)
    if name not in names:
        raise RuleDataError(f"没有名为“{name}”的{what}，可用的有：{'、'.join(names)}")
    filename = f"{name}.yaml"
    text = _folder(folder).joinpath(filename).read_text(encoding="utf-8")
    return parse_profile(text, "/".join(("workbook_templates/profiles", *folder, filename)), name, parameters)


def parse_profile(text: str, path: str, name: str, parameters: Schema = PARAMETERS) -> ProfileFile:
    """Check a profile's text against ``parameters`` (the 自评表's by default; another form kind
    passes its own); every problem is reported with its line."""
    root = yamlfile.parse(text, path, RuleDataError)
    problems: list[str] = []
    if root.kind != "map":
        raise RuleDataError(f"规则文件 {path} 顶层应为键值表")
    for key, line in root.keys.items():
        if key not in _TOP_KEYS:
            problems.append(f"第 {line} 行：未知字段“{key}”，可用：{'、'.join(sorted(_TOP_KEYS))}")
    declared = _text(root, "profile", problems)
    if declared and declared != name:
        problems.append(f"第 {root.value['profile'].line} 行：profile 应与文件名一致（{name}）")
    documents = _documents(root.get("documents"), problems)
    params: dict[str, tuple[_Dated, ...]] = {}
    params_node = root.get("parameters")
    if params_node is None or params_node.kind != "map":
        problems.append("缺少 parameters 键值表")
    else:
        for pname, pnode in params_node.value.items():
            line = params_node.keys[pname]
            if pname not in parameters:
                problems.append(
                    f"第 {line} 行：未知参数“{pname}”，可用：{'、'.join(parameters)}"
                )
                continue
            params[pname] = _dated_values(pname, pnode, documents, problems, parameters)
    extends_node = root.get("extends")
    extends = None
    if extends_node is not None and extends_node.kind != "null":
        extends = str(extends_node.value)
    if problems:
        raise RuleDataError(f"规则文件 {path} 有 {len(problems)} 处错误：", problems)
    return ProfileFile(
        name=name,
        title=_text(root, "title", []) or name,
        description=_text(root, "description", []) or "",
        extends=extends,
        parameters=params,
        path=path,
    )


def _text(root: Node, key: str, problems: list[str]) -> str | None:
    node = root.get(key)
    if node is None:
        return None
    if node.kind != "str":
        problems.append(f"第 {node.line} 行：{key} 应为文字")
        return None
    return str(node.value)


def _documents(node: Node | None, problems: list[str]) -> dict[str, tuple[str, dt.date | None]]:
    out: dict[str, tuple[str, dt.date | None]] = {}
    if node is None:
        return out
    if node.kind != "map":
        problems.append(f"第 {node.line} 行：documents 应为键值表")
        return out
    for doc_id, doc in node.value.items():
        if doc.kind != "map":
            problems.append(f"第 {doc.line} 行：文件“{doc_id}”应为键值表")
            continue
        for key, line in doc.keys.items():
            if key not in _DOC_KEYS:
                problems.append(f"第 {line} 行：文件“{doc_id}”有未知字段“{key}”")
        title = doc.get("title")
        date = doc.get("date")
        if title is None or title.kind != "str":
            problems.append(f"第 {doc.line} 行：文件“{doc_id}”缺少 title")
            continue
        if date is not None and date.kind != "date":
            problems.append(f"第 {date.line} 行：文件“{doc_id}”的 date 应为 YYYY-MM-DD")
            continue
        out[doc_id] = (str(title.value), date.value if date is not None else None)
    return out


def _dated_values(
    pname: str,
    node: Node,
    documents: dict[str, tuple[str, dt.date | None]],
    problems: list[str],
    parameters: Schema = PARAMETERS,
) -> tuple[_Dated, ...]:
    if node.kind != "map" or not node.value:
        problems.append(f"第 {node.line} 行：参数 {pname} 应为 日期: {{value, document}} 的键值表")
        return ()
    _, convert = parameters[pname]
    values = []
    for date_text, entry in node.value.items():
        line = node.keys[date_text]
        try:
            date = dt.date.fromisoformat(date_text)
        except ValueError:
            problems.append(f"第 {line} 行：参数 {pname} 的生效日期“{date_text}”不是 YYYY-MM-DD")
            continue
        if entry.kind != "map":
            problems.append(f"第 {line} 行：参数 {pname} 在 {date_text} 的取值应为 {{value, document}}")
            continue
        for key, key_line in entry.keys.items():
            if key not in _VALUE_KEYS:
                problems.append(f"第 {key_line} 行：参数 {pname} 有未知字段“{key}”")
        if "value" not in entry.value or "document" not in entry.value:
            problems.append(f"第 {line} 行：参数 {pname} 在 {date_text} 须同时写 value 和 document")
            continue
        doc_id = str(entry.value["document"].value)
        if doc_id not in documents:
            problems.append(f"第 {line} 行：参数 {pname} 引用了未在 documents 中列出的文件“{doc_id}”")
            continue
        try:
            value = convert(yamlfile.plain(entry.value["value"]))
        except ValueError as exc:
            problems.append(f"第 {entry.value['value'].line} 行：参数 {pname}（{parameters[pname][0]}）{exc}")
            continue
        note_node = entry.get("note")
        title, doc_date = documents[doc_id]
        source = Source(doc_id, title, doc_date, str(note_node.value) if note_node else "")
        values.append(_Dated(date, value, source))
    return tuple(sorted(values, key=lambda d: d.date))


def _lookup(profile: ProfileFile, pname: str, instant: dt.date, chain: tuple[str, ...],
            read: Callable[[str], ProfileFile] = read_profile) -> _Dated | None:
    for dated in reversed(profile.parameters.get(pname, ())):
        if dated.date <= instant:
            return dated
    if profile.extends is None:
        return None
    if profile.extends in chain:
        raise RuleDataError(f"规则继承出现循环：{' → '.join((*chain, profile.extends))}")
    return _lookup(read(profile.extends), pname, instant, (*chain, profile.extends), read)


@lru_cache(maxsize=128)
def load_rules(name: str = DEFAULT_PROFILE, year: int = 2020) -> Rules:
    """Resolve profile ``name`` for budget year ``year``."""
    profile = read_profile(name)
    resolved, sources = resolve(profile, year)
    rules = Rules(
        profile=name,
        title=profile.title,
        year=year,
        total_points=resolved["total_points"],
        execution_weight=resolved["execution_weight"],
        blocks=resolved["blocks"],
        grades=resolved["grades"],
        bands=resolved["qualitative_bands"],
        lower_formula=resolved["lower_formula"],
        equal_formula=resolved["equal_formula"],
        reason_shortfall=resolved["reason_shortfall"],
        reason_excess_ratio=resolved["reason_excess_ratio"],
        reason_excess_zero_target=resolved["reason_excess_zero_target"],
        execution_reason_below=resolved["execution_reason_below"],
        hierarchy=resolved["hierarchy"],
        level_aliases=resolved["level_aliases"],
        lower_level2=resolved["lower_level2"],
        score_places=resolved["score_places"],
        deviation_places=resolved["deviation_places"],
        rate_places=resolved["rate_places"],
        sources=sources,
    )
    _check_consistency(rules, profile.path)
    return rules


def resolve(profile: ProfileFile, year: int, parameters: Schema = PARAMETERS,
            read: Callable[[str], ProfileFile] = read_profile) -> tuple[dict[str, Any], dict[str, Source]]:
    """Every parameter of ``profile`` (and the profiles it extends, read with ``read``) for budget
    year ``year``, with its source; an error lists the parameters no value is in force for."""
    instant = evaluation_instant(year)
    resolved: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    missing = []
    for pname in parameters:
        dated = _lookup(profile, pname, instant, (profile.name,), read)
        if dated is None:
            missing.append(f"{pname}（{parameters[pname][0]}）")
            continue
        resolved[pname] = dated.value
        sources[pname] = dated.source
    if missing:
        earliest = _earliest(profile)
        hint = f"该规则最早适用于 {earliest.year - 1} 年度，" if earliest else ""
        others = covering_profiles(year, exclude=profile.name) if read is read_profile else []
        advice = (f"适用于 {year} 年度的规则：{'、'.join(others)}，"
                  f"请用 --profile {others[0]} 指定（项目文件写 profile，清单填“规则”列）" if others
                  else "请改用适用于该年度的规则")
        every = len(missing) == len(parameters)  # the profile starts later: the list says nothing more
        raise RuleDataError(
            f"规则“{profile.name}”没有适用于 {year} 年度（{instant.isoformat()} 前生效）的取值。{hint}{advice}"
            "（perfeval-xl profiles 可列出全部规则）",
            [] if every else missing,
        )
    return resolved, sources


def covering_profiles(year: int, exclude: str = "") -> list[str]:
    """The 自评表 profiles with a value for every parameter in budget ``year``."""
    out = []
    instant = evaluation_instant(year)
    for other in available_profiles():
        if other == exclude:
            continue
        try:
            profile = read_profile(other)
            if all(_lookup(profile, pname, instant, (other,)) is not None for pname in PARAMETERS):
                out.append(other)
        except RuleDataError:
            continue
    return out


def _earliest(profile: ProfileFile) -> dt.date | None:
    dates = [d.date for values in profile.parameters.values() for d in values]
    return min(dates) if dates else None


def _check_consistency(rules: Rules, path: str) -> None:
    problems = []
    levels = [level for block in rules.blocks for level in block.levels]
    for level in levels:
        if level not in rules.hierarchy:
            problems.append(f"blocks 中的一级指标“{level}”不在 hierarchy 中")
    for level in rules.hierarchy:
        if level not in levels:
            problems.append(f"hierarchy 中的一级指标“{level}”没有分值（blocks）")
    total = rules.execution_weight + sum((b.weight for b in rules.blocks), Decimal(0))
    if total != rules.total_points:
        problems.append(f"预算执行率与各一级指标分值合计为 {_fmt(total)}，应为满分 {_fmt(rules.total_points)}")
    known = set(rules.hierarchy) | {l2 for l2s in rules.hierarchy.values() for l2 in l2s}
    for alias, canonical in rules.level_aliases.items():
        if canonical not in known:
            problems.append(f"别名“{alias}”指向未知指标“{canonical}”")
    if problems:
        raise RuleDataError(f"规则文件 {path} 在 {rules.year} 年度的取值互相矛盾：", problems)


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
