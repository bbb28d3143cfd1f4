"""The form's formulas, one function per computed cell.

Every formula here implements a rule of :mod:`perfeval_xl.scoring` with the same
operations in the same order (differences rounded with ``pe_p_clean`` before
they are divided, ratios compared after rounding to ``pe_p_ratio_places``), in
functions that Excel, WPS and LibreOffice all evaluate. Rule numbers are never
literals here: they are names (``pe_p_*``) of cells on the hidden 参数 sheet.

A form's mode picks its formula provider (:data:`PROVIDERS`). The xlwings mode
differs only in the visible results — each row's 得分 and 偏差率, the execution
score and the grade — which call the perfeval-xl UDFs (:mod:`perfeval_xl.udfs`)
with the form's own rules (``pe_profile``, ``pe_year``); the helper columns, the
status line and the subtotals stay native, computed from those results. The
deviation, execution score and grade are called by their second names
(PE_DEVIATION_RATE …): PE_DEVIATION, PE_EXEC_SCORE and PE_GRADE are, to Excel,
the form's own defined names pe_deviation, pe_exec_score and pe_grade.

:mod:`perfeval_xl.kinds.self.model` computes the same cells in Python; the form
carries those values as cached results, and the tests check that LibreOffice's
recalculation agrees with them cell by cell.
"""

from __future__ import annotations

from ...form.addresses import CALC_SHEET, cell
from ...notation import notation
from .layout import FUND_COLUMNS, FUND_TEXT_COLUMNS, SHEET, Col, FormLayout, ref

# Full-width characters the official may type, and what they become; and the
# characters dropped (spaces, line breaks, thousands separators). This is the
# subset of NFKC that matters for the notation (perfeval_xl/notation.py).
REPLACE = (
    ("＞", ">"), ("＜", "<"), ("＝", "="), ("％", "%"), ("．", "."), ("－", "-"), ("／", "/"),
    ("（", "("), ("）", ")"),
    ("㎡", "m²"), ("㎥", "m³"),  # as notation.normalize: the unit, not a digit 2 or 3
    *((chr(0xFF10 + d), str(d)) for d in range(10)),
)
DROP = (" ", "\u3000", "\u00a0", ",", "，")
DROP_CHARS = ("CHAR(10)", "CHAR(13)")  # as formula expressions
RUN_LENGTH = 64  # longest number a target may start with (characters)


_AS_TEXT = '&""'


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _normalizing(expr: str) -> str:
    out = expr
    for char in DROP:
        out = f"SUBSTITUTE({out},{_quote(char)},\"\")"
    for char in DROP_CHARS:
        out = f"SUBSTITUTE({out},{char},\"\")"
    for old, new in REPLACE:
        out = f"SUBSTITUTE({out},{_quote(old)},{_quote(new)})"
    return out


_HOLE = "\x00"  # where the expression goes in the nest of SUBSTITUTEs, built once
_NORMALIZING = _normalizing(_HOLE).split(_HOLE)


def normalized(expr: str) -> str:
    """Formula text normalising the text ``expr`` (see REPLACE and DROP)."""
    return expr.join(_NORMALIZING)


def cell_text(ref: str) -> str:
    """Formula text: the normalised text of an input cell as the engine reads it — "" for a
    number or an error value (both read otherwise), TRUE/FALSE for a logical value (LibreOffice
    takes TRUE for the number 1, Excel for a logical: both say ISLOGICAL), the cell's text
    normalised otherwise."""
    return (f"IF(ISERROR({ref}),\"\",IF(ISLOGICAL({ref}),IF({ref},\"TRUE\",\"FALSE\"),"
            f"IF(ISNUMBER({ref}),\"\",{normalized(ref + _AS_TEXT)})))")


def is_number_cell(ref: str) -> str:
    """A cell holding a number (not a logical value, which LibreOffice counts as a number)."""
    return f"AND(ISNUMBER({ref}),NOT(ISLOGICAL({ref})))"


def is_plain(text: str) -> str:
    """Formula text: whether ``text`` (normalised) is a number as the engine reads one — an
    optional "-" and digits with at most one "." (5, -0.5, .5, 5.). VALUE() reads more (1e3,
    (100), +5, 100-, 2023-12-31, TRUE), which people do not mean as numbers: those are refused."""
    body = f"IF(LEFT({text},1)=\"-\",MID({text},2,999),{text})"
    rest = body
    for digit in "0123456789":
        rest = f"SUBSTITUTE({rest},\"{digit}\",\"\")"
    return f"AND(OR({rest}=\"\",{rest}=\".\"),LEN({body})>LEN({rest}))"


