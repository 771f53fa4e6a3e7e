"""Each credit action once, for the page and the API: find the object through the user's selector (invisible:
404), then call the one service."""

from django.core.files.uploadedfile import UploadedFile

from qinqing.accounts.models import User
from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.credit import inputs, selectors, services
from qinqing.credit.importing import MAX_BYTES, too_large
from qinqing.credit.models import CreditRequest, ImportBatch, LoanRequest

REQUEST_STEPS = ("accept", "refuse", "withdraw")
LOAN_STEPS = ("pass", "grant", "decline", "withdraw")


def import_file(by: User, list_pk: int, upload: UploadedFile | None, source: str) -> ImportBatch:
    credit_list = selectors.lists_managed_by(by).filter(pk=list_pk).first()
    if credit_list is None:
        raise NotVisible("未找到该名单")
    if upload is None:
        raise InvalidInput("请选择要导入的名单文件", {"file": ["请选择要导入的名单文件"]})
    if upload.size and upload.size > MAX_BYTES:
        raise too_large(upload.size)
    return services.import_list(credit_list, upload.read(), filename=upload.name or "", by=by, source=source)


def file_request(by: User, entry_pk: int, data: inputs.RequestIn) -> CreditRequest:
    entry = selectors.get_entry(by, entry_pk)
    return services.submit_request(entry=entry, by=by, kind=data.kind, reason=data.reason)


def request_step(by: User, pk: int, step: str, data: inputs.CreditDecideIn | None) -> CreditRequest:
    if step not in REQUEST_STEPS:
        raise NotVisible("未找到该操作")
    request = selectors.get_request(by, pk)
    if step == "withdraw":
        return services.withdraw_request(request=request, by=by)
    if data is None:
        raise InvalidInput("请填写办理结果", {"outcome": ["此项为必填项"]})
    return services.decide_request(request=request, by=by, accept=step == "accept", outcome=data.outcome)


def apply_loan(by: User, data: inputs.LoanIn) -> LoanRequest:
    product = selectors.products_visible_to(by).filter(pk=data.product).first()
    if product is None:
        raise InvalidInput("信贷产品不存在", {"product": ["信贷产品不存在"]})
    return services.submit_loan(product=product, by=by, amount=data.amount, purpose=data.purpose)


def loan_step(by: User, pk: int, step: str, data: inputs.LoanStepIn) -> LoanRequest:
    if step not in LOAN_STEPS:
        raise NotVisible("未找到该操作")
    loan = selectors.get_loan(by, pk)
    return services.act_on_loan(
        loan=loan, by=by, action=step, note=data.note, granted_amount=data.granted_amount
    )
