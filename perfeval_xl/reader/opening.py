"""Opening a file that claims to be a workbook, safely.

Before any parser sees a file we look at its bytes, and they say what it is
(:data:`KINDS`: an Excel 2007+ workbook, a binary .xlsb, an OpenDocument .ods, or
an Excel 97–2003 / WPS workbook in an OLE2 container — :data:`WORKBOOK_SUFFIXES`
are the names every command accepts). An empty file, a password-encrypted workbook
(an OLE2 container holding an EncryptedPackage), a Word or PowerPoint file,
something that is not a workbook at all, a truncated zip, and a zip bomb (too many
entries, too much uncompressed data, absurd compression ratios) are each one clear
Chinese error for that file. XML is parsed by openpyxl with defusedxml installed,
so entity tricks are refused too. Macros in an .xlsm are never run: nothing here
executes anything.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FileError, FormError, os_reason

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# OLE2 streams of documents that are not workbooks (a .doc or .ppt renamed, or sent by mistake)
OTHER_OFFICE_STREAMS = tuple(name.encode("utf-16-le") for name in ("WordDocument", "PowerPoint Document"))

# What a workbook is, by its bytes: "xlsx" (.xlsx/.xlsm/.xltx/.xltm, read by openpyxl or
# python-calamine), "xlsb", "ods" and "xls" (Excel 97–2003 and WPS .et: BIFF in OLE2), read
# by python-calamine.
KINDS = ("xlsx", "xlsb", "ods", "xls")
# The file names every command (score, check, export, consolidate) takes as workbooks.
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xls", ".et", ".ods"})
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # uncompressed, all parts together
MAX_PART_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for parts above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024

WORKBOOK_PARTS = ("xl/workbook.xml",)
DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
PROLOG_BYTES = 64 * 1024  # where a DTD must be (before the root element)
PROLOG_GLANCE = 512
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")


@dataclass(frozen=True)
class Opened:
    """A file that passed the checks."""

    path: Path
    macros: bool  # an .xlsm/.xltm with a VBA project (never run)
    saved_at: str | None = None  # docProps/core.xml's modified time, when it says
    kind: str = "xlsx"  # one of KINDS
    shapes: dict[str, SheetShape] = field(default_factory=dict)  # the sheets checked, by name
    sheet_xml: dict[str, bytes] = field(default_factory=dict, repr=False)  # … and their XML, read once


def check_workbook_file(path: Path, verify: bool = True, data: bytes | None = None,
                        sheets: Collection[str] | None = None) -> Opened:
    """Raise FileError with the reason when ``path`` is not a readable workbook (any of KINDS).

    ``verify`` also decompresses every part to check its CRC (slower; the fast
    reader leaves that to the parser, which fails on a damaged part anyway). With
    ``data`` the checks run on those bytes (the file's content, already read).
    The sheets named ``sheets`` (every sheet when None) are checked for extents a
    reader could not build (:func:`check_sheet_sizes`); their shapes are returned.
    """
    if data is None:
        if not path.exists():
            raise FileError(f"找不到文件 {path}，请检查路径是否正确")
        if path.is_dir():
            raise FileError(f"{path} 是文件夹，不是工作簿")
        try:
            check_file_size(path, path.stat().st_size)
            with path.open("rb") as fh:
                head = fh.read(8)
        except OSError as exc:
            raise FileError(f"无法读取 {path}：{os_reason(exc)}") from None
    else:
        check_file_size(path, len(data))
        head = data[:8]
    if not head:
        raise FileError(f"{path.name} 是空文件（0 字节），请重新保存或重新获取该文件")
    if head.startswith(OLE2_MAGIC):
        content = path.read_bytes() if data is None else data
        if ENCRYPTED_STREAM in content:
            raise encrypted(path)
        # .xls, .et, .doc, .ppt and workbooks with an opening password are all OLE2 containers
        if any(stream in content for stream in OTHER_OFFICE_STREAMS):
            raise FileError(f"{path.name} 是 Word、PowerPoint 等其他 Office 文件，不是工作簿，无法读取；"
                            "请换成填好的自评表（Excel/WPS 工作簿）")
        return Opened(path, macros=False, kind="xls")
    if not head.startswith(ZIP_MAGIC):
        raise not_a_workbook(path, data[:SNIFF_BYTES] if data is not None else _head(path, SNIFF_BYTES))
    try:
        archive = zipfile.ZipFile(path if data is None else io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileError(f"{path.name} 已损坏（压缩包不完整，可能下载或拷贝中断），请重新获取该文件") from None
    except OSError as exc:
        raise FileError(f"无法读取 {path}：{os_reason(exc)}") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise FileError(f"{path.name} 内含 {len(entries)} 个部件，超出正常工作簿的范围，拒绝读取")
        total = 0
        for entry in entries:
            total += entry.file_size
            if entry.file_size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES:
                raise FileError(f"{path.name} 解压后过大（超过 {MAX_TOTAL_BYTES // 1024 // 1024} MB），"
                                "不像自评表，拒绝读取")
            if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                raise FileError(f"{path.name} 的压缩比异常（{entry.filename}），可能是“压缩炸弹”，拒绝读取")
        names = set(archive.namelist())
        kind = _zip_kind(archive, names)
        if kind is None:
            raise FileError(f"{path.name} 是压缩包但不是 Excel 工作簿（缺少 xl/workbook.xml）")
        _check_part_names(path, archive.namelist())
        _check_prologs(_Package(archive, data), path)
        bad = archive.testzip() if verify else None
        if bad is not None:
            raise FileError(f"{path.name} 已损坏（部件 {bad} 校验失败），请重新获取该文件")
        match = _MODIFIED.search(_core(archive, names))
        modified = match.group(1).decode("ascii", "replace").strip() if match else None
        shapes: dict[str, SheetShape] = {}
        xml: dict[str, bytes] = {}
        if kind == "xlsx":  # the full check (verify) reads every cell's address; the fast one leaves
            # the rare unusual spelling to the workers' memory limit
            shapes = check_sheet_sizes(archive, path, sheets, exact=verify, data=data,
                                       keep=xml if sheets is not None else None)
        return Opened(path, macros="xl/vbaProject.bin" in names, saved_at=modified, kind=kind, shapes=shapes,
                      sheet_xml=xml)


def _check_part_names(path: Path, names: list[str]) -> None:
    """Two parts of one name (part names are case-insensitive): which one a reader takes differs
    from reader to reader, so the checks could pass one and a reader read the other."""
    seen: set[str] = set()
    for name in names:
        folded = name.replace("\\", "/").lower()
        if folded in seen:
            raise FileError(f"{path.name} 中有两个同名的部件（{name}），不同的程序会读到不同的内容，"
                            "可能是被构造的文件，拒绝读取；请向报送单位索取在 Excel/WPS 中正常保存的文件")
        seen.add(folded)


def _check_prologs(package: _Package, path: Path) -> None:
    """Every XML part must reach its root element through an ordinary prolog: no DTD (entity
    expansion, external entities), in an encoding whose "<" is the ASCII one. Both readers get
    the same answer before either parses anything (python-calamine ignores a DTD that openpyxl
    refuses; a DTD in a part one reader never opens would otherwise pass one command and not
    the other)."""
    for entry in package.archive.infolist():
        if entry.is_dir() or entry.file_size == 0:
            continue
        text = None
        for size in (PROLOG_GLANCE, PROLOG_BYTES):  # programs' prologs end within the first; a padded one not
            try:
                head = package.read(entry.filename, size)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError,
                    zlib.error):
                raise FileError(f"{path.name} 已损坏（部件 {entry.filename} 无法解压），请重新获取该文件") from None
            text = _as_ascii_compatible(head)
            if text is None or _reaches_root(text) or len(head) < size:
                break
        if text is None or _reaches_root(text):
            continue
        declares = any(marker in text for marker in DTD_MARKERS)
        where = "中声明了 DTD 或实体" if declares else "的 XML 开头异常，可能藏有 DTD 或实体"
        raise unsafe_xml(path, f"{entry.filename} {where}")


def _as_ascii_compatible(head: bytes) -> bytes | None:
    """The head of a part with its markup in ASCII (UTF-16 decoded, a byte-order mark dropped), or
    None when it is no XML to either reader (an image, a .bin part): it does not begin with "<"."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) > 1 and 0 in head[:2]):
        big = head[:2] == b"\xfe\xff" or head[:1] == b"\x00"
        head = head.decode("utf-16-be" if big else "utf-16-le", "replace").lstrip("\ufeff").encode("utf-8")
    elif head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head if head.lstrip()[:1] == b"<" else None


def _reaches_root(text: bytes) -> bool:
    """Whether ``text`` reaches an element through whitespace, processing instructions and comments only."""
    i, n = 0, len(text)
    while i < n:
        if text[i] in b" \t\r\n":
            i += 1
        elif text.startswith(b"<?", i):
            end = text.find(b"?>", i + 2)
            if end < 0:
                return False
            i = end + 2
        elif text.startswith(b"<!--", i):
            end = text.find(b"-->", i + 4)
            if end < 0:
                return False
            i = end + 3
        else:
            following = text[i + 1:i + 2]
            return text[i:i + 1] == b"<" and bool(following) and (following.isalpha() or following in b"_:"
                                                                   or following[0] >= 0x80)
    return False


def unsafe_xml(path: Path, where: str = "") -> FileError:
    """The error for a workbook with a DTD or entity tricks in its XML."""
    detail = f"（{where}）" if where else ""
    return FileError(f"{path.name} 含有不安全的 XML 内容{detail}，可能是“实体膨胀”之类的攻击文件，拒绝读取；"
                     "请向报送单位索取在 Excel/WPS 中正常保存的文件")


SNIFF_BYTES = 4096
SAVE_AS_XLSX = "请在 Excel/WPS 中打开后“另存为” Excel 工作簿（.xlsx）再报送"
# what a file that is no workbook is, by how it begins (after a byte-order mark and blanks), and what to do
_LOOKALIKES: tuple[tuple[tuple[bytes, ...], str], ...] = (
    ((b"%pdf",), "是 PDF 文件，不是工作簿；请报送填好的自评表（Excel/WPS 工作簿），PDF 只能作附件"),
    ((b"mime-version", b"content-type: multipart"),
     "是“单个文件网页”（.mht）格式的表格，不是工作簿；" + SAVE_AS_XLSX),
    ((b"<?xml",), "XML"),
    ((b"<html", b"<!doctype html", b"<table", b"<meta", b"<head", b"<body", b"<style", b"<!--"),
     "是网页（HTML）格式的表格（财务系统导出或“另存为网页”的 .xls 常是这样），不是真正的工作簿；" + SAVE_AS_XLSX),
    ((b"{\\rtf",), "是 RTF 文档，不是工作簿；请报送填好的自评表（Excel/WPS 工作簿）"),
    ((b"\x00\x05\x16\x07",), "是 macOS 留下的附属文件（名称以“._”开头，记录的是原文件的附加信息），不是工作簿；"
                             "请报送同名但不带“._”的文件"),
)
_SPREADSHEET_2003 = (b"urn:schemas-microsoft-com:office:spreadsheet", b"progid=\"excel.sheet\"")


def not_a_workbook(path: Path, head: bytes) -> FileError:
    """The error for a file that is no workbook of any kind, saying what it seems to be and what to do."""
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    for marks, reason in _LOOKALIKES:
        if start.startswith(marks):
            if reason == "XML":
                if not any(mark in start for mark in _SPREADSHEET_2003):
                    break
                reason = "是“XML 表格 2003”格式的表格，不是工作簿；" + SAVE_AS_XLSX
            return FileError(f"{path.name} {reason}")
    if path.name.startswith("~$"):
        return FileError(f"{path.name} 是 Excel/WPS 打开工作簿时留下的临时锁定文件（名称以“~$”开头），不是工作簿；"
                         "请报送同名但不带“~$”的文件")
    if _looks_like_text(head):
        return FileError(f"{path.name} 是文本文件（如 CSV，常见于财务系统导出），不是工作簿；" + SAVE_AS_XLSX)
    return FileError(f"{path.name} 不是 Excel 工作簿（.xlsx、.xls、.et、.ods 等），可能是其他类型的文件改了扩展名；"
                     "请向报送单位索取填好的自评表（Excel/WPS 工作簿）")


def _looks_like_text(head: bytes) -> bool:
    """Text in UTF-8 or GBK (what a CSV export is), without control characters beyond tab and line ends."""
    sample = head[:-4] if len(head) >= SNIFF_BYTES else head  # a character may be cut at the end
    for encoding in ("utf-8", "gb18030"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return bool(text.strip()) and not any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text)
    return False


def _head(path: Path, size: int) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def _core(archive: zipfile.ZipFile, names: Collection[str]) -> bytes:
    if "docProps/core.xml" not in names:
        return b""
    try:
        return archive.read("docProps/core.xml")[:4096]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError, zlib.error):
        return b""


