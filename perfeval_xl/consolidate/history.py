"""Across years: the 历年对比 sheet, and the ``target-too-low`` warning.

When the store holds forms of earlier years, each project of this review is matched
with the same project of the latest earlier year by 实施单位 + 项目名称 (a year written
in the name — 2022年度… / 2023年… — spaces and full-width characters ignored), and its
total and grade are shown beside last year's.

财预〔2020〕10号 asks that a target set clearly too low be scored down by its deviation.
The sign of it this module looks for: an indicator that last year exceeded its target by
at least the profile's excess line (the line past which a reason is required, Guangxi's
130% in mof-2020) and whose target this year is no more demanding (not higher for a
higher-is-better indicator, not lower for a lower-is-better one). It is a warning, for
the reviewer to weigh; the score is not changed. The same check runs in ``perfeval-xl
check --db 汇总库`` on a single form.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import display, scoring
from .. import findings as F
from ..engine import ProjectResult
from ..errors import FileError
from ..findings import Finding
from ..kinds import SELF
from ..notation import (
    Direction,
    ParseProblem,
    Quantity,
    Target,
    UnitMismatch,
    convert,
    direction_of,
    format_number,
    infer_direction,
    parse_quantity,
    parse_target,
)
from ..profiles import DEFAULT_PROFILE, Rules, load_rules
from ..rounding import div, round_half_away
from . import printing
from .printing import Column
from .store import Store

_YEAR_IN_NAME = re.compile(r"(?:19|20)\d{2}\s*年度?")
POLICY = "财预〔2020〕10号：绩效目标设置明显偏低的，按偏离度适度调减分值"

COLUMNS = (
    Column("主管部门", 14), Column("实施单位", 16), Column("项目名称", 26), Column("年度", 6, "int", False),
    Column("总分", 12, "num", False), Column("等级", 6, "center"), Column("上年度", 7, "int", False),
    Column("上年总分", 12, "num", False), Column("上年等级", 6, "center"), Column("变化", 8, "num", False),
    Column("指标值可能偏低", 8, "int", False), Column("上年文件", 28),
)

Found = tuple[str, str, str, str | None, str]  # severity, code, where, location, message (as the store's)


def match_key(unit: object, project: object) -> tuple[str, str]:
    """实施单位 + 项目名称 as years are matched: the year in a name, spaces, width and case ignored."""
    def plain(text: object) -> str:
        return "".join(unicodedata.normalize("NFKC", str(text or "")).split()).casefold()

    return plain(unit), plain(_YEAR_IN_NAME.sub("", unicodedata.normalize("NFKC", str(project or ""))))


@dataclass(frozen=True)
class IndicatorLine:
    """What the check needs of one indicator: its 二级指标, name, target and actual as written."""

    level2: str
    name: str
    target: str | None
    actual: str | None
    location: str | None = None


def _quantity(target: Target) -> Quantity:
    assert target.value is not None
    return Quantity(target.value, target.unit or None, target.text)


def _line_text(target: Target, rules: Rules, direction: Direction) -> str:
    if target.value == 0:
        return f"指标值为 0 时实际值达到 {display.number(rules.reason_excess_zero_target)}"
    assert rules.reason_excess_ratio is not None
    line = rules.reason_excess_ratio if direction is Direction.HIGHER else 2 - rules.reason_excess_ratio
    word = "达到" if direction is Direction.HIGHER else "不超过"
    return f"实际值{word}指标值的 {display.number(line * 100)}%"


def too_low(this: IndicatorLine, last: IndicatorLine, rules: Rules, last_year: int) -> Finding | None:
    """The warning for one indicator matched across two years, or None."""
    now, before = parse_target(this.target), parse_target(last.target)
    if now is None or before is None or now.qualitative or before.qualitative:
        return None
    assert before.value is not None
    try:
        quantity = parse_quantity(last.actual)
        if quantity is None:
            return None
        actual, _ = convert(quantity, before)
        raised, _ = convert(_quantity(now), before)  # this year's target in last year's unit
    except (ParseProblem, UnitMismatch):
        return None
    direction = (direction_of(before.sign) if before.sign is not None
                 else infer_direction(before, last.level2, rules.lower_level2))
    if direction is Direction.EQUAL:
        return None
    if not scoring.is_large_excess(before.value, actual, direction, rules.reason_excess_ratio,
                                   rules.reason_excess_zero_target, before.display_scale):
        return None
    if (direction is Direction.HIGHER and raised > before.value) or (
            direction is Direction.LOWER and raised < before.value):
        return None  # the target was made more demanding
    shown = format_number(actual, before.unit)
    ratio = (f"，为指标值的 {display.number(round_half_away(div(actual, before.value) * 100, 1))}%"
             if before.value else "")
    kept = "未高于上年" if direction is Direction.HIGHER else "未低于上年"
    return F.warning(
        "target-too-low", f"三级指标“{this.name}”",
        f"上年（{last_year}年度）年度指标值“{before.text}”，实际完成 {shown}{ratio}（{_line_text(before, rules, direction)}"
        f"即须说明原因）；本年度指标值“{now.text}”{kept}，可能设置偏低，请核实（{POLICY}）",
        this.location)


def target_too_low(this: Sequence[IndicatorLine], last: Sequence[IndicatorLine], rules: Rules,
                   last_year: int) -> list[Finding]:
    """Every indicator of this year whose target looks too low against last year's result.

    Indicators are matched by 三级指标 name (preferring the same 二级指标). Nothing is said
    when the profile has no excess line.
    """
    if rules.reason_excess_ratio is None and rules.reason_excess_zero_target is None:
        return []
    by_name: dict[str, list[IndicatorLine]] = defaultdict(list)
    for line in last:
        by_name[match_key("", line.name)[1]].append(line)
    out = []
    for line in this:
        candidates = by_name.get(match_key("", line.name)[1], [])
        match = next((c for c in candidates if c.level2 == line.level2), candidates[0] if candidates else None)
        if match is not None and (found := too_low(line, match, rules, last_year)) is not None:
            out.append(found)
    return out


def store_lines(rows: Iterable[Sequence[Any]]) -> list[IndicatorLine]:
    """The store's indicator rows (level1, level2, name, target, actual, …) as lines."""
    return [IndicatorLine(str(r[1] or ""), str(r[2] or ""), r[3], r[4]) for r in rows]