def _mark_count() -> int:
    return len(notation().limit_marks)


def within_range(value: str) -> str:
    """A number a spreadsheet holds exactly (rounding.MAX_MAGNITUDE, on the 参数 sheet)."""
    return f"ABS({value})<pe_p_max_number"


def _column_prefixes(home: str) -> tuple[tuple[str, str], ...]:
    """(name, reference without the row number) of every column of :class:`Col`, seen from ``home``."""
    columns = {name: col for name, col in vars(Col).items() if isinstance(col, int)}
    return tuple((name, ref(home, 0, col)[:-1]) for name, col in columns.items())


_FROM_MAIN = _column_prefixes(SHEET)
_FROM_CALC = _column_prefixes(CALC_SHEET)


class RowFormulas:
    """Formulas of one indicator row (0-based sheet row ``row``)."""

    def __init__(self, row: int) -> None:
        self.row = row
        number = str(row + 1)
        # references as seen from the 自评表 (visible results) and from the 计算 sheet (helpers)
        self.c = {name: prefix + number for name, prefix in _FROM_MAIN}
        self.h = {name: prefix + number for name, prefix in _FROM_CALC}

    # -- target parsing (rows whose target the official types) ---------------

    def norm(self) -> str:
        return "=" + cell_text(self.h["TARGET"])

    def sign_len(self) -> str:
        aa = self.h["NORM"]
        return (f"=IF({aa}=\"\",0,SUMPRODUCT(MAX(EXACT(LEFT({aa},pe_p_sign_len),pe_p_sign_key)"
                f"*pe_p_sign_len)))")

    def sign(self) -> str:
        aa, ab = self.h["NORM"], self.h["SIGN_LEN"]
        return f"=IF({ab}=0,\"\",LOOKUP(2,1/EXACT(pe_p_sign_key,LEFT({aa},{ab})),pe_p_sign_val))"

    def neg(self) -> str:
        aa, ab = self.h["NORM"], self.h["SIGN_LEN"]
        return f"=LEFT(MID({aa},{ab}+1,999),1)=\"-\""

    def body(self) -> str:
        aa, ab, ad = self.h["NORM"], self.h["SIGN_LEN"], self.h["NEG"]
        return f"=MID({aa},{ab}+1+IF({ad},1,0),999)"

    def run(self) -> str:
        ae = self.h["BODY"]
        positions = ",".join(str(i) for i in range(1, RUN_LENGTH + 1))
        return (f"=IFERROR(MATCH(FALSE,ISNUMBER(FIND(MID({ae}&\"#\",{{{positions}}},1),"
                f"\"0123456789.\")),0)-1,0)")

    def num(self) -> str:
        ae, af, ad = self.h["BODY"], self.h["RUN"], self.h["NEG"]
        run = f"LEFT({ae},{af})"
        return f"=IF({af}=0,\"\",IF({is_plain(run)},VALUE({run})*IF({ad},-1,1),\"\"))"

    def after(self) -> str:
        ae, af = self.h["BODY"], self.h["RUN"]
        return f"=MID({ae},{af}+1,999)"

    def pct(self) -> str:
        return f"=LEFT({self.h['AFTER']},1)=\"%\""

    def _tail(self) -> str:
        """What follows the number (and its %), without limit marks such as （含）."""
        ah, ai = self.h["AFTER"], self.h["PCT"]
        tail = f"MID({ah},1+IF({ai},1,0),999)"
        for index in range(1, _mark_count() + 1):
            tail = f"SUBSTITUTE({tail},INDEX(pe_p_mark,{index}),\"\")"
        return tail

    def suffix_len(self) -> str:
        tail = self._tail()
        return f"=SUMPRODUCT(MAX(EXACT(RIGHT({tail},pe_p_suf_len),pe_p_suf_key)*pe_p_suf_len))"

    def unit_tail(self) -> str:
        tail, aj = self._tail(), self.h["SUFFIX_LEN"]
        return f"=LEFT({tail},LEN({tail})-{aj})"

    def final_sign(self) -> str:
        """The word after the number decides ("控制在95%以上" is ≥), else the sign before it."""
        ac, aj, tail = self.h["SIGN"], self.h["SUFFIX_LEN"], self._tail()
        return (f"=IF({aj}>0,LOOKUP(2,1/EXACT(pe_p_suf_key,RIGHT({tail},{aj})),pe_p_suf_val),{ac})")

    def qual(self) -> str:
        ag, ak, al, ai = self.h["NUM"], self.h["UNIT_TAIL"], self.h["FINAL_SIGN"], self.h["PCT"]
        return (f"=OR({ag}=\"\",SUMPRODUCT(--ISNUMBER(FIND({{0,1,2,3,4,5,6,7,8,9}},{ak})))>0,"
                f"AND(LEN({ak})>0,ISNUMBER(FIND(LEFT({ak},1),pe_p_not_unit_start))),"
                f"AND({al}=\"\",NOT({ai}),LEN({ak})>0,ISNUMBER(FIND(LEFT({ak},1),pe_p_date_units))))")

    def _target_empty(self) -> str:
        e, aa = self.h["TARGET"], self.h["NORM"]
        return f"AND(NOT(ISNUMBER({e})),OR({aa}=\"\",SUMPRODUCT(--EXACT(pe_p_empty,{aa}))>0))"

    def kind(self) -> str:
        """"" (no target: also an error value, which the engine reports), "N" or "Q"."""
        e, am = self.h["TARGET"], self.h["QUAL"]
        return (f"=IF(ISERROR({e}),\"\",IF({self._target_empty()},\"\",IF({is_number_cell(e)},\"N\","
                f"IF({am},\"Q\",\"N\"))))")

    def tvalue(self) -> str:
        m, e, ai, ag = self.h["KIND"], self.h["TARGET"], self.h["PCT"], self.h["NUM"]
        return f"=IF({m}<>\"N\",\"\",IF({is_number_cell(e)},{e},IF({ai},{ag}/100,{ag})))"

    def scale(self) -> str:
        m, e, ai = self.h["KIND"], self.h["TARGET"], self.h["PCT"]
        return f"=IF(AND({m}=\"N\",NOT({is_number_cell(e)}),{ai}),100,1)"

    def unit(self) -> str:
        m, e, ai, ak = self.h["KIND"], self.h["TARGET"], self.h["PCT"], self.h["UNIT_TAIL"]
        return f"=IF({m}<>\"N\",\"\",IF({is_number_cell(e)},\"\",IF({ai},\"%\",{ak})))"

    def direction(self) -> str:
        m, al, x, o, u = self.h["KIND"], self.h["FINAL_SIGN"], self.h["L2"], self.h["TVALUE"], self.h["UNIT"]
        # unsigned: lower for the profile's 成本指标, a zero target, a duration of a 时效指标 (30天)
        duration = f"AND(SUMPRODUCT(--EXACT(pe_p_duration_l2,{x}))>0,SUMPRODUCT(--EXACT(pe_p_duration_unit,{u}))>0)"
        return (f"=IF({m}<>\"N\",\"\",IF({al}<>\"\",LOOKUP(2,1/EXACT(pe_p_dir_sign,{al}),pe_p_dir_code),"
                f"IF(OR(SUMPRODUCT(--EXACT(pe_p_lower_l2,{x}))>0,{o}=0,{duration}),-1,1)))")

    def tnorm_editable(self) -> str:
        return f"={self.h['NORM']}"

    # -- every row ---------------------------------------------------------------

    def used(self) -> str:
        c = self.h
        # an error value is something written (IFERROR: comparing it with "" is itself an error)
        cells = ",".join(f"IFERROR({c[k]}<>\"\",TRUE)"
                         for k in ("NAME", "TARGET", "ACTUAL", "WEIGHT", "REASON", "QSCORE"))
        return f"=IF(OR({cells}),1,0)"

    def anorm(self) -> str:
        return "=" + cell_text(self.h["ACTUAL"])

    def _actual_empty(self) -> str:
        f, an = self.h["ACTUAL"], self.h["ANORM"]
        return (f"AND(NOT(ISERROR({f})),NOT(ISNUMBER({f})),"
                f"OR({an}=\"\",SUMPRODUCT(--EXACT(pe_p_empty,{an}))>0))")

    def abody(self) -> str:
        """The number part of a typed actual: without its % (against a target in % or without a
        unit; against another unit a % is unreadable, "#"), or without the target's own unit
        ("3600批次" against "≥3500批次"; the number must then not end in %)."""
        an, u = self.h["ANORM"], self.h["UNIT"]
        without_unit = f"LEFT({an},LEN({an})-LEN({u}))"
        # nested IFs, not one AND: AND evaluates every argument, and LEFT() of a negative length is an error
        own_unit = (f"IF(AND(LEN({u})>0,{u}<>\"%\",LEN({an})>LEN({u})),IF(EXACT(RIGHT({an},LEN({u})),{u}),"
                    f"IF(RIGHT({without_unit},1)=\"%\",\"#\",{without_unit}),{an}),{an})")
        return (f"=IF(RIGHT({an},1)=\"%\",IF(OR({u}=\"\",{u}=\"%\"),LEFT({an},LEN({an})-1),\"#\"),"
                f"{own_unit})")

    def aplain(self) -> str:
        return "=" + is_plain(self.h["ABODY"])

    def avalue(self) -> str:
        """The actual value scored: ARAW, or its other percentage scale where a percentage was
        written without its % (notation.percent_rescaled, with the same bounds: 参数 pe_p_pct_*)."""
        m, x, o, u, an = self.h["KIND"], self.h["ARAW"], self.h["TVALUE"], self.h["UNIT"], self.h["ANORM"]
        bare = f"RIGHT({an},1)<>\"%\""
        down = f"ROUND({x}/100,pe_p_clean)"
        up = f"ROUND({x}*100,pe_p_clean)"
        percent = f"IF(AND({bare},{x}>=1,{x}>pe_p_pct_ratio*{o}),{down},{x})"
        whole = (f"AND({o}>=pe_p_pct_bare_min,{o}<=pe_p_pct_bare_max,{x}>0,{x}<=1,"
                 f"{x}*pe_p_pct_ratio<{o})")
        fraction = f"AND({o}>0,{o}<1,{bare},{x}>=1,{x}<=pe_p_pct_bare_actual_max,{x}>pe_p_pct_ratio*{o})"
        unitless = f"IF({whole},{up},IF({fraction},{down},{x}))"
        return (f"=IF(OR({m}<>\"N\",NOT(ISNUMBER({x})),NOT(ISNUMBER({o}))),{x},"
                f"IF({u}=\"%\",{percent},IF({u}<>\"\",{x},{unitless})))")

    def araw(self) -> str:
        m, f, an, ao = self.h["KIND"], self.h["ACTUAL"], self.h["ANORM"], self.h["TNORM"]
        ap, aq = self.h["ABODY"], self.h["APLAIN"]
        # A typed text is read as the engine reads it (model.actual_text_value): a plain number,
        # a percentage where the target is one or has no unit, or a plain number followed by the
        # target's own unit; anything else is unreadable ("#"), as are logical and error values.
        typed = f"VALUE(IF(RIGHT({an},1)=\"%\",{an},{ap}))"
        text = f"IF({aq},IFERROR(IF({within_range(typed)},{typed},\"#\"),\"#\"),\"#\")"
        numeric = f"IF(ISLOGICAL({f}),\"#\",IF(ISNUMBER({f}),{f},{text}))"
        rating = f"IFERROR(LOOKUP(2,1/EXACT(pe_p_rating_key,{an}),pe_p_rating_idx),IF({an}={ao},1,0))"
        return (f"=IF({m}=\"\",\"\",IF(ISERROR({f}),\"#\",IF({self._actual_empty()},\"\","
                f"IF({m}=\"N\",{numeric},{rating}))))")

    def band_low(self) -> str:
        return self._band("pe_p_band_low")

    def band_high(self) -> str:
        return self._band("pe_p_band_high")

    def _band(self, name: str) -> str:
        m, r, g = self.h["KIND"], self.h["AVALUE"], self.h["WEIGHT"]
        return f"=IF(AND({m}=\"Q\",ISNUMBER({r}),{r}>0,ISNUMBER({g})),INDEX({name},{r}),\"\")"

    def raw(self) -> str:
        c = self.h
        g, r, o, n, k, m, l_ = c["WEIGHT"], c["AVALUE"], c["TVALUE"], c["DIRECTION"], c["QSCORE"], c["KIND"], c["USED"]
        clean = "pe_p_clean"
        higher = f"IF({r}>={o},{g},IF(OR({o}<=0,{r}<=0),0,{g}*{r}/{o}))"
        lower = (f"IF({r}<={o},{g},IF({o}<=0,0,IF(pe_p_lower_formula=\"ratio\",{g}*{o}/{r},"
                 f"MAX(0,{g}*ROUND(2*{o}-{r},{clean})/{o}))))")
        equal = (f"IF({r}={o},{g},IF(OR({o}<=0,{r}<=0),0,IF(pe_p_equal_formula=\"ratio\","
                 f"{g}*MIN({r},{o})/MAX({r},{o}),"
                 f"MAX(0,{g}*ROUND({o}-ABS(ROUND({r}-{o},{clean})),{clean})/{o}))))")
        quant = f"IF(NOT(ISNUMBER({r})),\"\",IF({n}=1,{higher},IF({n}=-1,{lower},{equal})))"
        default = f"INDEX(pe_p_band_default,{r})"
        band = in_band(k, g, r, c["BAND_LOW"], c["BAND_HIGH"])
        chosen = f"IF(NOT(ISNUMBER({k})),\"\",IF({g}=0,IF({k}=0,0,\"\"),IF({band},{k},\"\")))"
        qual = (f"IF(OR(NOT(ISNUMBER({r})),{r}=0),\"\",IF({k}=\"\",IF({default}=\"\",\"\",{default}*{g}),"
                f"{chosen}))")
        return (f"=IF(OR({l_}=0,{m}=\"\",NOT(ISNUMBER({g}))),\"\",IF({g}<0,\"\","
                f"IF({m}=\"N\",{quant},{qual})))")

    def qscore_valid(self) -> str:
        """The 定性指标评分 cell's data validation (on the 自评表): true exactly when
        :meth:`raw` takes the value as the score — a rated qualitative row (计算!Y is a
        number), a weight ≥ 0, and the value inside the band by :func:`in_band`."""
        c = self.c
        k, g, r, low, high = c["QSCORE"], c["WEIGHT"], c["AVALUE"], c["BAND_LOW"], c["BAND_HIGH"]
        return f"=AND(ISNUMBER({k}),ISNUMBER({low}),IF({g}=0,{k}=0,AND({g}>0,{in_band(k, g, r, low, high)})))"

    def score(self) -> str:
        s = self.c["RAW"]
        return f"=IF({s}=\"\",\"\",ROUND({s},pe_p_places))"

    def deviation(self) -> str:
        m, r, o = self.c["KIND"], self.c["AVALUE"], self.c["TVALUE"]
        return (f"=IF(AND({m}=\"N\",ISNUMBER({r}),ISNUMBER({o})),IF({o}=0,\"\","
                f"ROUND(ROUND({r}-{o},pe_p_clean)/{o},pe_p_dev_places)),\"\")")

    def reason_required(self) -> str:
        m, r, o, n, p = self.h["KIND"], self.h["AVALUE"], self.h["TVALUE"], self.h["DIRECTION"], self.h["SCALE"]
        ratio = f"ROUND({r}/{o},pe_p_ratio_places)"
        shortfall = f"AND(pe_p_reason_shortfall=1,IF({n}=1,{r}<{o},IF({n}=-1,{r}>{o},{r}<>{o})))"
        excess = (f"IF({o}=0,AND(ISNUMBER(pe_p_excess_zero),ROUND({r}*{p},pe_p_ratio_places)>=pe_p_excess_zero),"
                  f"AND(ISNUMBER(pe_p_excess_ratio),{o}>0,{n}<>0,IF({n}=1,{ratio}>=pe_p_excess_ratio,"
                  f"{ratio}<=2-pe_p_excess_ratio)))")
        return (f"=IF({m}=\"N\",IF(ISNUMBER({r}),OR({shortfall},{excess}),FALSE),"
                f"IF({m}=\"Q\",AND(ISNUMBER({r}),{r}>1,pe_p_reason_shortfall=1),FALSE))")

    def reason_missing(self) -> str:
        t, i = self.h["REASON_REQ"], self.h["REASON"]
        return f"=AND({t},OR(LEN(TRIM({i}))=0,SUMPRODUCT(--EXACT(pe_p_empty,TRIM({i})))>0))"

    def state(self) -> str:
        c = self.h
        l_, m, g, r, s = c["USED"], c["KIND"], c["WEIGHT"], c["AVALUE"], c["RAW"]
        return (f"=IF({l_}=0,\"\",IF(OR({m}=\"\",NOT(ISNUMBER({g}))),\"undeclared\",IF({g}<0,\"undeclared\","
                f"IF({r}=\"\",\"missing\",IF(OR({r}=\"#\",AND({m}=\"Q\",{r}=0)),\"invalid\","
                f"IF({s}=\"\",\"needs-score\",\"ok\"))))))")


