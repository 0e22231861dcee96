"""Real servers for the copy-cataloguing tests and benchmark: Index Data's Zebra loaded with the
test's own records (it answers SRU over HTTP and Z39.50 on the same loopback port), and two
misbehaving servers of our own: one that accepts and never answers, one that answers garbage."""

from __future__ import annotations

import contextlib
import http.server
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

ABSTRACT = """name library
encoding utf-8
attset bib1.att
esetname F @
esetname B @
marc usmarc.mar
xpath disable
all any
melm 020$a    ISBN:w
melm 010$a    ISBN:w
melm 245      title
melm 200$a    title
"""

ZEBRA_CFG = """profilePath: .:/usr/share/idzebra-2.0/tab
modulePath: /usr/lib/x86_64-linux-gnu/idzebra-2.0/modules:/usr/lib/idzebra-2.0/modules
attset: bib1.att
attset: explain.att
recordType: grs.marcxml.library
encoding: utf-8
register: register:100M
shadow: register:100M
lockDir: register
keyTmpDir: register
"""

GFS = """<yazgfs>
  <listen id="loopback">tcp:127.0.0.1:{port}</listen>
  <server id="main" listenref="loopback">
    <config>zebra.cfg</config>
    <cql2rpn>/usr/share/yaz/etc/pqf.properties</cql2rpn>
    <retrievalinfo>
      <retrieval syntax="usmarc"/>
      <retrieval syntax="unimarc"><backend syntax="usmarc" name="F"/></retrieval>
      <retrieval syntax="xml" name="marcxml"/>
      <retrieval syntax="xml"/>
    </retrievalinfo>
  </server>
</yazgfs>
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def zebra_missing() -> str:
    for program in ("zebraidx", "zebrasrv", "yaz-client"):
        if not shutil.which(program):
            return f"{program} is not installed: apt-get install -y yaz idzebra-2.0 (.ci/run does)"
    return ""


@contextlib.contextmanager
def zebra_server(folder: Path, records: bytes):
    """Zebra on a free loopback port, indexed from ``records`` (ISO 2709, UTF-8); yields the
    port. The SRU base is http://127.0.0.1:PORT/Default, Z39.50 tcp:127.0.0.1:PORT/Default."""
    reason = zebra_missing()
    if reason:
        pytest.skip(reason)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "register").mkdir(exist_ok=True)
    (folder / "records").mkdir(exist_ok=True)
    (folder / "records" / "records.mrc").write_bytes(records)
    (folder / "library.abs").write_text(ABSTRACT)
    (folder / "zebra.cfg").write_text(ZEBRA_CFG)
    port = free_port()
    (folder / "yazgfs.xml").write_text(GFS.format(port=port))
    for step in (["init"], ["update", "records"], ["commit"]):
        subprocess.run(["zebraidx", "-c", "zebra.cfg", *step], cwd=folder, check=True, capture_output=True)
    server = subprocess.Popen(
        ["zebrasrv", "-f", "yazgfs.xml", "-l", "zebrasrv.log"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"zebrasrv did not start: {(folder / 'zebrasrv.log').read_text()[-2000:]}")
            time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=5)


@contextlib.contextmanager
def silent_server():
    """Accepts connections and never answers: a server that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


class _Garbage(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><body>Service temporarily unavailable</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def garbage_server():
    """An HTTP server that answers every request with a web page instead of SRU."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