def result_lines(result: ProjectResult) -> list[IndicatorLine]:
    return [IndicatorLine(ind.level2, ind.spec.name, ind.target.text if ind.target else None,
                          None if ind.spec.actual is None else str(ind.spec.actual),
                          ind.spec.locations.get("target")) for ind in result.indicators]


def _previous(candidates: Sequence[sqlite3.Row], year: int | None) -> sqlite3.Row | None:
    earlier = [c for c in candidates if year is None or (c["year"] is not None and c["year"] < year)]
    if not earlier:
        return None
    return max(earlier, key=lambda r: (r["year"] or 0, r["saved_at"] or "", r["mtime"] or 0, r["id"]))


class EarlierYears:
    """The store's projects of earlier years, by 实施单位 + 项目名称."""

    def __init__(self, store: Store, before: int) -> None:
        self.by_key: dict[tuple[str, tuple[str, str]], list[sqlite3.Row]] = defaultdict(list)
        for row in store.earlier_projects(before):
            self.by_key[(row["form_kind"] or SELF, match_key(row["unit"], row["project"]))].append(row)

    def __bool__(self) -> bool:
        return bool(self.by_key)

    def previous(self, unit: object, project: object, year: int | None, kind: str = SELF) -> sqlite3.Row | None:
        """The same project on the same kind of form in the latest earlier year (a 评分表 is compared
        with last year's 评分表, a 自评表 with last year's 自评表)."""
        return _previous(self.by_key.get((kind, match_key(unit, project)), []), year)


@dataclass
class YearPair:
    """A project of this review and the same project in the latest earlier year, with how many of its
    targets look too low."""

    current: sqlite3.Row
    previous: sqlite3.Row
    low: int = 0


@dataclass
class History:
    """历年对比 of a review, and its target-too-low findings by project id."""

    pairs: list[YearPair]
    findings: dict[int, list[Found]] = field(default_factory=dict)

    @property
    def matched(self) -> int:
        return len(self.pairs)


