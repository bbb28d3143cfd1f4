"""Call perfeval_xl.udfs through xlwings Server's custom-function path.

Run in a child process with ``XLWINGS_ON_SERVER=true`` (xlwings then decorates
the functions with its Office.js decorators) and an xlwings PRO licence key in
``XLWINGS_LICENSE_KEY`` (the tests use ``noncommercial``: testing this open
source project is a noncommercial purpose under the PolyForm Noncommercial
licence). Reads ``{"calls": [[name, [arg, …]], …]}`` on stdin, each argument a
2-D array as Office.js sends it, and prints ``{"results": […], "meta": …}``: what
``xlwings.server.custom_functions_call`` returns for each, and the functions'
Office.js metadata.
"""

import asyncio
import json
import sys

import xlwings as xw
from xlwings.server import custom_functions_call, custom_functions_meta

import perfeval_xl.udfs as module


async def main() -> None:
    request = json.load(sys.stdin)
    results = []
    for name, args in request["calls"]:
        data = {"func_name": name, "args": args, "version": xw.__version__, "client": "Office.js",
                "runtime": "1.4", "caller_address": "[自评表.xlsx]Sheet1!A1", "culture_info_name": "zh-CN",
                "date_format": "yyyy/m/d"}
        results.append(await custom_functions_call(data, module))
    json.dump({"results": results, "meta": custom_functions_meta(module)}, sys.stdout, ensure_ascii=False)


asyncio.run(main())
