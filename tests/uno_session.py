"""A headless LibreOffice for the uno_*.py scripts: started with a fresh user profile
(LibreOffice's default settings), reached over a named pipe, terminated afterwards.

Used by scripts run with the system Python that has LibreOffice's ``uno`` module
(Debian's python3-uno); they import it as a sibling (the script's folder is on sys.path).
"""

import contextlib
import os
import subprocess
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


@contextlib.contextmanager
def office(tag):
    """Yield (service manager, component context, desktop) of a fresh headless LibreOffice."""
    with tempfile.TemporaryDirectory() as tmp:
        pipe = f"pe_{tag}_{os.getpid()}"
        proc = subprocess.Popen(
            ["soffice", f"-env:UserInstallation=file://{tmp}", "--headless", "--invisible", "--norestore",
             "--nolockcheck", f"--accept=pipe,name={pipe};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        desktop = None
        try:
            local = uno.getComponentContext()
            resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
            ctx = None
            for _ in range(120):
                try:
                    ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                    break
                except Exception:
                    time.sleep(0.5)
            if ctx is None:
                raise SystemExit("LibreOffice did not answer on its pipe within 60 s")
            smgr = ctx.ServiceManager
            desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
            yield smgr, ctx, desktop
        finally:
            with contextlib.suppress(Exception):
                desktop.terminate()
            proc.terminate()
            proc.wait(timeout=30)


def file_url(path):
    return uno.systemPathToFileUrl(os.path.abspath(path))
