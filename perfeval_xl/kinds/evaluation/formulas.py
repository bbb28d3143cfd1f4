"""The 评分表 form's formulas, one function per computed cell.

Three kinds of row, three sets of formulas:

- a row scored **against a target** uses the 自评表's row formulas unchanged
  (:class:`perfeval_xl.kinds.self.formulas.RowFormulas`), pointed at this form's cells by
  :class:`TargetRowFormulas`: the rule is written once for both kinds;
- a row scored **from the amounts** (:class:`RateRowFormulas`): 分值 × amount ÷ base, capped at
  the 分值 when the profile says so (``pe_e_rate_cap``), from the amounts, never from the rounded
  rate — :func:`perfeval_xl.kinds.evaluation.scoring.rate_score`;
- a row scored **by judgement** (:class:`JudgementRowFormulas`): the evaluator's score counts
  only within [0, 分值], rounded as every score is.

Rule numbers are never literals here: they are names of cells on the 参数 sheet (``pe_p_*`` as
the 自评表's, ``pe_e_*`` this kind's). :mod:`.model` computes the same cells in Python, mostly
by calling the engine; the tests hold both to LibreOffice's recalculation.
"""

from __future__ import annotations

from ...engine import COMPLETE_STATUS as COMPLETE
from ...form.addresses import CALC_SHEET, cell
from ..self.formulas import RowFormulas, normalized
from ..self.layout import Col
from .engine import FUNDS_TEXT, STATE_TEXTS
from .layout import FUND_COLUMNS, FUND_TEXT_COLUMNS, SHEET, ECol, EvaluationLayout

# Where the 自评表's row formulas find their cells on this form: the inputs and the score on
# the 评分表; every helper in the 自评表's own column of the 计算 sheet.
_ON_SHEET = {"NAME": ECol.NAME, "TARGET": ECol.TARGET, "ACTUAL": ECol.ACTUAL, "WEIGHT": ECol.WEIGHT,
             "SCORE": ECol.SCORE, "REASON": ECol.BASIS, "QSCORE": ECol.QSCORE}


def _column_prefixes(home: str) -> tuple[tuple[str, str], ...]:
    out = []
    for name, col in vars(Col).items():
        if not isinstance(col, int):
            continue
        if name in _ON_SHEET:
            sheet, col = SHEET, _ON_SHEET[name]
        elif col >= Col.FIRST_HIDDEN:
            sheet = CALC_SHEET
        else:  # the 自评表's other columns (偏差率, block labels) have no place here
            continue
        letters = cell(0, col)[:-1]
        out.append((name, letters if sheet == home else f"{sheet}!{letters}"))
    return tuple(out)


_FROM_SHEET = _column_prefixes(SHEET)
_FROM_CALC = _column_prefixes(CALC_SHEET)


class TargetRowFormulas(RowFormulas):
    """The 自评表's formulas of an indicator row, for a 评分表 row scored against a target."""

    def __init__(self, row: int) -> None:
        self.row = row
        number = str(row + 1)
        self.c = {name: prefix + number for name, prefix in _FROM_SHEET}
        self.h = {name: prefix + number for name, prefix in _FROM_CALC}


def _on_sheet(row: int, col: int, home: str) -> str:
    address = cell(row, col)
    return address if home == SHEET else f"{SHEET}!{address}"