def check_file_size(path: Path, size: int) -> None:
    """A file larger than any workbook could be once unpacked is refused before it is read."""
    if size > MAX_FILE_BYTES:
        raise FileError(f"{path.name} 有 {size / 1024 / 1024:,.0f} MB，远大于自评表，不像自评表，拒绝读取")


def _zip_kind(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """What a zip package is: "xlsx", "xlsb", "ods", or None when it is no workbook."""
    if any(part in names for part in WORKBOOK_PARTS):
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names and "mimetype" in names:
        try:
            if archive.read("mimetype")[:128].strip().startswith(ODS_MIMETYPE):
                return "ods"
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
            return None
    return None


def encrypted(path: Path) -> FileError:
    """A workbook with a password to open (both readers say the same)."""
    return FileError(f"{path.name} 设有打开密码，无法读取；请在 Excel/WPS 中取消密码"
                     "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存再试")



def empty_workbook(path: Path) -> FormError:
    """A workbook without a single filled cell (both readers say the same)."""
    return FormError(f"{path.name} 是空工作簿，没有任何内容，不是填好的自评表；请确认是否发错了文件，"
                     "并重新获取填好的自评表")


def no_form(path: Path, sheets: list[str]) -> FormError:
    """A workbook none of whose sheets is a 自评表 (both readers say the same)."""
    return FormError(f"{path.name} 中没有找到项目支出绩效自评表（检查了工作表：{'、'.join(sheets)}）；"
                     "自评表须有“三级指标、年度指标值、实际完成值、分值”表头，请确认是否发错了文件")


def unparsable(path: Path, exc: BaseException, data: bytes | None = None) -> FileError:
    """The error for a workbook a parser failed on: unsafe XML (a DTD, entity tricks) when the
    parser or the file says so, otherwise damage. Never the parser's own (English) words."""
    if type(exc).__name__ == "PanicException":  # the native reader's own assertion failed
        return FileError(f"{path.name} 中有读取库无法处理的内容，可能是被构造或已损坏的文件，拒绝读取；"
                         "如确是填好的自评表，请在 Excel/WPS 中打开后另存为 .xlsx 再试")
    part = _declares_dtd(path, data)
    if part is not None or _refused_as_unsafe(exc):
        return unsafe_xml(path, f"{part} 中声明了 DTD 或实体" if part else "")
    return FileError(f"{path.name} 无法解析，文件内容可能已损坏；请在 Excel/WPS 中打开后另存为 .xlsx 再试")


def _refused_as_unsafe(exc: BaseException) -> bool:
    """Whether defusedxml refused the XML somewhere in the chain (openpyxl wraps its error)."""
    from defusedxml import DefusedXmlException

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DefusedXmlException) or "Forbidden" in type(current).__name__:
            return True
        current = current.__cause__ or current.__context__
    return False


