"""Attachments are judged by their bytes, not their names, and a request carries a bounded number and size."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from qinqing.appeals import services
from qinqing.appeals.models import Appeal, Attachment
from qinqing.core.errors import InvalidInput

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64 + b"PE\x00\x00"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 120


def xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def zipped() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("说明.txt", "材料")
    return out.getvalue()


def submit(world, *uploads) -> Appeal:
    appeal, _created = services.submit_appeal(
        enterprise=world.ent_a,
        by=world.ent_user_a,
        title="用电报装",
        content="申请增容",
        category=world.power_cat,
        attachments=list(uploads),
    )
    return appeal


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("营业执照.pdf", PDF),
        ("现场.png", PNG),
        ("现场.jpg", JPG),
        ("报表.xlsx", xlsx()),
        ("材料.zip", zipped()),
        ("旧表.xls", OLE),
        ("说明.txt", "情况说明：企业用电报装\n".encode("gb18030")),
        ("说明2.txt", "情况说明\tUTF-8\n".encode()),
    ],
)
def test_files_whose_bytes_match_their_type_are_kept(world, name, content):
    appeal = submit(world, SimpleUploadedFile(name, content))
    assert appeal.attachments.get().original_name == name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("合同.pdf", EXE),  # a program renamed
        ("现场.jpg", b"<html><script>alert(1)</script></html>"),
        ("旧表.doc", zipped()),
        ("报表.xlsx", PDF),
        ("说明.txt", b"text\x00with\x00nul"),
        ("空.pdf", b""),
    ],
)
def test_files_whose_bytes_do_not_match_are_refused_and_nothing_is_saved(world, name, content):
    with pytest.raises(InvalidInput) as refused:
        submit(world, SimpleUploadedFile(name, content))
    assert refused.value.message == "附件内容与类型不符"
    assert name in refused.value.errors["attachments"][0]
    assert not Appeal.objects.exists() and not Attachment.objects.exists()


def test_a_request_carries_at_most_the_configured_count_and_total(world, settings):
    settings.ATTACHMENT_MAX_FILES = 3
    with pytest.raises(InvalidInput, match="附件过多"):
        submit(world, *[SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(4)])
    settings.ATTACHMENT_MAX_TOTAL_BYTES = len(PDF) * 2
    with pytest.raises(InvalidInput, match="附件总量过大"):
        submit(world, *[SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(3)])
    assert (
        submit(world, SimpleUploadedFile("1.pdf", PDF), SimpleUploadedFile("2.pdf", PDF)).attachments.count()
        == 2
    )


def test_the_api_answers_a_disguised_file_with_a_chinese_400(world):
    api = Client(headers={"Authorization": f"Bearer {world.token(world.ent_user_a)}"})
    appeal = submit(world)
    r = api.post(
        f"/api/appeals/{appeal.number}/attachments", {"files": [SimpleUploadedFile("合同.pdf", EXE)]}
    )
    assert r.status_code in (400, 422)
    assert "内容不是 .pdf 文件" in r.json()["errors"]["attachments"][0]
    assert not appeal.attachments.exists()