def in_band(k: str, g: str, r: str, low: str, high: str) -> str:
    """Whether the evaluator's score ``k`` of weight ``g`` lies in band number ``r``, whose
    limits (shares of the weight) are in the cells ``low`` and ``high`` (计算!Y, Z): the ratio,
    rounded to pe_p_ratio_places, against each limit, included or not as the profile says
    (scoring.qualitative_score). SIGN(x) ≥ 1 − included is x ≥ 0 for an included limit and
    x > 0 for the other, with the ratio written twice instead of four times: the 定性指标评分
    validation uses this same test, so the form never accepts a value it then does not
    score, and Excel keeps a validation formula only up to 255 characters."""
    frac = f"ROUND({k}/{g},pe_p_ratio_places)"
    return (f"AND(SIGN({frac}-{low})>=1-INDEX(pe_p_band_low_incl,{r}),"
            f"SIGN({high}-{frac})>=1-INDEX(pe_p_band_high_incl,{r}))")


# Cells computed from the helper columns for the whole project.


class ProjectFormulas:
    """Formulas of the funds block, totals, grade, status and the subtotal panel."""

    def __init__(self, layout: FormLayout) -> None:
        self.layout = layout

    def amount_text(self, row: int, key: str) -> str:
        """On the 计算 sheet: the normalised text of the amount typed in the funding row ``row``,
        column ``key`` of :data:`FUND_COLUMNS` ("" for a number)."""
        return "=" + cell_text(ref(CALC_SHEET, row, FUND_COLUMNS[key]))

    def amount(self, row: int, key: str) -> str:
        """On the 计算 sheet, under the amount: the amount in 万元 as the engine reads it (spec.
        parse_amount) — a number; a text that is a plain number with or without a money unit
        ("87.65万元", "876500元", "1.2亿元"), converted; "" when blank; "#" for anything else
        (约86, 86.54万, a logical or an error value), which leaves the column's total uncomputed."""
        x = ref(CALC_SHEET, row, FUND_COLUMNS[key])
        t = cell(row, FUND_TEXT_COLUMNS[key])
        unit_len = f"SUMPRODUCT(MAX(EXACT(RIGHT({t},pe_p_money_len),pe_p_money_unit)*pe_p_money_len))"
        number = f"LEFT({t},LEN({t})-{unit_len})"
        scale = (f"IF({unit_len}=0,pe_p_money_per_amount,"
                 f"LOOKUP(2,1/EXACT(pe_p_money_unit,RIGHT({t},{unit_len})),pe_p_money_scale))")
        value = f"ROUND(VALUE({number})*{scale}/pe_p_money_per_amount,pe_p_clean)"
        # IFERROR: a number too long for a spreadsheet (400 digits) is an error in VALUE()
        money = f"IF({is_plain(number)},IFERROR(IF({within_range(value)},{value},\"#\"),\"#\"),\"#\")"
        empty = f"OR({t}=\"\",SUMPRODUCT(--EXACT(pe_p_empty,{t}))>0)"
        return (f"=IF(ISERROR({x}),\"#\",IF(ISLOGICAL({x}),\"#\",IF(ISNUMBER({x}),"
                f"IF({within_range(x)},{x},\"#\"),IF({empty},\"\",{money}))))")

    def _read_amounts(self, col: int) -> str:
        """The funding rows' amounts of column ``col`` as read on the 计算 sheet."""
        f = self.layout.funds
        return f"{CALC_SHEET}!{cell(f['fiscal'], col, True)}:{cell(f['other'], col, True)}"

    def fund_sum(self, col: int) -> str:
        """年度资金总额: the sum of the funding rows; blank when none is given or one is unreadable."""
        rng = self._read_amounts(col)
        return f"=IF(COUNTIF({rng},\"#\")>0,\"\",IF(COUNT({rng})=0,\"\",SUM({rng})))"

    def rate(self, row: int) -> str:
        """执行率 of the total row, or of a funding row from its amounts as read on the 计算 sheet."""
        prefix = "" if row == self.layout.funds["total"] else f"{CALC_SHEET}!"
        e, f = (prefix + cell(row, col) for col in (Col.TARGET, Col.ACTUAL))
        return f"=IF(AND(ISNUMBER({e}),ISNUMBER({f})),IF({e}>0,ROUND({f}/{e},pe_p_rate_places),\"\"),\"\")"

    def exec_score(self) -> str:
        row = self.layout.funds["total"]
        e, f, g = cell(row, Col.TARGET), cell(row, Col.ACTUAL), cell(row, Col.WEIGHT)
        return (f"=IF(AND(ISNUMBER({e}),ISNUMBER({f}),ISNUMBER({g})),IF({e}>0,"
                f"ROUND(MIN({g},MAX(0,{g}*{f}/{e})),pe_p_places),\"\"),\"\")")

    def weight_total(self) -> str:
        g = cell(self.layout.funds["total"], Col.WEIGHT)
        return f"=ROUND(N({g})+SUM({self.layout.column(Col.WEIGHT)}),6)"

    def total(self) -> str:
        i = cell(self.layout.funds["total"], Col.REASON)
        return f"=ROUND(IF(ISNUMBER({i}),{i},0)+SUM({self.layout.column(Col.SCORE)}),pe_p_places)"

    def complete(self) -> str:
        i = cell(self.layout.funds["total"], Col.REASON)
        lay = self.layout
        return f"AND(ISNUMBER({i}),SUM({lay.column(Col.USED)})=COUNT({lay.column(Col.SCORE)}))"

    def grade(self) -> str:
        return f"=IF({self.complete()},LOOKUP(pe_total,pe_p_grade_min,pe_p_grade_label),\"\")"

    def status_parts(self) -> str:
        """On the 计算 sheet (it counts the helper columns)."""
        lay = self.layout
        v, u = lay.column(Col.STATE, home=CALC_SHEET), lay.column(Col.REASON_MISSING, home=CALC_SHEET)
        i = ref(CALC_SHEET, lay.funds["total"], Col.REASON)
        parts = [f"IF(NOT(ISNUMBER({i})),\"项目资金未填写完整；\",\"\")"]
        # pe_p_exec_reason_below is blank in a profile without the line; the line as a percentage,
        # rounded against binary noise (0.9*100 is 90.00000000000001)
        before, after = EXECUTION_LOW_TEXT
        line = "pe_p_exec_reason_below"
        parts.append(f"IF(AND(ISNUMBER({line}),ISNUMBER(pe_exec_rate)),IF(pe_exec_rate<{line},"
                     f"\"{before}\"&ROUND({line}*100,6)&\"{after}；\",\"\"),\"\")")
        for state, text in STATE_TEXTS:
            parts.append(f"IF(COUNTIF({v},\"{state}\")>0,COUNTIF({v},\"{state}\")&\"{text}；\",\"\")")
        parts.append(f"IF(COUNTIF({u},TRUE)>0,COUNTIF({u},TRUE)&\" 项偏差未说明原因；\",\"\")")
        parts.append("IF(pe_weight_total<>pe_p_total,\"分值合计 \"&pe_weight_total&\"，应为 \"&pe_p_total&\"；\",\"\")")
        return "=" + "&".join(parts)

    def status(self) -> str:
        parts = ref(SHEET, self.layout.status, STATUS_PARTS)
        return f"=IF({parts}=\"\",\"已填写完整\",LEFT({parts},LEN({parts})-1))"

    def block_label(self, name: str, levels: tuple[str, ...]) -> str:
        lay = self.layout
        weights = "+".join(f"SUMIF({lay.column(Col.L1)},\"{lv}\",{lay.column(Col.WEIGHT)})" for lv in levels)
        return f"=\"{name}（\"&({weights})&\"分）\""

    def block_score(self, levels: tuple[str, ...]) -> str:
        lay = self.layout
        return "=" + "+".join(
            f"SUMIF({lay.column(Col.L1)},\"{lv}\",{lay.column(Col.SCORE)})" for lv in levels
        )


