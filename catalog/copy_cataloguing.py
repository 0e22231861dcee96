"""Copy cataloguing: ask the configured SRU or Z39.50 servers (a union catalogue, the national
library, a supplier) for an ISBN and read their answers as the MARC import reads a file.

The servers are a setting, ``CATALOG_COPY_SERVERS`` (from the environment variable of the same
name), because they are the site's connections, as the mail server and the database are:
``name|url`` entries separated by ``;``, the url ``http://host:port/database`` for SRU or
``z3950://host:port/database`` for Z39.50, optionally ``|cnmarc`` for a Z39.50 server that
sends UNIMARC/CNMARC. ``CATALOG_COPY_TIMEOUT`` (seconds, 5) bounds the wait for all of them.

SRU is read with urllib and pymarc's MARCXML reader (through ``marc_read``): it measured about
twice as fast as driving ``yaz-client`` (no process per lookup) and needs no native binding.
Z39.50 goes through yaz's own client, since no Python binding of it is kept up today.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from catalog.isbn import isbn_hyphenate, isbn_to_10
from catalog.marc import marc_read
from catalog.models import Contributor

SRU = "sru"
Z3950 = "z3950"
MAX_RESULTS = 5
DEFAULT_TIMEOUT = 5.0


@dataclass(frozen=True)
class CopyServer:
    name: str
    url: str
    protocol: str
    syntax: str = "marc21"

    @property
    def address(self) -> str:
        """host:port/database, as yaz-client opens it."""
        parts = urllib.parse.urlsplit(self.url)
        return f"tcp:{parts.hostname}:{parts.port or 210}/{parts.path.lstrip('/') or 'Default'}"


@dataclass
class CopyResult:
    """One record a server sent, mapped as the MARC import maps it."""

    fields: dict
    contributors: list[tuple[str, str]]
    format: str = ""

    @property
    def title(self) -> str:
        return self.fields.get("title", "")

    @property
    def authors_display(self) -> str:
        labels = dict(Contributor.Role.choices)
        return "；".join(f"{name} {labels.get(role, '')}".strip() for name, role in self.contributors)

    def as_session(self) -> dict:
        fields = {
            name: (str(value) if isinstance(value, Decimal) else value) for name, value in self.fields.items()
        }
        return {
            "fields": fields,
            "contributors": [list(pair) for pair in self.contributors],
            "format": self.format,
        }

    @classmethod
    def from_session(cls, data: dict) -> CopyResult:
        return cls(
            fields=dict(data["fields"]),
            contributors=[tuple(pair) for pair in data["contributors"]],
            format=data.get("format", ""),
        )

    def form_initial(self) -> dict:
        """The record form's fields, filled from this record for the librarian to check."""
        labels = dict(Contributor.Role.choices)
        initial = {name: str(value) for name, value in self.fields.items()}
        initial["contributors"] = "\n".join(
            f"{name} {labels.get(role, '')}".strip() for name, role in self.contributors
        )
        return initial


@dataclass
class ServerAnswer:
    server: CopyServer
    results: list[CopyResult] = field(default_factory=list)
    problem: str = ""


def copy_servers() -> list[CopyServer]:
    servers = []
    for entry in getattr(settings, "CATALOG_COPY_SERVERS", []) or []:
        if isinstance(entry, CopyServer):
            servers.append(entry)
            continue
        if isinstance(entry, str):
            parts = [part.strip() for part in entry.split("|")]
            entry = {
                "name": parts[0],
                "url": parts[1] if len(parts) > 1 else "",
                "syntax": parts[2] if len(parts) > 2 else "",
            }
        url = entry.get("url", "")
        protocol = Z3950 if url.startswith(("z3950://", "tcp:")) else SRU
        servers.append(
            CopyServer(
                name=entry.get("name") or url,
                url=url,
                protocol=protocol,
                syntax=entry.get("syntax") or "marc21",
            )
        )
    return servers


def copy_timeout() -> float:
    return float(getattr(settings, "CATALOG_COPY_TIMEOUT", DEFAULT_TIMEOUT))


def _isbn_forms(isbn13: str) -> list[str]:
    """The ISBN as servers index it: ISBN-13 and ISBN-10, with and without hyphens."""
    ten = isbn_to_10(isbn13)
    forms = [isbn13, isbn_hyphenate(isbn13), ten, isbn_hyphenate(ten)]
    return [form for form in dict.fromkeys(forms) if form]


def copy_lookup(isbn13: str) -> list[ServerAnswer]:
    """Ask every configured server at once; each answers with records or a problem within the
    timeout, so that a server down or slow never holds the desk."""
    servers = copy_servers()
    if not servers:
        return []
    timeout = copy_timeout()
    pool = ThreadPoolExecutor(max_workers=len(servers))
    futures = [pool.submit(_ask, server, isbn13, timeout) for server in servers]
    answers = []
    for server, future in zip(servers, futures, strict=True):
        try:
            answers.append(future.result(timeout=timeout + 0.5))
        except FuturesTimeout:
            answers.append(ServerAnswer(server, problem=_slow(server, timeout)))
    # Threads still waiting on a dead socket end by their own timeout; nobody waits for them.
    pool.shutdown(wait=False, cancel_futures=True)
    return answers


