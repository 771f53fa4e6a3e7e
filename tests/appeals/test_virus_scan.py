"""Optional virus scanning through a ClamAV daemon (``QINQING_CLAMD``): an infected file is refused in Chinese and
nothing is saved; a daemon that gives no verdict refuses every file (fail closed).

The stand-in for the external daemon is a small TCP server speaking clamd's INSTREAM protocol (length-prefixed
chunks, then ``stream: OK`` or ``stream: <signature> FOUND``); our own code runs unchanged through clamav-client.
The last test uses a real clamd when one is reachable and skips otherwise."""

import logging
import os
import socket
import socketserver
import struct
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qinqing.appeals.models import Appeal, Attachment
from qinqing.core import files
from qinqing.core.errors import InvalidInput, Unavailable
from tests.appeals.test_attachments import PDF, submit

# The EICAR test file, which every scanner reports and which harms nothing; joined here so this source file is
# not itself reported.
EICAR = (r"X5O!P%@AP[4\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode()


class FakeClamd(socketserver.ThreadingTCPServer):
    """Answers INSTREAM like clamd: FOUND for a stream containing EICAR, OK otherwise (or a set answer)."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, answer: str | None = None):
        self.answer = answer
        self.streams: list[bytes] = []
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


class Handler(socketserver.StreamRequestHandler):
    server: FakeClamd

    def handle(self) -> None:
        command = self.rfile.readline()
        if command.strip(b"\n\0") not in (b"nINSTREAM", b"zINSTREAM"):
            self.wfile.write(b"UNKNOWN COMMAND\n")
            return
        data = b""
        while True:
            (size,) = struct.unpack("!L", self.rfile.read(4))
            if size == 0:
                break
            data += self.rfile.read(size)
        self.server.streams.append(data)
        if self.server.answer is not None:
            self.wfile.write(self.server.answer.encode() + b"\n")
        elif EICAR in data:
            self.wfile.write(b"stream: Eicar-Test-Signature FOUND\n")
        else:
            self.wfile.write(b"stream: OK\n")


@pytest.fixture
def clamd(settings):
    def start(answer: str | None = None) -> FakeClamd:
        server = FakeClamd(answer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        settings.QINQING_CLAMD = server.address
        return server

    started: list[FakeClamd] = []
    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def test_a_clean_file_is_scanned_and_kept(world, clamd):
    daemon = clamd()
    appeal = submit(world, SimpleUploadedFile("营业执照.pdf", PDF))
    assert appeal.attachments.get().original_name == "营业执照.pdf"
    assert daemon.streams == [PDF]  # the daemon saw the whole file
    assert appeal.attachments.get().file.read() == PDF  # and the stored file is whole after the scan


def test_an_infected_file_is_refused_in_chinese_and_nothing_is_saved(world, clamd):
    clamd()
    with pytest.raises(InvalidInput) as refused:
        submit(world, SimpleUploadedFile("说明.txt", EICAR), SimpleUploadedFile("营业执照.pdf", PDF))
    assert refused.value.message == "附件含有病毒"
    assert (
        "“说明.txt”经病毒扫描发现恶意代码（Eicar-Test-Signature）" in refused.value.errors["attachments"][0]
    )
    assert not Appeal.objects.exists() and not Attachment.objects.exists()


def test_the_api_answers_an_infected_file_with_a_chinese_400(world, clamd):
    appeal = submit(world)
    clamd()
    api = Client(headers={"Authorization": f"Bearer {world.token(world.ent_user_a)}"})
    r = api.post(
        f"/api/appeals/{appeal.number}/attachments", {"files": [SimpleUploadedFile("说明.txt", EICAR)]}
    )
    assert r.status_code == 400
    assert "病毒" in r.json()["errors"]["attachments"][0]
    assert not appeal.attachments.exists()


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


def test_an_unreachable_daemon_refuses_every_upload_and_says_so(world, settings, caplog):
    settings.QINQING_CLAMD = _closed_port()
    with caplog.at_level(logging.ERROR, logger="qinqing.core.files"), pytest.raises(Unavailable) as refused:
        submit(world, SimpleUploadedFile("营业执照.pdf", PDF))
    assert refused.value.status == 503
    assert "病毒扫描服务暂时无法连接，附件未保存" in refused.value.errors["attachments"][0]
    assert not Appeal.objects.exists() and not Attachment.objects.exists()
    assert "virus scan unavailable" in caplog.text and settings.QINQING_CLAMD in caplog.text

    appeal = submit(world)  # without files nothing needs the scanner
    api = Client(headers={"Authorization": f"Bearer {world.token(world.ent_user_a)}"})
    r = api.post(f"/api/appeals/{appeal.number}/attachments", {"files": [SimpleUploadedFile("1.pdf", PDF)]})
    assert r.status_code == 503 and "病毒扫描服务" in r.json()["errors"]["attachments"][0]
    assert not appeal.attachments.exists()


def test_a_daemon_answering_an_error_gives_no_verdict_and_refuses(world, clamd):
    clamd("INSTREAM size limit exceeded. ERROR")
    with pytest.raises(Unavailable):
        submit(world, SimpleUploadedFile("营业执照.pdf", PDF))
    assert not Attachment.objects.exists()


def test_without_a_daemon_configured_nothing_is_scanned(world, settings):
    settings.QINQING_CLAMD = ""
    assert files.scanner() is None
    appeal = submit(world, SimpleUploadedFile("说明.txt", EICAR))
    assert appeal.attachments.count() == 1


def _real_clamd() -> str | None:
    """A real clamd: QINQING_TEST_CLAMD, else the Debian socket, else localhost:3310, if it answers PING."""
    candidates = [os.environ.get("QINQING_TEST_CLAMD", ""), "/run/clamav/clamd.ctl", "127.0.0.1:3310"]
    for address in filter(None, candidates):
        family = socket.AF_UNIX if address.startswith("/") else socket.AF_INET
        target: object = (
            address if family == socket.AF_UNIX else (address.split(":")[0], int(address.split(":")[1]))
        )
        try:
            with socket.socket(family) as s:
                s.settimeout(2)
                s.connect(target)  # type: ignore[arg-type]
                s.sendall(b"nPING\n")
                if s.recv(16).strip() == b"PONG":
                    return address
        except OSError:
            continue
    return None


def test_a_real_clamd_finds_the_test_virus(world, settings):
    address = _real_clamd()
    if address is None:
        pytest.skip("no ClamAV daemon reachable (set QINQING_TEST_CLAMD to a socket path or host:port)")
    settings.QINQING_CLAMD = address
    with pytest.raises(InvalidInput, match="附件含有病毒"):
        submit(world, SimpleUploadedFile("说明.txt", EICAR))
    assert submit(world, SimpleUploadedFile("营业执照.pdf", PDF)).attachments.count() == 1
