"""What an uploaded file really is, from its bytes (puremagic's signature database), not from its name.

An attachment is accepted only when its content is of the kind its extension claims: a program renamed to .pdf,
a web page renamed to .jpg or a zip renamed to .doc is refused. Office Open XML, OFD and zip share the zip
container, so they are one family; plain text has no signature and must decode as UTF-8 or GB18030 without
control characters.

When ``QINQING_CLAMD`` names a ClamAV daemon every attachment is also scanned before it is saved; an infected file
is refused, and so is every file while the daemon gives no verdict (fail closed)."""

from __future__ import annotations

import logging
from typing import BinaryIO, Protocol, cast

import puremagic
from clamav_client import clamd
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from qinqing.core.errors import InvalidInput, Unavailable

log = logging.getLogger(__name__)

ZIP = {"zip", "docx", "xlsx", "pptx", "ofd", "xlsb"}
FAMILIES = {
    "pdf": {"pdf"},
    "jpg": {"jpg", "jpeg", "jfif", "jpe"},
    "jpeg": {"jpg", "jpeg", "jfif", "jpe"},
    "png": {"png"},
    "gif": {"gif"},
    "doc": {"doc", "xls", "ppt", "msg", "wps"},  # the OLE compound file of old Office and WPS
    "xls": {"doc", "xls", "ppt", "msg", "et"},
    "wps": {"doc", "xls", "ppt", "wps"},
    "docx": ZIP,
    "xlsx": ZIP,
    "ofd": ZIP,
    "zip": ZIP,
}
HEAD = 8192
CONTROL = {*range(0, 9), 11, 12, *range(14, 32), 127}


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = upload.read(HEAD)
    upload.seek(0)
    return data


def _is_text(data: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            # The head may cut a multi-byte character at its end.
            try:
                text = data[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        return not any(ord(c) in CONTROL for c in text)
    return False


def content_matches(upload: UploadedFile, ext: str) -> bool:
    """Whether the bytes of `upload` are of the kind extension `ext` (lower case, no dot) names."""
    data = _head(upload)
    if not data:
        return False
    if ext == "txt":
        return _is_text(data)
    try:
        found = {m.extension.lower().lstrip(".") for m in puremagic.magic_string(data)}
    except puremagic.PureError:
        return False
    return bool(found & FAMILIES.get(ext, {ext}))


# ---------------------------------------------------------------- virus scanning (ClamAV daemon, optional)


class ScannerUnavailable(Exception):
    """The scanner could not give a verdict (unreachable, timed out, answered an error)."""


class VirusScanner(Protocol):
    def scan(self, upload: UploadedFile) -> str | None:
        """The name of the signature found in `upload`, or None when clean; ScannerUnavailable without a verdict."""
        ...


class ClamdScanner:
    """clamd over its INSTREAM command (clamav-client), at a unix socket path or ``host:port``."""

    def __init__(self, address: str, timeout: float = 30.0):
        self.address = address
        self.timeout = timeout

    def _client(self) -> clamd.ClamdNetworkSocket:
        if self.address.startswith("/"):
            return clamd.ClamdUnixSocket(path=self.address, timeout=int(self.timeout))
        host, _, port = self.address.rpartition(":")
        return clamd.ClamdNetworkSocket(
            host=host.strip("[]") or "127.0.0.1", port=int(port), timeout=self.timeout
        )

    def scan(self, upload: UploadedFile) -> str | None:
        upload.seek(0)
        try:
            results = self._client().instream(cast(BinaryIO, upload))  # reads chunks with read(n)
        except (clamd.ClamdError, OSError, ValueError) as exc:
            raise ScannerUnavailable(f"clamd at {self.address}: {exc}") from exc
        finally:
            upload.seek(0)
        if not results:
            raise ScannerUnavailable(f"clamd at {self.address}: empty answer")
        status, signature = next(iter(results.values()))
        if status == "FOUND":
            return signature or "unknown"
        if status == "OK":
            return None
        raise ScannerUnavailable(f"clamd at {self.address}: {status} {signature or ''}".strip())


def scanner() -> VirusScanner | None:
    """The configured scanner (``QINQING_CLAMD``), or None when scanning is off."""
    address = settings.QINQING_CLAMD
    return ClamdScanner(address, timeout=settings.QINQING_CLAMD_TIMEOUT) if address else None


def check_for_viruses(upload: UploadedFile) -> None:
    """Refuse an infected file (400) and, when the scanner is configured but gives no verdict, every file (503:
    fail closed), each in Chinese; a no-op when scanning is off."""
    found = scanner()
    if found is None:
        return
    name = upload.name or "附件"
    try:
        signature = found.scan(upload)
    except ScannerUnavailable as exc:
        log.error("virus scan unavailable, upload %r refused: %s", name, exc)
        raise Unavailable(
            "病毒扫描服务暂不可用", {"attachments": ["病毒扫描服务暂时无法连接，附件未保存，请稍后重试"]}
        ) from exc
    if signature is not None:
        log.warning("virus %s found in upload %r, refused", signature, name)
        raise InvalidInput(
            "附件含有病毒", {"attachments": [f"“{name}”经病毒扫描发现恶意代码（{signature}），未保存"]}
        )
