"""What an uploaded file really is, from its bytes (puremagic's signature database), not from its name.

An attachment is accepted only when its content is of the kind its extension claims: a program renamed to .pdf,
a web page renamed to .jpg or a zip renamed to .doc is refused. Office Open XML, OFD and zip share the zip
container, so they are one family; plain text has no signature and must decode as UTF-8 or GB18030 without
control characters."""

from __future__ import annotations

import puremagic
from django.core.files.uploadedfile import UploadedFile

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
