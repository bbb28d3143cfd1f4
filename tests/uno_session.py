"""A headless LibreOffice for the uno_*.py scripts: started with a fresh user profile
(LibreOffice's default settings), reached over a named pipe, terminated afterwards.

Used by scripts run with the system Python that has LibreOffice's ``uno`` module
(Debian's python3-uno); they import it as a sibling (the script's folder is on sys.path).

On a busy machine a LibreOffice that has only just started can hand back no document
(loadComponentFromURL returns None while it is still initialising), and one can die
under a call ("Binary URP bridge disposed during call"). So the profile is created by a
first run that exits once initialised, documents are loaded with a few retries, a
document is closed only where the work needs it, and :func:`run` gives the whole job a
fresh LibreOffice when the bridge is lost. Scripts print their results only once the
job has succeeded, so a retried job prints them once.
"""

import contextlib
import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue

ATTEMPTS = 3  # fresh LibreOffice sessions for one job
# No lock files beside the documents: one left by a session that was killed makes the next
# session's load wait for an answer no one gives in headless mode (it returns None).
REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""
LOAD_TRIES = 20  # a document that comes back as None while LibreOffice settles


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def file_url(path):
    return uno.systemPathToFileUrl(os.path.abspath(path))


class Lost(Exception):
    """LibreOffice went away or would not serve a document: the job is run again."""


class Office:
    """One LibreOffice process with its own profile, and the UNO objects to drive it."""

    def __init__(self, tag, profile):
        self.pipe = f"pe_{tag}_{os.getpid()}_{int(time.monotonic() * 1000) % 100000}"
        self.profile = profile
        self.proc = None
        self.smgr = self.ctx = self.desktop = None

    def _command(self, *extra):
        return ["soffice", f"-env:UserInstallation=file://{self.profile}", "--headless", "--invisible",
                "--norestore", "--nolockcheck", *extra]

    def start(self):
        os.makedirs(os.path.join(self.profile, "user"), exist_ok=True)
        with open(os.path.join(self.profile, "user", "registrymodifications.xcu"), "w", encoding="utf-8") as fh:
            fh.write(REGISTRY)
        env = {**os.environ, "SAL_ENABLE_FILE_LOCKING": "0"}
        # First start of a fresh profile: let LibreOffice create it and exit, so that the
        # instance we talk to does not restart itself (and drop the bridge) while we use it.
        subprocess.run(self._command("--terminate_after_init"), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=300, check=False, env=env)
        self.proc = subprocess.Popen(self._command(f"--accept=pipe,name={self.pipe};urp;"),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + 120
        while True:
            try:
                self.ctx = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise Lost("LibreOffice did not answer on its pipe") from None
                time.sleep(0.5)
        self.smgr = self.ctx.ServiceManager
        self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)

    def load(self, path):
        """The document at ``path`` (hidden), retried while LibreOffice settles."""
        url = file_url(path)
        for _ in range(LOAD_TRIES):
            doc = self.desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            if doc is not None:
                return doc
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        raise Lost(f"LibreOffice gave no document for {path}")

    def close(self, doc):
        """Close a document whose work is done; LibreOffice failing to close it harms nothing written."""
        with contextlib.suppress(Exception):
            doc.close(True)

    def stop(self):
        if self.desktop is not None:
            with contextlib.suppress(Exception):
                self.desktop.terminate()
        if self.proc is not None:
            with contextlib.suppress(Exception):
                self.proc.wait(timeout=20)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=30)


@contextlib.contextmanager
def office(tag):
    """Yield (service manager, component context, desktop) of a fresh LibreOffice set up as :class:`Office`
    does — for a script that cannot run its work again; :func:`run` is the sturdier way."""
    with tempfile.TemporaryDirectory() as profile:
        session = Office(tag, profile)
        try:
            session.start()
            yield session.smgr, session.ctx, session.desktop
        finally:
            session.stop()


def run(tag, job):
    """``job(office)`` in a fresh LibreOffice; on a lost bridge or document, again in a new one."""
    last = None
    for _attempt in range(ATTEMPTS):
        with tempfile.TemporaryDirectory() as profile:
            office = Office(tag, profile)
            try:
                office.start()
                return job(office)
            except Exception as exc:  # DisposedException, RuntimeException, Lost …
                last = exc
                print(f"LibreOffice session lost ({type(exc).__name__}: {exc}); starting a new one",
                      file=sys.stderr, flush=True)
            finally:
                office.stop()
    raise SystemExit(f"LibreOffice failed {ATTEMPTS} times: {type(last).__name__}: {last}")