def compare_years(store: Store, kept: Sequence[sqlite3.Row]) -> History | None:
    """历年对比 for the review's projects found in an earlier year, or None when there is none
    (the store holds no earlier year, or none of this review's projects)."""
    years = [p["year"] for p in kept if p["year"] is not None]
    if not years:
        return None
    earlier = EarlierYears(store, max(years))
    if not earlier:
        return None
    history = History([])
    for p in kept:
        kind = p["form_kind"] or SELF
        previous = earlier.previous(p["unit"], p["project"], p["year"], kind)
        if previous is None or p["year"] is None:
            continue
        low: list[Finding] = []
        if kind == SELF:  # the 自评表's excess line; a 评分表's targets are the evaluator's, not the unit's
            rules = load_rules(p["profile"] or DEFAULT_PROFILE, p["year"])
            low = target_too_low(store_lines(store.indicators(p["id"])),
                                 store_lines(store.indicators(previous["id"])), rules, previous["year"])
        if low:
            history.findings[p["id"]] = [(f.severity.value, f.code, f.where, f.location, f.message) for f in low]
        history.pairs.append(YearPair(p, previous, len(low)))
    return history if history.pairs else None


def _change(pair: YearPair) -> float | None:
    now, before = pair.current, pair.previous
    if not now["complete"] or not before["complete"] or now["total"] is None \
            or before["total"] is None:
        return None
    return float(Decimal(str(now["total"])) - Decimal(str(before["total"])))


def write_history(workbook: Any, fmt: dict[str, Any], history: History, shown: Callable[[str], str],
                  run_date: str) -> None:
    """The 历年对比 sheet: the biggest drops first, then projects without a comparable total."""
    sheet = printing.add_sheet(workbook, "历年对比")
    printing.write_header(sheet, fmt, COLUMNS)

    def order(pair: YearPair) -> tuple[int, float, str, str]:
        change = _change(pair)
        return int(change is None), change or 0.0, pair.current["unit"] or "", pair.current["project"] or ""

    row = 0
    table = printing.Table(sheet, fmt, COLUMNS)
    for row, pair in enumerate(sorted(history.pairs, key=order), start=1):
        p, q = pair.current, pair.previous
        assert q is not None
        values: list[object] = [
            p["department"], p["unit"], p["project"], p["year"], p["total"], p["grade"] or "未定级", q["year"],
            q["total"], q["grade"] or "未定级", _change(pair), pair.low or "", shown(q["path"]) if q["path"] else "",
        ]
        override = {}
        if not p["complete"]:
            override[4] = "partial"
        if not q["complete"]:
            override[7] = "partial"
        table.row(row, values, override)
    if row:
        sheet.autofilter(0, 0, row, len(COLUMNS) - 1)
        sheet.conditional_format(1, 9, row, 9, {"type": "cell", "criteria": "<", "value": 0, "format": fmt["bad"]})
        sheet.conditional_format(1, 10, row, 10, {"type": "cell", "criteria": ">", "value": 0, "format": fmt["warn"]})
    printing.setup_print(sheet, "项目支出绩效自评汇总——历年对比", run_date)


def check_against_store(results: Sequence[Any], db: str | Path) -> int:
    """Add ``target-too-low`` warnings to ``results`` from the earlier years in the store ``db``
    (``perfeval-xl check --db``); returns how many projects were found in an earlier year."""
    path = Path(db)
    if not path.is_file():
        raise FileError(f"找不到汇总库 {path}；--db 应指定 perfeval-xl consolidate --db 写出的汇总库文件")
    store = Store.read_only(path)
    found = 0
    try:
        years = [r.spec.year for r in results if r.spec.year is not None]
        if not years:
            return 0
        earlier = EarlierYears(store, max(years))
        for result in results:
            if not isinstance(result, ProjectResult):  # only a 自评表's targets are the unit's own
                continue
            previous = earlier.previous(result.spec.unit, result.spec.project, result.spec.year)
            if previous is None:
                continue
            found += 1
            result.findings.extend(target_too_low(result_lines(result), store_lines(store.indicators(previous["id"])),
                                                  result.rules, previous["year"]))
    except sqlite3.DatabaseError:
        raise FileError(f"{path} 不是 perfeval-xl 的汇总库（SQLite 文件），请检查 --db 指定的文件") from None
    finally:
        store.close()
    return found
