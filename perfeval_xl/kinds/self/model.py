"""The form's formulas computed in Python: the values a new form carries as cached results.

LibreOffice does not recalculate an .xlsx on opening unless told to, and some
viewers never calculate at all, so a form must open showing correct values. This
module evaluates, for every computed cell, exactly what the formula in
:mod:`.formulas` evaluates. What the formulas read from a cell (its text, its number,
its unit) is followed step by step here; the scoring rules themselves are not restated:
a row's score, deviation, reasons and the project's execution score and total call
:mod:`perfeval_xl.scoring`, the functions the engine scores with, so a rule is written
once in Python and once as formula text. The tests compare these values with
LibreOffice's recalculation of the same file, cell by cell, and with the engine for
every profile (tests/test_twin_properties.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ... import scoring
from ...form.params import FormParams
from ...notation import Direction, has_digit, percent_rescaled
from ...profiles import Band
from ...rounding import div, round_half_away
from .formulas import DROP, EXECUTION_LOW_TEXT, REPLACE, RUN_LENGTH, STATE_TEXTS
from .layout import Col

Value = str | float | bool | int
D0 = Decimal(0)


def formula_normalize(text: str) -> str:
    """What the form's SUBSTITUTE chain makes of ``text``."""
    for char in (*DROP, "\n", "\r"):
        text = text.replace(char, "")
    for old, new in REPLACE:
        text = text.replace(old, new)
    return text


class ErrorValue(str):
    """An error value in a cell (#REF!, #N/A …), as the twin's inputs carry it."""


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, (bool, ErrorValue))


def _dec(value: object) -> Decimal:
    from ...rounding import to_decimal

    return to_decimal(value)