def _declares_dtd(path: Path, data: bytes | None = None) -> str | None:
    """The first XML part whose prolog declares a DTD (no workbook Excel writes has one)."""
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as archive:
            for entry in archive.infolist():
                if not entry.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                with archive.open(entry) as part:
                    head = part.read(PROLOG_BYTES)
                if any(marker in head for marker in DTD_MARKERS):
                    return entry.filename
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError):
        return None
    return None


# ---------------------------------------------------------------------------
# Cheap checks of what a parser would build, before it builds it
#
# A reader allocates a sheet as a grid of its rows × columns: python-calamine does so
# in full (one cell at XFD1048576 asks for 512 GB and aborts the process), and the
# readers here walk the grid cell by cell and expand merged ranges, hyperlinks and
# comments into cells. So the extents of every sheet a reader will build are read
# from its XML first, and a sheet that would be absurdly large is refused with the
# cell that makes it so. Sheets as spreadsheet programs write them (every cell's
# address as r="A1", in the first 26 columns and 9,999 rows) pass two regular
# expression searches without a single match; only others are scanned cell by cell.

MAX_FILE_BYTES = MAX_TOTAL_BYTES  # a bigger file cannot pass the size checks anyway
MAX_SHEET_AREA = 4_000_000  # rows × columns of one sheet (a 自评表 is < 10,000 × 30)
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # no spreadsheet program writes a cell beyond XFD1048576
MAX_COVERED = 200_000  # cells covered by one sheet's merged ranges and hyperlinks
MIN_SHARED_STRING_BYTES = 7  # "<si><t/></si>" has more: a declared count beyond size / 7 is a lie
MAX_SHEETS = 1_000  # Excel's own limit is memory; a 自评表 workbook has a few
MAX_STYLES = 65_536  # cell formats (Excel allows 64,000): openpyxl builds an object for each