def _slow(server: CopyServer, timeout: float) -> str:
    return _(
        "%(server)s did not answer within %(seconds)s seconds. Catalogue the book by hand, or try again later."
    ) % {
        "server": server.name,
        "seconds": f"{timeout:g}",
    }


def _ask(server: CopyServer, isbn13: str, timeout: float) -> ServerAnswer:
    try:
        data = _sru(server, isbn13, timeout) if server.protocol == SRU else _z3950(server, isbn13, timeout)
    except (TimeoutError, subprocess.TimeoutExpired):
        return ServerAnswer(server, problem=_slow(server, timeout))
    except _Refused as error:
        return ServerAnswer(server, problem=str(error))
    except (urllib.error.URLError, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, ConnectionRefusedError):
            reason = pgettext("copy cataloguing", "connection refused")
        reason = getattr(reason, "strerror", None) or reason
        if isinstance(reason, TimeoutError):
            return ServerAnswer(server, problem=_slow(server, timeout))
        return ServerAnswer(
            server,
            problem=_("%(server)s cannot be reached (%(reason)s). Catalogue the book by hand.")
            % {"server": server.name, "reason": reason},
        )
    if not data.strip():
        return ServerAnswer(server)
    return _read(server, data)


class _Refused(Exception):
    pass


def _sru(server: CopyServer, isbn13: str, timeout: float) -> bytes:
    query = " or ".join(f'bath.isbn="{form}"' for form in _isbn_forms(isbn13))
    parameters = urllib.parse.urlencode(
        {
            "version": "1.1",
            "operation": "searchRetrieve",
            "query": query,
            "maximumRecords": str(MAX_RESULTS),
            "recordSchema": "marcxml",
        }
    )
    if not server.url.startswith(("http://", "https://")):
        raise _Refused(
            _("The address of %(server)s is neither http://… (SRU) nor z3950://… (Z39.50).")
            % {"server": server.name}
        )
    separator = "&" if "?" in server.url else "?"
    address = f"{server.url}{separator}{parameters}"
    data = _get(address, timeout)
    if b"Unknown schema" in data and b"diagnostic" in data:
        # Zebra and others that send MARCXML under no schema name: ask again without one.
        data = _get(address.replace("&recordSchema=marcxml", ""), timeout)
    if b"numberOfRecords>0<" in data:
        return b""
    if b"searchRetrieveResponse" not in data[:2000]:
        raise _Refused(
            _("%(server)s answered with something that is not an SRU response. Catalogue the book by hand.")
            % {"server": server.name}
        )
    return data


def _get(address: str, timeout: float) -> bytes:
    request = urllib.request.Request(address, headers={"Accept": "application/xml"})  # noqa: S310 (http checked)
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.read(4 * 1024 * 1024)


def _z3950(server: CopyServer, isbn13: str, timeout: float) -> bytes:
    client = shutil.which("yaz-client")
    if not client:
        raise _Refused(
            _("%(server)s is a Z39.50 server, and yaz-client is not installed on this computer.")
            % {"server": server.name}
        )
    terms = [f'@attr 1=7 "{form}"' for form in _isbn_forms(isbn13)]
    query = terms[0]
    for term in terms[1:]:
        query = f"@or {query} {term}"
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / "records.mrc"
        presents = "".join(f"show {position}+1\n" for position in range(1, MAX_RESULTS + 1))
        script = (
            f"open {server.address}\nset_marcdump {dump}\n"
            f"format {'unimarc' if server.syntax == 'cnmarc' else 'usmarc'}\nfind {query}\n{presents}quit\n"
        )
        run = subprocess.run(  # noqa: S603 (fixed program, the query built from a checked ISBN)
            [client, "-q"], input=script.encode(), capture_output=True, timeout=timeout, check=False
        )
        output = run.stdout.decode("utf-8", "replace")
        if "Connection refused" in output or "Could not resolve" in output or "Not connected" in output:
            raise _Refused(
                _("%(server)s cannot be reached (%(reason)s). Catalogue the book by hand.")
                % {"server": server.name, "reason": pgettext("copy cataloguing", "connection refused")}
            )
        return dump.read_bytes() if dump.exists() else b""


def _read(server: CopyServer, data: bytes) -> ServerAnswer:
    report = marc_read(data, max_records=MAX_RESULTS)
    if report.problems:
        return ServerAnswer(
            server,
            problem=_(
                "%(server)s answered with something that is not MARC: %(problem)s Catalogue the book by hand."
            )
            % {"server": server.name, "problem": " ".join(str(problem) for problem in report.problems)},
        )
    results = [
        CopyResult(fields=dict(entry.fields), contributors=list(entry.contributors), format=entry.format)
        for entry in report.entries
        if entry.title and not entry.holdings
    ]
    return ServerAnswer(server, results=results)