# where the status line's parts are put together (计算 sheet, the status row)
STATUS_PARTS = Col.USED

# the status line's part when the execution rate is below the profile's line (engine: execution-low)
EXECUTION_LOW_TEXT = ("预算执行率低于 ", "%，须在报告中说明原因")

STATE_TEXTS = (
    ("undeclared", " 项指标值或分值未填写"),
    ("missing", " 项实际完成值未填写"),
    ("invalid", " 项实际完成值无法识别"),
    ("needs-score", " 项定性指标需在档次内评分"),
)


# ---------------------------------------------------------------------------
# xlwings mode: the visible results call the UDFs

# The rules the UDFs apply: the profile (a defined name on the _meta sheet) and
# the evaluation year (the form's 年度 cell).
UDF_RULES = "pe_profile,pe_year"


class XlwingsRowFormulas(RowFormulas):
    """An indicator row whose 得分 and 偏差率 are PE_SCORE and PE_DEVIATION_RATE.

    The 二级指标 comes from the row's hidden canonical copy (the visible cell is
    merged, so only its first row holds the name); the 定性指标评分 column is the
    evaluator's score.

    A row with nothing to score (no actual value, or no target; the native
    helper 计算!R is then empty; for 得分 also a valid or empty weight) shows ""
    without calling the UDF, which would return "" there too (a test checks it on
    thousands of rows). A program that cannot run the UDFs recalculates every
    cell whose stored result is "" — LibreOffice ignores an empty stored value,
    with or without t="str" — and the IF then gives "" instead of an error: blank
    forms and spare rows print blank in LibreOffice.
    """

    # how a function name and an input cell are written in the call (see LiteRowFormulas)
    CALL = ""

    @staticmethod
    def _input(ref: str) -> str:
        return ref

    def _nothing_to_score(self) -> str:
        return f"{self.c['AVALUE']}=\"\""

    def score(self) -> str:
        c, i = self.c, self._input
        g = c["WEIGHT"]
        weight_ok = f"OR({g}=\"\",AND(ISNUMBER({g}),{g}>=0))"  # else PE_SCORE names the bad weight
        return (f"=IF(AND({self._nothing_to_score()},{weight_ok}),\"\","
                f"{self.CALL}PE_SCORE({i(c['TARGET'])},{i(c['ACTUAL'])},{i(g)},{c['L2']},{i(c['QSCORE'])},"
                f"{UDF_RULES}))")

    def deviation(self) -> str:
        c, i = self.c, self._input
        return (f"=IF({self._nothing_to_score()},\"\","
                f"{self.CALL}PE_DEVIATION_RATE({i(c['TARGET'])},{i(c['ACTUAL'])},{UDF_RULES}))")