def cell_text(value: object) -> str:
    """What formulas.cell_text makes of a cell: "" for a number or an error value, TRUE/FALSE
    for a logical value, the normalised text otherwise."""
    if value is None or isinstance(value, ErrorValue) or _is_number(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return formula_normalize(str(value))


_NO_DIGITS = str.maketrans("", "", "0123456789")


def is_plain(text: str) -> bool:
    """formulas.is_plain: an optional "-", digits, at most one "." and at least one digit."""
    body = text[1:] if text.startswith("-") else text
    rest = body.translate(_NO_DIGITS)
    return rest in ("", ".") and len(body) > len(rest)


def plain_value(text: str) -> Decimal | None:
    """VALUE() of a text that :func:`is_plain` accepts (a percentage: the text without its %,
    divided by 100); None otherwise."""
    body, scale = (text[:-1], Decimal(100)) if text.endswith("%") else (text, Decimal(1))
    if not is_plain(body):
        return None
    return div(Decimal(body), scale)


def actual_body(anorm: str, unit: str) -> str:
    """formulas.abody: the number part of a typed actual against a target of unit ``unit``."""
    if anorm.endswith("%"):
        return anorm[:-1] if unit in ("", "%") else "#"
    if unit and unit != "%" and len(anorm) > len(unit) and anorm.endswith(unit):
        body = anorm[: -len(unit)]
        return "#" if body.endswith("%") else body
    return anorm


def actual_text_value(anorm: str, unit: str, max_number: Decimal) -> Decimal | None:
    """A typed actual (normalised text) as the form's AVALUE formula reads it, against a
    target whose unit is ``unit`` ("" for none, "%" for a percentage): a plain number, a
    percentage only against a percentage or a unitless target, or a plain number followed by
    the target's own unit. None when unreadable."""
    body = actual_body(anorm, unit)
    if not is_plain(body):
        return None
    value = plain_value(anorm if anorm.endswith("%") else body)
    return value if value is not None and abs(value) < max_number else None


def amount_value(value: object, params: FormParams) -> Decimal | str | None:
    """formulas.amount: an amount cell as the 计算 sheet reads it, in 万元; None when blank,
    "#" when unreadable."""
    if isinstance(value, (ErrorValue, bool)):
        return "#"
    if _is_number(value):
        typed = _dec(value)
        return typed if abs(typed) < params.max_number else "#"
    text = cell_text(value)
    if text == "" or text in params.empty:
        return None
    unit = max((u for u in params.money_unit if text.endswith(u)), key=len, default="")
    scale = params.money_scale[params.money_unit.index(unit)] if unit else params.money_per_amount
    number = text[: len(text) - len(unit)]
    if not is_plain(number):
        return "#"
    amount = round_half_away(div(Decimal(number) * scale, params.money_per_amount), params.clean)
    return amount if abs(amount) < params.max_number else "#"


@dataclass(frozen=True)
class Declared:
    """A target whose structure the generator writes as literal values (locked rows)."""

    kind: str  # "N" or "Q"
    direction: int | None
    tvalue: Decimal | None
    scale: int
    unit: str
    tnorm: str


@dataclass
class RowInput:
    """What is in the input cells of one indicator row."""

    level1: str
    level2: str
    name: object = None
    target: object = None
    actual: object = None
    weight: object = None
    reason: object = None
    qscore: object = None
    declared: Declared | None = None


def parse_columns(target: object, level2: str, params: FormParams) -> dict[int, Value]:
    """The target-parsing helper columns of an editable row (and its structured target)."""
    out: dict[int, Value] = {}
    number_cell = _is_number(target)
    norm = cell_text(target)
    out[Col.NORM] = norm
    sign_len = 0
    if norm:
        for key, length in zip(params.sign_key, params.sign_len, strict=True):
            if norm[:length] == key:
                sign_len = max(sign_len, length)
    out[Col.SIGN_LEN] = sign_len
    sign = ""
    if sign_len:
        sign = params.sign_val[params.sign_key.index(norm[:sign_len])]
    out[Col.SIGN] = sign
    neg = norm[sign_len:][:1] == "-"
    out[Col.NEG] = neg
    body = norm[sign_len + (1 if neg else 0):]
    out[Col.BODY] = body
    run = 0
    while run < len(body) and body[run] in "0123456789.":
        run += 1
    if run >= RUN_LENGTH:
        run = 0
    out[Col.RUN] = run
    num: Decimal | None = None
    if run and is_plain(body[:run]):
        value = Decimal(body[:run])
        num = -value if neg else value
    out[Col.NUM] = "" if num is None else float(num)
    after = body[run:]
    out[Col.AFTER] = after
    pct = after[:1] == "%"
    out[Col.PCT] = pct
    tail = after[1:] if pct else after
    for mark in params.mark:
        tail = tail.replace(mark, "")
    suffix_len = 0
    for key, length in zip(params.suf_key, params.suf_len, strict=True):
        if tail[-length:] == key:
            suffix_len = max(suffix_len, length)
    out[Col.SUFFIX_LEN] = suffix_len
    unit_tail = tail[: len(tail) - suffix_len]
    out[Col.UNIT_TAIL] = unit_tail
    final = params.suf_val[params.suf_key.index(tail[-suffix_len:])] if suffix_len else sign
    out[Col.FINAL_SIGN] = final
    qual = (
        num is None
        or has_digit(unit_tail)
        or (len(unit_tail) > 0 and unit_tail[0] in params.not_unit_start)
        or (not final and not pct and len(unit_tail) > 0 and unit_tail[0] in params.date_units)
    )
    out[Col.QUAL] = qual
    empty = not number_cell and (norm == "" or norm in params.empty)
    kind = "" if isinstance(target, ErrorValue) or empty else "N" if number_cell else "Q" if qual else "N"
    out[Col.KIND] = kind
    tvalue: Decimal | None = None
    if kind == "N":
        if number_cell:
            tvalue = _dec(target)
        else:
            assert num is not None
            tvalue = div(num, Decimal(100)) if pct else num
    out[Col.TVALUE] = "" if tvalue is None else float(tvalue)
    out[Col.SCALE] = 100 if kind == "N" and not number_cell and pct else 1
    out[Col.UNIT] = "" if kind != "N" or number_cell else "%" if pct else unit_tail
    direction: Value = ""
    if kind == "N":
        if final:
            direction = params.dir_code[params.dir_sign.index(final)]
        else:
            assert tvalue is not None
            duration = level2 in params.duration_l2 and out[Col.UNIT] in params.duration_unit
            direction = -1 if level2 in params.lower_l2 or tvalue == 0 or duration else 1
    out[Col.DIRECTION] = direction
    out[Col.TNORM] = norm
    return out


def row_values(row: RowInput, params: FormParams) -> dict[int, Value]:
    """Every computed cell of one indicator row, as its formula computes it."""
    out: dict[int, Value] = {}
    out[Col.L1], out[Col.L2] = row.level1, row.level2
    if row.declared is None:
        out.update(parse_columns(row.target, row.level2, params))
        kind = str(out[Col.KIND])
        direction = out[Col.DIRECTION]
        tvalue_v = out[Col.TVALUE]
        scale = int(out[Col.SCALE])
        tnorm = str(out[Col.TNORM])
    else:
        d = row.declared
        kind, direction, scale, tnorm = d.kind, "" if d.direction is None else d.direction, d.scale, d.tnorm
        tvalue_v = "" if d.tvalue is None else float(d.tvalue)
        out.update({Col.KIND: kind, Col.DIRECTION: direction, Col.TVALUE: tvalue_v,
                    Col.SCALE: scale, Col.UNIT: d.unit, Col.TNORM: tnorm})

    def filled(v: object) -> bool:
        return v is not None and v != ""

    used = any(filled(v) for v in (row.name, row.target, row.actual, row.weight, row.reason, row.qscore))
    out[Col.USED] = 1 if used else 0
    actual_error = isinstance(row.actual, ErrorValue)
    actual_number = _is_number(row.actual)
    anorm = cell_text(row.actual)
    out[Col.ANORM] = anorm
    unit = str(out[Col.UNIT])
    body = actual_body(anorm, unit)
    out[Col.ABODY] = body
    out[Col.APLAIN] = is_plain(body)
    # a logical value: LibreOffice's ISNUMBER says yes (TRUE is 1 there), Excel's no
    actual_empty = (not actual_error and not actual_number and not isinstance(row.actual, bool)
                    and (anorm == "" or anorm in params.empty))

    avalue: Decimal | str | None  # Decimal number, "#" unreadable, or None (empty)
    if kind == "":
        avalue = None
    elif actual_error:
        avalue = "#"
    elif actual_empty:
        avalue = None
    elif kind == "N":
        if isinstance(row.actual, bool):
            avalue = "#"
        elif actual_number:
            number = _dec(row.actual)
            avalue = number if abs(number) < params.max_number else "#"
        else:
            parsed = actual_text_value(anorm, unit, params.max_number)
            avalue = "#" if parsed is None else parsed
    else:
        if anorm in params.rating_key:
            avalue = Decimal(params.rating_idx[params.rating_key.index(anorm)])
        else:
            avalue = Decimal(1) if anorm == tnorm else D0
    out[Col.ARAW] = "" if avalue is None else "#" if avalue == "#" else float(avalue)
    t = _dec(tvalue_v) if tvalue_v != "" else None
    if kind == "N" and isinstance(avalue, Decimal) and t is not None:
        rescaled = percent_rescaled(t, unit, avalue, anorm.endswith("%"))
        avalue = avalue if rescaled is None else rescaled
    out[Col.AVALUE] = "" if avalue is None else "#" if avalue == "#" else float(avalue)

    weight = _dec(row.weight) if _is_number(row.weight) else None
    a = avalue if isinstance(avalue, Decimal) else None

    band = int(a) if kind == "Q" and a is not None and a > 0 else None
    for col, values in ((Col.BAND_LOW, params.band_low), (Col.BAND_HIGH, params.band_high)):
        out[col] = float(values[band - 1]) if band and weight is not None else ""

    raw: Decimal | None = None
    if used and kind and weight is not None and weight >= 0:
        if kind == "N" and a is not None and t is not None:
            raw = _quantitative(t, a, weight, int(direction), params)
        elif kind == "Q" and band:
            raw = _qualitative(band, weight, row.qscore, params)
    out[Col.RAW] = "" if raw is None else float(raw)
    score = None if raw is None else round_half_away(raw, params.places)
    out[Col.SCORE] = "" if score is None else float(score)

    deviation: Decimal | None = None
    if kind == "N" and a is not None and t is not None and t != 0:
        deviation = scoring.deviation(t, a, params.dev_places)
    out[Col.DEVIATION] = "" if deviation is None else float(deviation)

    required = False
    if kind == "N" and a is not None and t is not None:
        n = int(direction)
        shortfall = params.reason_shortfall == 1 and scoring.is_shortfall(t, a, DIRECTIONS[n])
        required = shortfall or _excess(t, a, n, scale, params)
    elif kind == "Q":
        required = a is not None and a > 1 and params.reason_shortfall == 1
    out[Col.REASON_REQ] = required
    reason_text = "" if row.reason is None else str(row.reason).strip()
    out[Col.REASON_MISSING] = required and (reason_text == "" or reason_text in params.empty)

    if not used:
        state = ""
    elif kind == "" or weight is None or weight < 0:
        state = "undeclared"
    elif avalue is None:
        state = "missing"
    elif avalue == "#" or (kind == "Q" and a == 0):
        state = "invalid"
    elif raw is None:
        state = "needs-score"
    else:
        state = "ok"
    out[Col.STATE] = state
    return out


# the form's direction codes (参数 dir_code: 1 正向, -1 反向, 0 等于) as the engine's directions
DIRECTIONS = {1: Direction.HIGHER, -1: Direction.LOWER, 0: Direction.EQUAL}


def _quantitative(t: Decimal, a: Decimal, w: Decimal, n: int, params: FormParams) -> Decimal:
    return scoring.quantitative_score(t, a, w, DIRECTIONS[n], params.lower_formula, params.equal_formula)


def _band(params: FormParams, band: int) -> Band:
    """Band ``band`` (1-based, as the form's rating index) from the 参数 sheet's columns."""
    i = band - 1
    return Band("", params.band_label[i], (), params.band_low[i], params.band_high[i],
                params.band_low_incl[i], params.band_high_incl[i], params.band_default[i])


def _qualitative(band: int, w: Decimal, qscore: object, params: FormParams) -> Decimal | None:
    if qscore is None or qscore == "":
        return scoring.qualitative_score(_band(params, band), w, None)
    if not _is_number(qscore):
        return None
    return scoring.qualitative_score(_band(params, band), w, _dec(qscore))


def _excess(t: Decimal, a: Decimal, n: int, scale: int, params: FormParams) -> bool:
    return scoring.is_large_excess(t, a, DIRECTIONS[n], params.excess_ratio, params.excess_zero, Decimal(scale))


@dataclass
class FundsInput:
    """The input amounts of the three funding rows (None when blank)."""

    # fiscal/carryover/other -> column -> what the cell holds: an amount in 万元 (a spec's), or
    # for the twin of a filled form whatever was typed (text, a logical, an ErrorValue)
    rows: dict[str, dict[str, object]]
    weight: Decimal


def project_values(funds: FundsInput, inputs: list[RowInput], rows: list[dict[int, Value]],
                   params: FormParams, blocks: list[tuple[str, tuple[str, ...]]]) -> dict[str, Value]:
    """The project-level computed cells, keyed by name (the 计算 sheet's reading of each amount
    as ``amount_{row}_{column}`` and ``amount_text_{row}_{column}``)."""
    out: dict[str, Value] = {}
    read: dict[str, dict[str, Decimal | None]] = {}
    totals: dict[str, Decimal | None] = {}
    for key in ("fiscal", "carryover", "other"):
        read[key] = {}
        for col in ("initial", "budget", "executed"):
            value = amount_value(funds.rows[key][col], params)
            out[f"amount_{key}_{col}"] = "" if value is None else value if isinstance(value, str) else float(value)
            out[f"amount_text_{key}_{col}"] = cell_text(funds.rows[key][col])
            read[key][col] = value if isinstance(value, Decimal) else None
    for col in ("initial", "budget", "executed"):
        values = [out[f"amount_{r}_{col}"] for r in ("fiscal", "carryover", "other")]
        present = [v for r in ("fiscal", "carryover", "other") if (v := read[r][col]) is not None]
        unreadable = "#" in values
        totals[col] = None if unreadable or not present else sum(present, D0)
        out[f"total_{col}"] = "" if totals[col] is None else float(totals[col])  # type: ignore[arg-type]
    for key in ("fiscal", "carryover", "other"):
        out[f"rate_{key}"] = _rate(read[key]["budget"], read[key]["executed"], params)
    budget, executed, w = totals["budget"], totals["executed"], funds.weight
    out["exec_rate"] = _rate(budget, executed, params)
    rate = _rate_decimal(budget, executed, params)
    exec_score: Decimal | None = None
    if budget is not None and executed is not None and budget > 0:
        exec_score = scoring.execution_score(budget, executed, w, params.places)
    out["exec_score"] = "" if exec_score is None else float(exec_score)
    weights = sum((_dec(i.weight) for i in inputs if _is_number(i.weight)), D0)
    weight_total = round_half_away(w + weights, 6)
    out["weight_total"] = float(weight_total)
    scores = [_dec(r[Col.SCORE]) for r in rows if r[Col.SCORE] != ""]
    total = scoring.total_score([exec_score or D0, *scores], params.places)
    out["total"] = float(total)
    used = sum(int(r[Col.USED]) for r in rows)
    complete = exec_score is not None and used == len(scores)
    grade = ""
    if complete:
        for minimum, label in zip(params.grade_min, params.grade_label, strict=True):
            if total >= minimum:
                grade = label
    out["grade"] = grade
    parts = "" if exec_score is not None else "项目资金未填写完整；"
    line = params.exec_reason_below
    if line is not None and rate is not None and rate < line:
        before, after = EXECUTION_LOW_TEXT
        parts += f"{before}{_text(round_half_away(line * 100, 6))}{after}；"
    for state, text in STATE_TEXTS:
        count = sum(1 for r in rows if r[Col.STATE] == state)
        if count:
            parts += f"{count}{text}；"
    missing = sum(1 for r in rows if r[Col.REASON_MISSING] is True)
    if missing:
        parts += f"{missing} 项偏差未说明原因；"
    if weight_total != params.total:
        parts += f"分值合计 {_text(weight_total)}，应为 {_text(params.total)}；"
    out["status_parts"] = parts
    out["status"] = "已填写完整" if not parts else parts[:-1]
    for index, (name, levels) in enumerate(blocks):
        members = [(i, r) for i, r in zip(inputs, rows, strict=True) if r[Col.L1] in levels]
        block_weight = sum((_dec(i.weight) for i, _ in members if _is_number(i.weight)), D0)
        block_score = sum((_dec(r[Col.SCORE]) for _, r in members if r[Col.SCORE] != ""), D0)
        out[f"block_label_{index}"] = f"{name}（{_text(block_weight)}分）"
        out[f"block_score_{index}"] = float(block_score)
    return out


def _rate(budget: Decimal | None, executed: Decimal | None, params: FormParams) -> Value:
    rate = _rate_decimal(budget, executed, params)
    return "" if rate is None else float(rate)


def _rate_decimal(budget: Decimal | None, executed: Decimal | None, params: FormParams) -> Decimal | None:
    if budget is None or executed is None or budget <= 0:
        return None
    return scoring.execution_rate(budget, executed, params.rate_places)


def _text(value: Decimal) -> str:
    """A number as Excel turns it into text with &."""
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text
