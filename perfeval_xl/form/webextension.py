"""The Office add-in parts of a workbook: the xlwings Lite add-in and the code it runs.

An Office add-in (a "web extension") is bound to a workbook by three parts (MS-OWEXML):
``xl/webextensions/webextension1.xml`` names the add-in (store id ``WA200008175`` in the
Office store, ``storeType="OMEX"``) and holds its document settings as
``<we:property name=… value=…/>``; ``xl/webextensions/taskpanes.xml`` docks its task pane;
``_rels/.rels`` points the package at the task panes, and ``[Content_Types].xml`` types the
two parts. xlwings Lite keeps a workbook's code in those settings: ``main.py`` and
``requirements.txt``, each the JSON text of a string (Office.js serialises every setting
value as JSON), with ``/`` written ``\\/`` as Office does.

What is written here follows workbooks saved by Excel with the add-in (see README,
"xlwings Lite"). XlsxWriter cannot write these parts, so :func:`add_webextension` adds
them to the finished file: every other part is copied unchanged, and the result is the
same bytes for the same input.
"""

from __future__ import annotations

import json
import os
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from ..errors import FileError, FormError, os_reason

WEBEXTENSION = "xl/webextensions/webextension1.xml"
TASKPANES = "xl/webextensions/taskpanes.xml"
TASKPANES_RELS = "xl/webextensions/_rels/taskpanes.xml.rels"
PACKAGE_RELS = "_rels/.rels"
CONTENT_TYPES = "[Content_Types].xml"

NS_WE = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
NS_WETP = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_TASKPANES = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
REL_WEBEXTENSION = "http://schemas.microsoft.com/office/2011/relationships/webextension"
TYPE_WEBEXTENSION = "application/vnd.ms-office.webextension+xml"
TYPE_TASKPANES = "application/vnd.ms-office.webextensiontaskpanes+xml"

# The xlwings Lite add-in in the Office store, as Excel records it: the reference by the
# store's market, and the alternate reference by the add-in's store id.
LITE_ADDIN_ID = "WA200008175"
LITE_STORE = "en-US"
LITE_VERSION = "1.0.0.0"
# The extensions Excel writes for an add-in with custom functions (the URIs it uses).
CUSTOM_FUNCTIONS_EXT = ("{D87F86FE-615C-45B5-9D79-34F1136793EB}", "{7C84B067-C214-45C3-A712-C9D94CD141B2}")
TASKPANE_WIDTH = 438
_ID_NAMESPACE = uuid.UUID("5b0d3c7e-2f5e-4c53-9a0e-7065726665c1")  # perfeval-xl's, for the extension's id
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_REL_ID = re.compile(r'\bId="rId(\d+)"')


def encode_setting(value: Any) -> str:
    """A document setting's value as Office stores it: JSON, non-ASCII kept, ``/`` as ``\\/``."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


def _attribute(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def webextension_xml(settings: dict[str, Any], key: str) -> str:
    """The web extension part binding the xlwings Lite add-in, with its document settings.

    ``key`` makes the part's id (a GUID, fixed for the same key)."""
    guid = "{" + str(uuid.uuid5(_ID_NAMESPACE, key)).upper() + "}"
    properties = "".join(f'<we:property name="{_attribute(name)}" value="{_attribute(encode_setting(value))}"/>'
                         for name, value in settings.items())
    exts = "".join(f'<a:ext xmlns:a="{NS_A}" uri="{uri}"><we:{tag}/></a:ext>'
                   for uri, tag in zip(CUSTOM_FUNCTIONS_EXT, ("containsCustomFunctions", "customFunctionIdList"),
                                       strict=True))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<we:webextension xmlns:we="{NS_WE}" id="{guid}">'
        f'<we:reference id="{LITE_ADDIN_ID.lower()}" version="{LITE_VERSION}" store="{LITE_STORE}" storeType="OMEX"/>'
        f'<we:alternateReferences><we:reference id="{LITE_ADDIN_ID}" version="{LITE_VERSION}" '
        f'store="{LITE_ADDIN_ID}" storeType="OMEX"/></we:alternateReferences>'
        f"<we:properties>{properties}</we:properties>"
        f'<we:bindings/><we:snapshot xmlns:r="{NS_R}"/>'
        f"<we:extLst>{exts}</we:extLst>"
        "</we:webextension>"
    )


def taskpanes_xml() -> str:
    """The task pane of the add-in, docked right and shown when the workbook opens."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<wetp:taskpanes xmlns:wetp="{NS_WETP}"><wetp:taskpane dockstate="right" visibility="1" '
        f'width="{TASKPANE_WIDTH}" row="2"><wetp:webextensionref xmlns:r="{NS_R}" r:id="rId1"/>'
        "</wetp:taskpane></wetp:taskpanes>"
    )


def _taskpanes_rels() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{NS_PACKAGE_RELS}"><Relationship Id="rId1" Type="{REL_WEBEXTENSION}" '
        'Target="webextension1.xml"/></Relationships>'
    )


def _with_package_rel(rels: str) -> str:
    used = [int(n) for n in _REL_ID.findall(rels)]
    rel = (f'<Relationship Id="rId{max(used, default=0) + 1}" Type="{REL_TASKPANES}" '
           f'Target="{escape(TASKPANES)}"/>')
    return rels.replace("</Relationships>", rel + "</Relationships>")


def _with_content_types(types: str) -> str:
    overrides = "".join(f'<Override PartName="/{part}" ContentType="{kind}"/>'
                        for part, kind in ((TASKPANES, TYPE_TASKPANES), (WEBEXTENSION, TYPE_WEBEXTENSION)))
    return types.replace("</Types>", overrides + "</Types>")


def _entry(name: str, date_time: tuple[int, int, int, int, int, int], attributes: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = attributes
    return info


def add_webextension(path: Path, settings: dict[str, Any], key: str) -> None:
    """Bind the xlwings Lite add-in to the workbook at ``path`` with these document settings.

    The file is rewritten through a temporary file beside it and replaced in one step."""
    added = {WEBEXTENSION: webextension_xml(settings, key), TASKPANES: taskpanes_xml(),
             TASKPANES_RELS: _taskpanes_rels()}
    changed = {PACKAGE_RELS: _with_package_rel, CONTENT_TYPES: _with_content_types}
    temporary = path.with_name(path.name + ".webext.tmp")
    try:
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(temporary, "w") as out:
            present = set(source.namelist())
            if present & added.keys():
                raise FormError(f"{path.name} 已含有 Office 加载项部件，不能再加入 xlwings Lite")
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename in changed:
                    data = changed[info.filename](data.decode("utf-8")).encode("utf-8")
                out.writestr(_entry(info.filename, info.date_time, info.external_attr), data)
            for name, text in added.items():
                out.writestr(_entry(name, _ZIP_TIME, 0), text.encode("utf-8"))
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise FileError(f"无法写入 {path}：{os_reason(exc)}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_settings(path: Path) -> dict[str, Any]:
    """The document settings of the web extension in the workbook at ``path`` (values decoded)."""
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read(WEBEXTENSION))
    return {prop.get("name"): json.loads(prop.get("value"))
            for prop in root.iter(f"{{{NS_WE}}}property")}


__all__ = ["LITE_ADDIN_ID", "add_webextension", "encode_setting", "read_settings", "taskpanes_xml",
           "webextension_xml"]