class XlwingsProjectFormulas(ProjectFormulas):
    """The execution score is PE_EXECUTION_SCORE, the grade PE_EVALUATION_GRADE (each
    called only when there is something to compute, as the rows' UDFs are)."""

    CALL = XlwingsRowFormulas.CALL
    _input = staticmethod(XlwingsRowFormulas._input)

    def exec_score(self) -> str:
        row = self.layout.funds["total"]
        e, f, g = cell(row, Col.TARGET), cell(row, Col.ACTUAL), cell(row, Col.WEIGHT)
        i = self._input
        return (f"=IF(OR({e}=\"\",{f}=\"\"),\"\","
                f"{self.CALL}PE_EXECUTION_SCORE({i(e)},{i(f)},{i(g)},{UDF_RULES}))")

    def grade(self) -> str:
        return f"=IF({self.complete()},{self.CALL}PE_EVALUATION_GRADE(pe_total,{UDF_RULES}),\"\")"


# ---------------------------------------------------------------------------
# xlwings Lite mode: the same calls, as Office.js custom functions

# How Excel stores a call of an Office.js custom function (xlwings Lite registers its
# functions without a namespace): "_xldudf_" and the name. Excel shows =PE_SCORE(…) once
# the add-in has registered the function, #NAME? until then.
LITE_CALL = "_xldudf_"