class RateRowFormulas:
    """A row scored from the amounts: ``amount`` and ``base`` are the cells (row, column) of the
    计算 sheet where those amounts are read (numbers, or "" / "#" when there is none)."""

    def __init__(self, row: int, amount: tuple[int, int], base: tuple[int, int]) -> None:
        self.row = row
        local = [cell(*at, absolute=True) for at in (amount, base)]
        self.local = local  # as seen from the 计算 sheet
        self.remote = [f"{CALC_SHEET}!{address}" for address in local]  # from the 评分表

    def score(self) -> str:
        """On the 评分表 (得分)."""
        (a, b), w = self.remote, cell(self.row, ECol.WEIGHT)
        raw = f"MAX(0,{w}*{a}/{b})"
        return (f"=IF(AND(ISNUMBER({a}),ISNUMBER({b}),ISNUMBER({w})),IF(AND({b}>0,{w}>=0),"
                f"ROUND(IF(pe_e_rate_cap=1,MIN({w},{raw}),{raw}),pe_p_places),\"\"),\"\")")

    def rate(self) -> str:
        """On the 评分表 (beside the table): amount ÷ base, as the engine shows it."""
        a, b = self.remote
        return f"=IF(AND(ISNUMBER({a}),ISNUMBER({b})),IF({b}>0,ROUND({a}/{b},pe_p_rate_places),\"\"),\"\")"

    def counted(self) -> str:
        return _counted(self.row)

    def state(self) -> str:
        """On the 计算 sheet: undeclared (分值), funds (an amount missing), ok."""
        (a, b), w = self.local, _on_sheet(self.row, ECol.WEIGHT, CALC_SHEET)
        return (f"=IF(ISNUMBER({w}),IF({w}<0,\"undeclared\",IF(AND(ISNUMBER({a}),ISNUMBER({b})),"
                f"IF({b}>0,\"ok\",\"funds\"),\"funds\")),\"undeclared\")")


class JudgementRowFormulas:
    """A row the evaluator scores: the typed 得分 counts only within [0, 分值]."""

    def __init__(self, row: int) -> None:
        self.row = row
        self.score, self.weight, self.basis = (_on_sheet(row, col, CALC_SHEET)
                                               for col in (ECol.SCORE, ECol.WEIGHT, ECol.BASIS))

    def counted(self) -> str:
        f, w = self.score, self.weight
        return (f"=IF(AND(ISNUMBER({f}),ISNUMBER({w})),IF(AND({w}>=0,{f}>=0,{f}<={w}),"
                f"ROUND({f},pe_p_places),\"\"),\"\")")

    def state(self) -> str:
        f, w = self.score, self.weight
        return (f"=IF(ISNUMBER({w}),IF({w}<0,\"undeclared\",IF(ISNUMBER({f}),"
                f"IF(OR({f}<0,{f}>{w}),\"out-of-range\",\"ok\"),\"unscored\")),\"undeclared\")")

    def basis_missing(self) -> str:
        counted, w = cell(self.row, ECol.COUNTED), self.weight
        return (f"=IF(AND(pe_e_basis_rule=1,ISNUMBER({counted}),ISNUMBER({w})),"
                f"AND({counted}<{w},LEN(TRIM({self.basis}))=0),FALSE)")


def _counted(row: int) -> str:
    """A computed 得分 as counted on the 计算 sheet."""
    f = _on_sheet(row, ECol.SCORE, CALC_SHEET)
    return f"=IF(ISNUMBER({f}),{f},\"\")"


def target_counted(row: int) -> str:
    return _counted(row)


# ---------------------------------------------------------------------------
# The amounts

_AS_TEXT = '&""'


def amount_text(row: int, key: str) -> str:
    """On the 计算 sheet: the normalised text of an amount typed as text ("" for a number)."""
    x = _on_sheet(row, FUND_COLUMNS[key], CALC_SHEET)
    text = normalized(x + _AS_TEXT)
    return f"=IF(ISNUMBER({x}),\"\",{text})"


