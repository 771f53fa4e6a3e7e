"""Request hygiene every page and API operation gets before any view runs.

``ControlCharacterMiddleware``: NUL bytes and other control characters (all of C0 but tab, newline and carriage
return, and DEL) in a query string, a form field or a JSON body are refused with a Chinese 400, so no view, no
schema and no database (PostgreSQL refuses NUL in text with an error that would be a 500) ever sees them.
Uploaded files are not inspected here; their bytes are the attachment checks' business.

``FriendlyErrorPagesMiddleware``: with DEBUG on (``make run``) Django answers a 404 or 403 with its technical
page, in English, listing the URL patterns; a refused or vanished object after a click shows the site's own
Chinese page instead, exactly as in production (``templates/404.html``, ``403.html``). Real errors (500) keep
their traceback in DEBUG; with DEBUG off Django renders ``500.html``.

``NoStoreMiddleware``: answers of the API and of signed-in pages carry ``Cache-Control: no-store`` (personal
data must not stay in a shared or browser cache); public pages and static files keep their own caching.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

RAW = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same characters written as JSON escapes (\u0000 … \u001f but \t \n \r, and \u007f).
ESCAPED = re.compile(rb"\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])")
MESSAGE = "输入中含有不允许的控制字符（如 NUL），请删除后重试"
UNPARSABLE = "请求体格式有误，无法解析（如 multipart 缺少分隔符）"


def _has_control(values) -> bool:
    return any(RAW.search(k) or any(RAW.search(v) for v in vs) for k, vs in values.lists())


class ControlCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refused = self._refused(request)
        except MultiPartParserError:
            # A multipart body that does not parse (no boundary, cut short): Django would log a traceback and
            # answer its HTML 400; say so in Chinese, in the API's shape on the API.
            return self._refusal(request, UNPARSABLE)
        if refused:
            return self._refusal(request, MESSAGE)
        return self.get_response(request)

    @staticmethod
    def _refusal(request: HttpRequest, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"message": message, "errors": {}}, status=400)  # the API's error shape
        return HttpResponse(
            f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>输入有误</title>"
            f"<p>{message}。</p><p><a href='/'>返回首页</a></p></html>",
            status=400,
            content_type="text/html; charset=utf-8",
        )

    @staticmethod
    def _refused(request: HttpRequest) -> bool:
        if RAW.search(request.path) or _has_control(request.GET):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.content_type or ""
        if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            return _has_control(request.POST)
        body = request.body
        return bool(ESCAPED.search(body) or RAW.search(body.decode("utf-8", "replace")))


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            if not request.path.startswith("/static/"):
                add_never_cache_headers(response)
                response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class FriendlyErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        unresolved = getattr(request, "resolver_match", None) is None
        if (
            settings.DEBUG
            and response.status_code == 404
            and unresolved
            and not request.path.startswith("/api/")
        ):
            return render(request, "404.html", status=404)  # an address no URL pattern matches
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not settings.DEBUG or request.path.startswith("/api/"):
            return None  # production: Django's own handlers render the same templates
        if isinstance(exception, Http404):
            return render(request, "404.html", status=404)
        if isinstance(exception, PermissionDenied):
            return render(request, "403.html", status=403)
        return None
