"""The two SMS gateways Chinese governments use, through their official SDKs. Name one in ``QINQING_SMS_SENDER``:

* ``qinqing.supervision.sms.AliyunSmsSender``: Alibaba Cloud SMS (dysmsapi 2017-05-25, ``SendSms``), settings
  ``QINQING_ALIYUN_SMS_ACCESS_KEY_ID``, ``QINQING_ALIYUN_SMS_ACCESS_KEY_SECRET``, ``QINQING_ALIYUN_SMS_ENDPOINT``
  (default ``dysmsapi.aliyuncs.com``), ``QINQING_ALIYUN_SMS_REGION`` (default ``cn-hangzhou``);
* ``qinqing.supervision.sms.TencentSmsSender``: Tencent Cloud SMS (sms 2021-01-11, ``SendSms``), settings
  ``QINQING_TENCENT_SMS_SECRET_ID``, ``QINQING_TENCENT_SMS_SECRET_KEY``, ``QINQING_TENCENT_SMS_SDK_APP_ID``,
  ``QINQING_TENCENT_SMS_REGION`` (default ``ap-guangzhou``), ``QINQING_TENCENT_SMS_ENDPOINT`` (default
  ``sms.tencentcloudapi.com``).

Both sign with ``QINQING_SMS_SIGN_NAME`` and map our template keys to the gateway's codes through
``QINQING_SMS_TEMPLATES``. A gateway that answers with anything but success raises ``SmsRefused`` (its code,
message and request id are recorded on the delivery row, and the worker retries)."""

from __future__ import annotations

import json

from django.conf import settings

from qinqing.supervision.notify import SmsResult


class SmsRefused(Exception):
    def __init__(self, code: str, message: str, request_id: str = ""):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.request_id = code, message, request_id


def e164(mobile: str) -> str:
    """A mainland mobile as +86XXXXXXXXXXX (both gateways accept it; Tencent requires it)."""
    digits = mobile.strip().removeprefix("+86").removeprefix("0086")
    return mobile.strip() if digits.startswith("+") else f"+86{digits}"


class AliyunSmsSender:
    def __init__(self) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as open_api

        endpoint = settings.QINQING_ALIYUN_SMS_ENDPOINT
        config = open_api.Config(
            access_key_id=settings.QINQING_ALIYUN_SMS_ACCESS_KEY_ID,
            access_key_secret=settings.QINQING_ALIYUN_SMS_ACCESS_KEY_SECRET,
            region_id=settings.QINQING_ALIYUN_SMS_REGION,
            endpoint=endpoint.split("://")[-1],
            protocol="http" if endpoint.startswith("http://") else "https",
        )
        self.client = Client(config)

    def send(self, mobile: str, template_code: str, params: dict[str, str], text: str) -> SmsResult:
        from alibabacloud_dysmsapi20170525 import models as sms

        request = sms.SendSmsRequest(
            phone_numbers=e164(mobile),
            sign_name=settings.QINQING_SMS_SIGN_NAME,
            template_code=template_code,
            template_param=json.dumps(params, ensure_ascii=False),
        )
        body = self.client.send_sms(request).body
        if body is None or body.code != "OK":
            code = body.code if body is not None else "NO_BODY"
            raise SmsRefused(
                code or "", (body.message if body else "") or "", (body.request_id if body else "") or ""
            )
        return SmsResult(request_id=body.request_id or "", code=body.code, message=body.message or "")


class TencentSmsSender:
    def __init__(self) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        endpoint = settings.QINQING_TENCENT_SMS_ENDPOINT
        http = HttpProfile(
            protocol="http" if endpoint.startswith("http://") else "https", endpoint=endpoint.split("://")[-1]
        )
        self.client = sms_client.SmsClient(
            credential.Credential(
                settings.QINQING_TENCENT_SMS_SECRET_ID, settings.QINQING_TENCENT_SMS_SECRET_KEY
            ),
            settings.QINQING_TENCENT_SMS_REGION,
            ClientProfile(httpProfile=http),
        )

    def send(self, mobile: str, template_code: str, params: dict[str, str], text: str) -> SmsResult:
        from tencentcloud.sms.v20210111 import models as sms

        request = sms.SendSmsRequest()
        request.PhoneNumberSet = [e164(mobile)]
        request.SmsSdkAppId = settings.QINQING_TENCENT_SMS_SDK_APP_ID
        request.SignName = settings.QINQING_SMS_SIGN_NAME
        request.TemplateId = template_code
        # Tencent's templates number their variables {1}, {2}, ...: the values in the template's order.
        request.TemplateParamSet = [str(v) for v in params.values()]
        response = self.client.SendSms(request)
        status = (response.SendStatusSet or [None])[0]
        code = status.Code if status is not None else "NO_STATUS"
        message = status.Message if status is not None else ""
        if code != "Ok":
            raise SmsRefused(code or "", message or "", response.RequestId or "")
        return SmsResult(request_id=response.RequestId or "", code=code, message=message or "")