def amount(row: int, key: str) -> str:
    """On the 计算 sheet, in the amount's own cell: the amount in 万元 as the engine reads it
    (perfeval_xl.spec.parse_amount) — a number; a text that is a plain number, with or without a
    unit of money ("87.65万元", "876500元", "1.2亿元"), converted; "" when blank; "#" otherwise."""
    x = _on_sheet(row, FUND_COLUMNS[key], CALC_SHEET)
    t = cell(row, FUND_TEXT_COLUMNS[key])
    unit_len = f"SUMPRODUCT(MAX(EXACT(RIGHT({t},pe_e_money_len),pe_e_money_unit)*pe_e_money_len))"
    number = f"LEFT({t},LEN({t})-{unit_len})"
    scale = (f"IF({unit_len}=0,pe_e_money_per_amount,"
             f"LOOKUP(2,1/EXACT(pe_e_money_unit,RIGHT({t},{unit_len})),pe_e_money_scale))")
    value = f"ROUND(VALUE({number})*{scale}/pe_e_money_per_amount,pe_p_clean)"
    money = f"IF({is_plain(number)},IFERROR({value},\"#\"),\"#\")"
    empty = f"OR({t}=\"\",SUMPRODUCT(--EXACT(pe_p_empty,{t}))>0)"
    return f"=IF(ISNUMBER({x}),{x},IF({empty},\"\",{money}))"


def is_plain(text: str) -> str:
    """Whether ``text`` is a number as people write one: an optional "-", digits, at most one
    "." (VALUE() reads more — 1e3, (100), 2023-12-31 — which nobody means as an amount)."""
    body = f"IF(LEFT({text},1)=\"-\",MID({text},2,999),{text})"
    rest = body
    for digit in "0123456789":
        rest = f"SUBSTITUTE({rest},\"{digit}\",\"\")"
    return f"AND(OR({rest}=\"\",{rest}=\".\"),LEN({body})>LEN({rest}))"


# ---------------------------------------------------------------------------
# The sheet as a whole


def _criterion(text: str) -> str:
    """A SUMIF criterion matching ``text`` exactly: "=" first (a name is never read as a
    comparison), wildcards escaped, quoted."""
    escaped = text.replace("~", "~~").replace("*", "~*").replace("?", "~?")
    return '"=' + escaped.replace('"', '""') + '"'


class SheetFormulas:
    """Block subtotals, 总分, 评价等级 and the status line."""

    def __init__(self, layout: EvaluationLayout) -> None:
        self.layout = layout
        self.weights = layout.column(ECol.WEIGHT)
        self.level1 = layout.column(Col.L1, CALC_SHEET)
        self.counted = layout.column(ECol.COUNTED, CALC_SHEET)
        self.states = layout.column(Col.STATE)  # as seen from the 计算 sheet

    def block_weight(self, level1: str) -> str:
        return f"=SUMIFS({self.weights},{self.level1},{_criterion(level1)},{self.weights},\">=0\")"

    def block_score(self, level1: str) -> str:
        return f"=SUMIF({self.level1},{_criterion(level1)},{self.counted})"

    def weight_total(self) -> str:
        """Every 分值 that can be scored with (the engine's checked weights: none negative)."""
        return f"=ROUND(SUMIF({self.weights},\">=0\"),6)"

    def total(self) -> str:
        return f"=ROUND(SUM({self.counted}),pe_p_places)"

    def grade(self) -> str:
        """Once every row has a score."""
        return (f"=IF(COUNT({self.counted})={len(self.layout.rows)},"
                f"LOOKUP(pe_total,pe_p_grade_min,pe_p_grade_label),\"\")")

    def status_parts(self) -> str:
        """On the 计算 sheet: the engine's status_parts, each followed by "；"."""
        v = self.states
        parts = [f"IF(COUNTIF({v},\"funds\")>0,\"{FUNDS_TEXT}；\",\"\")"]
        for state, text in STATE_TEXTS:
            parts.append(f"IF(COUNTIF({v},\"{state}\")>0,COUNTIF({v},\"{state}\")&\" {text}；\",\"\")")
        parts.append("IF(pe_weight_total<>pe_p_total,\"分值合计 \"&pe_weight_total&\"，应为 \"&pe_p_total&\"；\",\"\")")
        return "=" + "&".join(parts)

    def status(self) -> str:
        parts = f"{CALC_SHEET}!{cell(self.layout.status, ECol.STATUS_PARTS)}"
        return f"=IF({parts}=\"\",\"{COMPLETE}\",LEFT({parts},LEN({parts})-1))"