_UNUSUAL_ADDRESS = re.compile(rb' r="(?![A-Z]?[0-9]{1,4}")')  # beyond Z9999, lower case, escaped, …
_UNUSUAL_TAGS = re.compile(rb"<c>|<c/>|<row>|<row/>|:c |:row |r='|r =|r= ")  # no address, prefixed, spaced
_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row)(?=[\s/>])([^>]*)>")
_ADDRESS_ATTR = re.compile(rb"""\s(?:[A-Za-z_][\w.-]*:)?r\s*=\s*(["'])(.*?)\1""")
_ADDRESS = re.compile(r"([A-Za-z]*)(\d*)")
_COVERING = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?(?:mergeCell|hyperlink|comment)\b[^>]*?\sref\s*=\s*["']([^"']*)["']""")
_FAR_REFERENCE = re.compile(rb'<(?:mergeCell|hyperlink) ref="(?![A-Z]?[0-9]{1,4}(?::[A-Z]?[0-9]{1,4})?")')
_DIMENSION = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\sref\s*=\s*["']([^"']*)["']""")
_PROTECTION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetProtection\b([^>]*)>")
_PROTECTION_ON = re.compile(rb"""\ssheet\s*=\s*["'](?:1|true)["']""")
_UNIQUE_COUNT = re.compile(rb"""\suniqueCount\s*=\s*["'](\d+)["']""")
_SHEET_PLAIN = re.compile(rb'<sheet name="([^"]*)" sheetId="[0-9]+"(?: state="[A-Za-z]+")? r:id="([^"]*)"/>')
_RELATIONSHIP_PLAIN = re.compile(rb'<Relationship Id="([^"]*)" Type="[^"]*" Target="([^"]*)"/>')
_SHEET_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\b([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class SheetShape:
    """What a worksheet's XML says about its size, read without parsing it."""

    name: str
    part: str
    rows: int  # the highest row a cell is in (an upper bound for sheets written as Excel does)
    cols: int
    farthest: str  # the cell that sets the extent ("" when it is a small sheet)
    covered: int  # cells inside merged ranges and hyperlinks
    declared: str  # the <dimension ref> the sheet declares ("" when none)
    protected: bool  # <sheetProtection sheet="1">

    @property
    def area(self) -> int:
        return self.rows * self.cols


def column_number(letters: str) -> int:
    """1 for A, 16384 for XFD (any length: an address beyond Excel's grid is an attack, not an error)."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ord(ch) - 64)
    return number


def _attributes(text: bytes) -> dict[str, str]:
    out = {}
    for name, double, single in _ATTRIBUTE.findall(text):
        value = (double or single).decode("utf-8", "replace")
        out[name.decode("ascii", "replace")] = html.unescape(value) if "&" in value else value
    return out


class _Package:
    """A workbook's zip; when its bytes are in memory, parts are inflated straight from them
    (the checks run on every file of a consolidation: zipfile's reader costs more than they do)."""

    def __init__(self, archive: zipfile.ZipFile, data: bytes | None = None) -> None:
        self.archive, self.data = archive, data

    def read(self, name: str, limit: int | None = None) -> bytes:
        """The part ``name`` (its first ``limit`` bytes); BadZipFile when it does not inflate to the
        size its header declares (a part that lies about its size is not inflated further)."""
        info = self.archive.getinfo(name)
        data = self.data
        if data is not None and not info.flag_bits & 1 and info.compress_type in (zipfile.ZIP_STORED,
                                                                                   zipfile.ZIP_DEFLATED):
            start = info.header_offset
            if data[start:start + 4] == ZIP_MAGIC:
                name_size, extra_size = struct.unpack_from("<HH", data, start + 26)
                begin = start + 30 + name_size + extra_size
                raw = memoryview(data)[begin:begin + info.compress_size]
                want = info.file_size if limit is None else min(limit, info.file_size)
                if info.compress_type == zipfile.ZIP_STORED:
                    out = bytes(raw[:want])
                else:
                    out = zlib.decompressobj(-15).decompress(raw, want + 1 if limit is None else max(want, 1))
                if limit is None and len(out) != info.file_size:
                    raise zipfile.BadZipFile(f"{name}: size")
                return out
        with self.archive.open(info) as stream:
            return stream.read() if limit is None else stream.read(limit)


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the zip path of its part (through workbook.xml and its relationships)."""
    return _sheet_parts(_Package(archive))


# sheet parts of packages whose workbook and relationships parts are the same bytes (by CRC and size,
# from the zip's directory, without inflating them): the forms of one batch share them
_PARTS_SEEN: dict[tuple[int, int, int, int], dict[str, str]] = {}


def _sheet_parts(package: _Package) -> dict[str, str]:
    try:
        book, relations = package.archive.getinfo("xl/workbook.xml"), package.archive.getinfo(
            "xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    key = (book.CRC, book.file_size, relations.CRC, relations.file_size)
    known = _PARTS_SEEN.get(key)
    if known is not None:
        return known
    try:
        workbook = package.read("xl/workbook.xml")
        rels = package.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError,
            zlib.error):
        return {}
    parts = _parse_sheet_parts(workbook, rels)
    _PARTS_SEEN[key] = parts
    if len(_PARTS_SEEN) > 256:
        _PARTS_SEEN.pop(next(iter(_PARTS_SEEN)))
    return parts


class TwinSheets(ValueError):
    """A workbook listing two sheets of one name: readers take different ones (python-calamine the
    first, openpyxl both under new names) and Excel repairs the file."""


def _parse_sheet_parts(workbook: bytes, rels: bytes) -> dict[str, str]:
    # as programs write them (one search each), else attribute by attribute
    sheets = _SHEET_PLAIN.findall(workbook)
    if len(sheets) != workbook.count(b"<sheet "):
        sheets = [(a.get("name", "").encode(), next((v for k, v in a.items() if k.endswith(":id")), "").encode())
                  for a in map(_attributes, (m.group(1) for m in _SHEET_ELEMENT.finditer(workbook)))]
    relations = _RELATIONSHIP_PLAIN.findall(rels)
    if len(relations) != rels.count(b"<Relationship "):
        relations = [(a.get("Id", "").encode(), a.get("Target", "").encode())
                     for a in map(_attributes, (m.group(1) for m in _RELATIONSHIP.finditer(rels)))]
    targets = dict(relations)
    seen: set[str] = set()
    for raw_name, _ in sheets:  # Excel's sheet names are unique regardless of case
        folded = _text(raw_name).casefold()
        if folded in seen:
            raise TwinSheets(_text(raw_name))
        seen.add(folded)
    out = {}
    for raw_name, rid in sheets:
        target = targets.get(rid)
        if target is None:
            continue
        name, where = _text(raw_name), _text(target)
        out[name] = where.lstrip("/") if where.startswith("/") else posixpath.normpath(posixpath.join("xl", where))
    return out


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def sheet_shape(name: str, part: str, xml: bytes, exact: bool = True) -> SheetShape:
    """The extents of a worksheet from its XML (see the notes above).

    A sheet whose every cell and row carries a plain address within Z9999 is small,
    which one search tells. Otherwise every address is read — unless ``exact`` is
    False, where only a plain far address is looked for (the consolidation's workers
    have a memory limit for what that misses: a cell or row without an address, one
    spelt in an unusual way)."""
    at = xml.find(b"sheetProtection")
    protection = _PROTECTION.search(xml, max(0, at - 64)) if at >= 0 else None
    protected = bool(protection and _PROTECTION_ON.search(protection.group(1)))
    dimension = _DIMENSION.search(xml)
    declared = dimension.group(1).decode("ascii", "replace") if dimension else ""
    # merged ranges and hyperlinks that stay within Z9999 cover little unless they overlap,
    # which only the exact check counts
    covers = b"<mergeCell" in xml or b"hyperlink" in xml
    covered = _covered(xml) if covers and (exact or _FAR_REFERENCE.search(xml)) else 0
    if _UNUSUAL_ADDRESS.search(xml) is None and (not exact or _plain_tags(xml)):
        return SheetShape(name, part, 9_999, 26, "", covered, declared, protected)
    rows, cols, farthest = _extents(xml)
    return SheetShape(name, part, rows, cols, farthest, covered, declared, protected)


def _plain_tags(xml: bytes) -> bool:
    """Every cell and row element is written <c r="…" / <row r="…" (as programs write them)."""
    return _UNUSUAL_TAGS.search(xml) is None and \
        xml.count(b' r="') == xml.count(b"<c ") + xml.count(b"<row ")


def _extents(xml: bytes) -> tuple[int, int, str]:
    """(rows, columns, farthest cell) from every cell's address; a row or cell without one
    follows the previous, as readers place it."""
    row = col = 0
    max_row = max_col = 0
    far_row = far_col = 0
    for found in _ELEMENT.finditer(xml):
        kind, attrs = found.group(1), found.group(2)
        texts = [html.unescape(v.decode("utf-8", "replace")) for _, v in _ADDRESS_ATTR.findall(attrs)] or [""]
        if kind == b"row":
            row = max((int(t) for t in texts if t.isdigit()), default=row + 1)
            col = 0
            continue
        start_col = col
        for text in texts:  # an element with two addresses is placed at the farther by some reader
            parsed = _ADDRESS.fullmatch(text)
            letters, digits = (parsed.group(1), parsed.group(2)) if parsed else ("", "")
            col = column_number(letters) if letters else start_col + 1
            cell_row = int(digits) if digits else max(row, 1)
            if cell_row > max_row:
                max_row, far_row, far_col = cell_row, cell_row, col
            if col > max_col:
                max_col, far_row, far_col = col, cell_row, col
    far = f"{_letters(far_col)}{far_row}" if far_row else ""
    return max_row, max_col, far


def _letters(col: int) -> str:
    out = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def _covered(xml: bytes) -> int:
    """Cells inside the sheet's merged ranges and hyperlinks (readers expand each into cells)."""
    total = 0
    for ref in _COVERING.findall(xml):
        total += _range_area(ref.decode("ascii", "replace"))
    return total


def _range_area(ref: str) -> int:
    total = 0
    for part in ref.replace(",", " ").split():
        first, _, last = part.replace("$", "").partition(":")
        a, b = _ADDRESS.fullmatch(first), _ADDRESS.fullmatch(last or first)
        if not a or not b:
            continue
        r1, r2 = int(a.group(2) or 1), int(b.group(2) or 1048576)
        c1, c2 = column_number(a.group(1) or "A"), column_number(b.group(1) or "XFD")
        total += (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
    return total


def too_large(path: Path, shape: SheetShape) -> FileError | None:
    """The error for a sheet a reader could not build in reasonable memory and time, if it is one."""
    if shape.area > MAX_SHEET_AREA or shape.rows > EXCEL_ROWS or shape.cols > EXCEL_COLUMNS:
        return FileError(
            f"{path.name} 的工作表“{shape.name}”中有远在表格之外的单元格 {shape.farthest}"
            f"（表格范围达 {shape.rows:,} 行 × {shape.cols:,} 列），读取需要过多内存，可能是被构造的文件，拒绝读取；"
            "如确是填好的自评表，请在 Excel/WPS 中删除多余的单元格后另存再试")
    if shape.covered > MAX_COVERED:
        return FileError(
            f"{path.name} 的工作表“{shape.name}”中的合并单元格或超链接覆盖了 {shape.covered:,} 个单元格，"
            "远超自评表的范围，读取需要过多内存，可能是被构造的文件，拒绝读取；"
            "如确是填好的自评表，请在 Excel/WPS 中取消多余的合并后另存再试")
    return None


def check_sheet_sizes(archive: zipfile.ZipFile, path: Path, names: Collection[str] | None = None,
                      exact: bool = True, data: bytes | None = None,
                      keep: dict[str, bytes] | None = None) -> dict[str, SheetShape]:
    """Shapes of the sheets ``names`` (all when None), each checked; raises FileError for the
    first that a reader could not build (``exact``: see :func:`sheet_shape`). Shared strings,
    and with every sheet the comments, are checked too."""
    package = _Package(archive, data)
    try:
        parts = _sheet_parts(package)
    except TwinSheets as twin:
        raise FileError(f"{path.name} 中有两个名为“{twin}”的工作表，不同的程序会读到不同的一个，可能是被构造的文件，"
                        "拒绝读取；请向报送单位索取在 Excel/WPS 中正常保存的文件") from None
    if len(parts) > MAX_SHEETS:
        raise FileError(f"{path.name} 有 {len(parts):,} 个工作表，远多于任何自评表，可能是被构造的文件，拒绝读取")
    present = set(archive.namelist())
    # part names are case-insensitive (python-calamine finds "Worksheets/Sheet1.xml" as the part
    # "worksheets/sheet1.xml"; two parts that differ in case only are refused before this)
    folded = {name.lower(): name for name in present}
    shapes = {}
    for name, target in parts.items():
        part = folded.get(target.lower(), target)
        if (names is not None and name not in names) or part not in present:
            continue
        xml = _read_part(package, part, path)
        shape = sheet_shape(name, part, xml, exact)
        if keep is not None:
            keep[name] = xml  # for a later look at the same part (its error values)
        error = too_large(path, shape)
        if error is not None:
            raise error
        shapes[name] = shape
    if names is None:
        _check_comments(package, path, present)
    if exact:
        _check_styles(package, path, present)
    _check_shared_strings(package, path, present)
    return shapes


def _read_part(package: _Package, part: str, path: Path) -> bytes:
    try:
        return package.read(part)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError, zlib.error):
        raise FileError(f"{path.name} 已损坏（部件 {part} 无法解压），请重新获取该文件") from None


def _check_comments(package: _Package, path: Path, present: set[str]) -> None:
    """Comments are tied to cells, which a reader creates: one far away is as bad as a far cell."""
    for part in sorted(present):
        if posixpath.basename(part).lower().startswith("comments") and part.lower().endswith(".xml"):
            for ref in _COVERING.findall(_read_part(package, part, path)):
                text = ref.decode("ascii", "replace")
                found = _ADDRESS.fullmatch(text.replace("$", ""))
                if found and found.group(1) and found.group(2):
                    rows, cols = int(found.group(2)), column_number(found.group(1))
                    if rows * cols > MAX_SHEET_AREA:
                        raise FileError(
                            f"{path.name} 中有批注挂在远在表格之外的单元格 {text} 上，读取需要过多内存，"
                            "可能是被构造的文件，拒绝读取")


def _check_styles(package: _Package, path: Path, present: set[str]) -> None:
    """More cell formats than Excel allows: openpyxl would build hundreds of thousands of objects."""
    for part in present:
        if part.lower().endswith("styles.xml"):
            xml = _read_part(package, part, path)
            count = xml.count(b"<xf ") + xml.count(b"<xf>") + xml.count(b"<xf/>") + xml.count(b":xf ")
            if count > MAX_STYLES:
                raise FileError(f"{path.name} 中有 {count:,} 个单元格格式，超过 Excel 的上限（64,000），"
                                "可能是被构造的文件，拒绝读取")


def _check_shared_strings(package: _Package, path: Path, present: set[str]) -> None:
    """A reader reserves room for the strings the table declares (python-calamine panics on a count
    that does not fit in memory): the count must fit the part's size."""
    for part in present:
        if not part.lower().endswith("sharedstrings.xml"):
            continue
        try:
            head = package.read(part, 1024)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError, zlib.error):
            raise FileError(f"{path.name} 已损坏（部件 {part} 无法解压），请重新获取该文件") from None
        found = _UNIQUE_COUNT.search(head)
        if found is None:
            continue
        declared, size = int(found.group(1)), package.archive.getinfo(part).file_size
        if declared > max(1_000, size // MIN_SHARED_STRING_BYTES):
            raise FileError(
                f"{path.name} 的共享字符串表声明有 {declared:,} 个字符串，而该部件只有 {size:,} 字节，"
                "不可能是真实的内容，可能是被构造的文件，拒绝读取")


_OUR_NAME = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?definedName\b[^>]*?\sname\s*=\s*["'](pe_[A-Za-z_]+)["']""")
_OUR_SUBJECT = "项目支出绩效自评表".encode()
HELPER_SHEETS = ("计算", "参数")


def generator_marks(path: Path, data: bytes | None = None) -> tuple[str, ...]:
    """What in a workbook says perfeval-xl generated it as a 自评表 — its defined names (pe_total …),
    its hidden 计算 and 参数 sheets, its document properties — in Chinese, for a message. A form
    whose _meta sheet was deleted still carries them, and must not pass as a hand-made one."""
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as archive:
            return _marks(archive)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError, zlib.error):
        return ()


def _marks(archive: zipfile.ZipFile) -> tuple[str, ...]:
    marks = []
    core = _core(archive, archive.namelist())
    try:
        workbook = archive.read("xl/workbook.xml")
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError,
            zlib.error):
        workbook = b""
    names = sorted({m.decode("ascii") for m in _OUR_NAME.findall(workbook)})
    if names:
        marks.append(f"定义名称 {'、'.join(names[:3])}{' 等' if len(names) > 3 else ''}")
    sheets = {_attributes(m.group(1)).get("name") for m in _SHEET_ELEMENT.finditer(workbook)}
    if all(name in sheets for name in HELPER_SHEETS):
        marks.append("隐藏的“计算”“参数”工作表")
    if _OUR_SUBJECT in core and b"perfeval-xl" in core:
        marks.append("文档属性（由 perfeval-xl 生成的项目支出绩效自评表）")
    return tuple(marks)


def check_sheets(path: Path, data: bytes | None, names: Collection[str], exact: bool = False) -> None:
    """Check sheets ``names`` of a workbook already found sound (see :func:`check_sheet_sizes`)."""
    if not names:
        return
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as archive:
            check_sheet_sizes(archive, path, names, exact)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError, zlib.error):
        raise FileError(f"{path.name} 已损坏（压缩包不完整，可能下载或拷贝中断），请重新获取该文件") from None