# The status line's part when a result cell holds an error (#NAME? without the add-in).
LITE_UNAVAILABLE_TEXT = "得分等由 xlwings Lite 加载项计算，显示 #NAME? 时请安装该加载项（免费）并信任本工作簿；"


class LiteRowFormulas(XlwingsRowFormulas):
    """An indicator row whose 得分 and 偏差率 call the xlwings Lite functions.

    Office.js passes a reference to an empty cell as 0 on some hosts (see README), so
    each input cell that may be empty is passed blank-aware: ``IF(ISBLANK(F13),"",F13)``;
    a typed 0 stays 0."""

    CALL = LITE_CALL

    @staticmethod
    def _input(ref: str) -> str:
        return f"IF(ISBLANK({ref}),\"\",{ref})"


class LiteProjectFormulas(XlwingsProjectFormulas):
    """The execution score and grade call the xlwings Lite functions; the status line also
    says so when a result cell shows an error (the add-in not installed or not trusted)."""

    CALL = LiteRowFormulas.CALL
    _input = staticmethod(LiteRowFormulas._input)

    def status_parts(self) -> str:
        lay = self.layout
        results = (lay.column(Col.SCORE, home=CALC_SHEET), lay.column(Col.DEVIATION, home=CALC_SHEET),
                   ref(CALC_SHEET, lay.funds["total"], Col.REASON), ref(CALC_SHEET, lay.grade, Col.WEIGHT))
        errors = "+".join(f"SUMPRODUCT(--ISERROR({r}))" for r in results)
        return f"=IF({errors}>0,\"{LITE_UNAVAILABLE_TEXT}\",\"\")&" + super().status_parts()[1:]


# mode -> (row formulas, project formulas)
PROVIDERS: dict[str, tuple[type[RowFormulas], type[ProjectFormulas]]] = {
    "native": (RowFormulas, ProjectFormulas),
    "xlwings": (XlwingsRowFormulas, XlwingsProjectFormulas),
    "lite": (LiteRowFormulas, LiteProjectFormulas),
}
