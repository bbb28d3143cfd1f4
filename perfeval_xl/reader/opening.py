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

import io
import re
import zipfile
from dataclasses import dataclass
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
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")


@dataclass(frozen=True)
class Opened:
    """A file that passed the checks."""

    path: Path
    macros: bool  # an .xlsm/.xltm with a VBA project (never run)
    saved_at: str | None = None  # docProps/core.xml's modified time, when it says
    kind: str = "xlsx"  # one of KINDS


def check_workbook_file(path: Path, verify: bool = True, data: bytes | None = None) -> Opened:
    """Raise FileError with the reason when ``path`` is not a readable workbook (any of KINDS).

    ``verify`` also decompresses every part to check its CRC (slower; the fast
    reader leaves that to the parser, which fails on a damaged part anyway). With
    ``data`` the checks run on those bytes (the file's content, already read).
    """
    if data is None:
        if not path.exists():
            raise FileError(f"找不到文件 {path}，请检查路径是否正确")
        if path.is_dir():
            raise FileError(f"{path} 是文件夹，不是工作簿")
        try:
            with path.open("rb") as fh:
                head = fh.read(8)
        except OSError as exc:
            raise FileError(f"无法读取 {path}：{os_reason(exc)}") from None
    else:
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
        raise FileError(f"{path.name} 不是 Excel 工作簿（.xlsx、.xls、.et、.ods 等），可能是其他类型的文件改了扩展名")
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
        bad = archive.testzip() if verify else None
        if bad is not None:
            raise FileError(f"{path.name} 已损坏（部件 {bad} 校验失败），请重新获取该文件")
        modified = None
        if "docProps/core.xml" in names:
            try:
                match = _MODIFIED.search(archive.read("docProps/core.xml")[:4096])
            except (zipfile.BadZipFile, OSError, EOFError):
                match = None
            modified = match.group(1).decode("ascii", "replace").strip() if match else None
        return Opened(path, macros="xl/vbaProject.bin" in names, saved_at=modified, kind=kind)


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
    part = _declares_dtd(path, data)
    if part is not None or _refused_as_unsafe(exc):
        where = f"（{part} 中声明了 DTD 或实体）" if part else ""
        return FileError(f"{path.name} 含有不安全的 XML 内容{where}，可能是“实体膨胀”之类的攻击文件，拒绝读取；"
                         "请向报送单位索取在 Excel/WPS 中正常保存的文件")
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
