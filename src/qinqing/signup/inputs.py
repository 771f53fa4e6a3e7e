"""Inputs of sign-up, password reset and the office's decision, one schema per action for the page and the API."""

from ninja import Schema
from pydantic import Field

from qinqing.core.inputs import Int
from qinqing.enterprises.models import Industry, Scale


class SignupCodeIn(Schema):
    mobile: str = Field(..., min_length=1, max_length=20, title="手机号码")


class SignupIn(Schema):
    uscc: str = Field(..., min_length=1, max_length=30, title="统一社会信用代码")
    enterprise_name: str = Field(..., min_length=1, max_length=120, title="企业名称")
    industry: Industry = Field(..., title="行业门类")
    scale: Scale = Field(..., title="企业规模")
    region: Int = Field(..., ge=1, le=2_000_000_000, title="所在区划")
    contact_name: str = Field(..., min_length=1, max_length=30, title="联系人姓名")
    mobile: str = Field(..., min_length=1, max_length=20, title="手机号码")
    code: str = Field(..., min_length=1, max_length=10, title="短信验证码")
    username: str = Field(..., min_length=1, max_length=150, title="用户名")
    password1: str = Field(..., min_length=1, max_length=128, title="密码")
    password2: str = Field(..., min_length=1, max_length=128, title="确认密码")


class ResetCodeIn(Schema):
    login: str = Field(..., min_length=1, max_length=150, title="用户名或手机号码")


class ResetIn(Schema):
    login: str = Field(..., min_length=1, max_length=150, title="用户名或手机号码")
    code: str = Field(..., min_length=1, max_length=10, title="短信验证码")
    password1: str = Field(..., min_length=1, max_length=128, title="新密码")
    password2: str = Field(..., min_length=1, max_length=128, title="确认新密码")


class ReapplyIn(Schema):
    uscc: str = Field(..., min_length=1, max_length=30, title="统一社会信用代码")
    enterprise_name: str = Field(..., min_length=1, max_length=120, title="企业名称")
    industry: Industry = Field(..., title="行业门类")
    scale: Scale = Field(..., title="企业规模")
    region: Int = Field(..., ge=1, le=2_000_000_000, title="所在区划")
    contact_name: str = Field(..., min_length=1, max_length=30, title="联系人姓名")


class RejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500, title="驳回理由")
