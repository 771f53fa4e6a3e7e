"""The SMS adapters send through the gateways' official SDKs; a local HTTP server stands in for the gateway, set as
the SDK's endpoint, so the test sees the exact request the SDK puts on the wire (action, template, sign name,
number, parameters, region) and the SDK parses a real answer. The 企业微信 robot is posted to the same way."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from qinqing.supervision.models import DepartmentWebhook, NotificationDelivery
from qinqing.supervision.notify import notify, retry_delay
from tests.worker import run_worker


class Gateway:
    """Records each request; answers with ``self.answer`` (a dict, or a callable of the request)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answer: dict = {}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                gateway.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                out = json.dumps(gateway.answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    g = Gateway()
    yield g
    g.close()


@pytest.fixture
def contact(world):
    world.ent_user_a.mobile = "13800000001"
    world.ent_user_a.save()
    return world.ent_user_a


def _replied(user, sms_to="13800000001"):
    return notify(
        [user],
        kind="replied",
        title="诉求已答复：QQ20261116000001",
        params={"number": "QQ20261116000001"},
        sms_to=sms_to,
    )


@pytest.mark.django_db
def test_alibaba_cloud_sms_request(world, contact, gateway, settings):
    settings.QINQING_SMS_SENDER = "qinqing.supervision.sms.AliyunSmsSender"
    settings.QINQING_ALIYUN_SMS_ENDPOINT = gateway.endpoint
    settings.QINQING_ALIYUN_SMS_ACCESS_KEY_ID = "LTAI-test-key"
    settings.QINQING_ALIYUN_SMS_ACCESS_KEY_SECRET = "secret"
    settings.QINQING_SMS_SIGN_NAME = "青川亲清"
    settings.QINQING_SMS_TEMPLATES = {"appeal_replied": "SMS_476580123"}
    gateway.answer = {
        "Code": "OK",
        "Message": "OK",
        "BizId": "900619746936498440^0",
        "RequestId": "F655A8D5-B967",
    }
    _replied(contact)
    assert gateway.requests == []  # nothing leaves before the worker runs
    assert run_worker() == 1

    (request,) = gateway.requests
    url = urlparse(request["path"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert request["headers"]["x-acs-action"] == "SendSms"
    assert request["headers"]["x-acs-version"] == "2017-05-25"
    assert request["headers"]["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI-test-key,")
    assert query == {
        "PhoneNumbers": "+8613800000001",
        "SignName": "青川亲清",
        "TemplateCode": "SMS_476580123",
        "TemplateParam": json.dumps({"number": "QQ20261116000001"}),
    }
    assert json.loads(query["TemplateParam"]) == {"number": "QQ20261116000001"}
    (copy,) = NotificationDelivery.objects.filter(channel="sms")
    assert (copy.status, copy.request_id, copy.answer_code, copy.attempts) == (
        "sent",
        "F655A8D5-B967",
        "OK",
        1,
    )


@pytest.mark.django_db
def test_alibaba_cloud_refusal_is_recorded_and_retried_then_failed(world, contact, gateway, settings, clock):
    settings.QINQING_SMS_SENDER = "qinqing.supervision.sms.AliyunSmsSender"
    settings.QINQING_ALIYUN_SMS_ENDPOINT = gateway.endpoint
    settings.QINQING_ALIYUN_SMS_ACCESS_KEY_ID = "LTAI-test-key"
    settings.QINQING_ALIYUN_SMS_ACCESS_KEY_SECRET = "secret"
    settings.QINQING_DELIVERY_ATTEMPTS = 2
    gateway.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控", "RequestId": "R-1"}
    _replied(contact)
    run_worker()
    copy = NotificationDelivery.objects.get(channel="sms")
    assert (copy.status, copy.answer_code, copy.answer, copy.request_id, copy.attempts) == (
        "pending",
        "isv.BUSINESS_LIMIT_CONTROL",
        "触发分钟级流控",
        "R-1",
        1,
    )
    clock.shift(retry_delay(1) + dt.timedelta(seconds=1))
    run_worker()
    copy.refresh_from_db()
    assert (copy.status, copy.attempts) == ("failed", 2) and len(gateway.requests) == 2


@pytest.mark.django_db
def test_tencent_cloud_sms_request(world, contact, gateway, settings):
    settings.QINQING_SMS_SENDER = "qinqing.supervision.sms.TencentSmsSender"
    settings.QINQING_TENCENT_SMS_ENDPOINT = gateway.endpoint
    settings.QINQING_TENCENT_SMS_SECRET_ID = "AKID-test"
    settings.QINQING_TENCENT_SMS_SECRET_KEY = "secret"
    settings.QINQING_TENCENT_SMS_SDK_APP_ID = "1400787878"
    settings.QINQING_TENCENT_SMS_REGION = "ap-guangzhou"
    settings.QINQING_SMS_SIGN_NAME = "青川亲清"
    settings.QINQING_SMS_TEMPLATES = {"appeal_replied": "1956789"}
    gateway.answer = {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": "5000:1045710669157053657849499619",
                    "PhoneNumber": "+8613800000001",
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            ],
            "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
        }
    }
    _replied(contact)
    assert run_worker() == 1
    (request,) = gateway.requests
    headers = request["headers"]
    assert headers["x-tc-action"] == "SendSms" and headers["x-tc-version"] == "2021-01-11"
    assert headers["x-tc-region"] == "ap-guangzhou"
    assert headers["authorization"].startswith("TC3-HMAC-SHA256 Credential=AKID-test/")
    assert json.loads(request["body"]) == {
        "PhoneNumberSet": ["+8613800000001"],
        "SmsSdkAppId": "1400787878",
        "SignName": "青川亲清",
        "TemplateId": "1956789",
        "TemplateParamSet": ["QQ20261116000001"],
    }
    (copy,) = NotificationDelivery.objects.filter(channel="sms")
    assert (copy.status, copy.request_id, copy.answer_code) == (
        "sent",
        "a0aabda6-cf91-4f3e-a81f-9198114a2279",
        "Ok",
    )


@pytest.mark.django_db
def test_tencent_cloud_refusal_is_recorded(world, contact, gateway, settings):
    settings.QINQING_SMS_SENDER = "qinqing.supervision.sms.TencentSmsSender"
    settings.QINQING_TENCENT_SMS_ENDPOINT = gateway.endpoint
    settings.QINQING_TENCENT_SMS_SECRET_ID = "AKID-test"
    settings.QINQING_TENCENT_SMS_SECRET_KEY = "secret"
    gateway.answer = {
        "Response": {
            "SendStatusSet": [
                {
                    "PhoneNumber": "+8613800000001",
                    "Code": "FailedOperation.TemplateIncorrectOrUnapproved",
                    "Message": "template is not approved",
                    "SerialNo": "",
                    "Fee": 0,
                    "IsoCode": "CN",
                    "SessionContext": "",
                }
            ],
            "RequestId": "req-9",
        }
    }
    _replied(contact)
    run_worker()
    copy = NotificationDelivery.objects.get(channel="sms")
    assert copy.answer_code == "FailedOperation.TemplateIncorrectOrUnapproved" and copy.request_id == "req-9"
    assert copy.status == "pending" and copy.attempts == 1  # retried later


@pytest.mark.django_db
def test_the_logging_sender_shows_the_rendered_text(world, contact, settings, caplog):
    settings.QINQING_SMS_SENDER = "qinqing.supervision.notify.LoggingSmsSender"
    with caplog.at_level("INFO", logger="qinqing.notify"):
        _replied(contact)
        run_worker()
    assert "您的诉求QQ20261116000001已答复，请登录亲清平台查看并评价。" in caplog.text
    copy = NotificationDelivery.objects.get(channel="sms")
    assert copy.status == "sent" and copy.answer_code == "LOGGED"


@pytest.mark.django_db
def test_a_department_robot_gets_its_business(world, gateway, settings):
    settings.QINQING_SITE_URL = "https://qinqing.example.gov.cn"
    gateway.answer = {"errcode": 0, "errmsg": "ok"}
    DepartmentWebhook.objects.create(
        department=world.hr, url=f"{gateway.endpoint}/cgi-bin/webhook/send?key=abc"
    )
    appeal = world.assigned()  # the assignment notice is the department's business: its robot hears it once
    assert run_worker() >= 1
    (request,) = gateway.requests
    assert request["path"] == "/cgi-bin/webhook/send?key=abc"
    assert request["headers"]["content-type"] == "application/json"
    body = json.loads(request["body"])
    assert body["msgtype"] == "text"
    assert body["text"]["content"].startswith(f"【亲清】新交办：{appeal.number}")
    assert f"https://qinqing.example.gov.cn/appeals/{appeal.number}/" in body["text"]["content"]
    (copy,) = NotificationDelivery.objects.filter(channel="wecom")
    assert copy.status == "sent" and copy.department == world.hr
    assert copy.masked_address.endswith("/cgi-bin/webhook/send?key=…")  # the key is not shown


@pytest.mark.django_db
def test_a_robot_refusal_is_recorded(world, gateway):
    gateway.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    DepartmentWebhook.objects.create(department=world.hr, url=f"{gateway.endpoint}/send?key=wrong")
    world.assigned()
    run_worker()
    copy = NotificationDelivery.objects.get(channel="wecom")
    assert copy.status == "pending" and "93000" in copy.answer and copy.attempts == 1


@pytest.mark.django_db
def test_an_inactive_robot_is_not_posted_to(world, gateway):
    DepartmentWebhook.objects.create(department=world.hr, url=f"{gateway.endpoint}/send?key=x", active=False)
    world.assigned()
    run_worker()
    assert gateway.requests == [] and not NotificationDelivery.objects.filter(channel="wecom").exists()


@pytest.mark.django_db
def test_a_gateway_without_credentials_is_a_recorded_failure_not_a_crash(world, contact, settings):
    settings.QINQING_SMS_SENDER = "qinqing.supervision.sms.AliyunSmsSender"
    settings.QINQING_ALIYUN_SMS_ENDPOINT = "http://127.0.0.1:9"  # never reached
    _replied(contact)
    run_worker()
    copy = NotificationDelivery.objects.get(channel="sms")
    assert copy.status == "pending" and copy.answer_code and copy.attempts == 1
