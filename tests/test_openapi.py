"""The OpenAPI document is a contract a client (and schemathesis, in CI: tools/fuzz_api.py) can hold us to:
every operation declares its success answer with a schema and the error answers it can give, all in the one
error shape; and every schema name means one schema.

ninja names a component after its class and silently keeps the last of two same-named classes, so a second
``SuggestionOut`` in another app would quietly document the first operation with the wrong fields."""

import pytest
from ninja.openapi.schema import OpenAPISchema

from qinqing.api.api import api

ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture(scope="module")
def document(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        r = Client().get("/api/openapi.json")
    assert r.status_code == 200
    return r.json()


def operations(document):
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_the_document_has_the_operations(document):
    assert len(list(operations(document))) >= 70


def test_every_operation_declares_its_success_answer_with_a_schema(document):
    missing = []
    for path, method, op in operations(document):
        success = {c: r for c, r in op["responses"].items() if c.startswith("2")}
        if not success or not all(  # 204 No Content has, by definition, no body to describe
            r.get("content", {}).get("application/json", {}).get("schema")
            for c, r in success.items()
            if c != "204"
        ):
            missing.append(f"{method.upper()} {path}")
    assert missing == []


def expected_errors(path: str, method: str, op: dict) -> set[str]:
    # Written out independently of qinqing.api.api.error_statuses: what each operation must at least declare.
    codes = {"400", "403"}  # control characters / rules; roles and the second factor
    if op.get("security"):  # all but the public ones (sign-up, password reset): not signed in
        codes.add("401")
    if op.get("parameters") or op.get("requestBody"):
        codes.add("422")
    if "{" in path:
        codes.add("404")
    if method != "get":
        codes |= {"404", "409"}
    if any(p["in"] == "query" for p in op.get("parameters", ())):
        codes.add("414")  # the web server's answer to a request line over its limit
    return codes


def test_every_operation_declares_its_error_answers_in_the_error_shape(document):
    problems = []
    for path, method, op in operations(document):
        declared = op["responses"]
        lacking = expected_errors(path, method, op) - set(declared)
        if lacking:
            problems.append(f"{method.upper()} {path} lacks {sorted(lacking)}")
        for code, answer in declared.items():
            if code.startswith(("4", "5")) and code != "414":
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if schema != {"$ref": ERROR_REF}:
                    problems.append(f"{method.upper()} {path} {code} is not ErrorOut: {schema}")
    assert problems == []
    error = document["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"message", "errors"}


PUBLIC = {
    "POST /api/signup/codes",
    "POST /api/signup/accounts",
    "POST /api/signup/password-reset/codes",
    "POST /api/signup/password-reset",
}


def test_only_sign_up_and_password_reset_need_no_login(document):
    public = {
        f"{method.upper()} {path}" for path, method, op in operations(document) if not op.get("security")
    }
    assert public == PUBLIC


def test_operation_ids_are_unique(document):
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids))


def clashes_in(an_api, prefix: str) -> list[str]:
    """Build an API's document while recording every definition ninja files under a name already taken by a
    different schema (what it overwrites without a word)."""
    clashes: list[str] = []

    class Recording(OpenAPISchema):
        def add_schema_definitions(self, definitions: dict) -> None:
            clashes.extend(n for n, s in definitions.items() if n in self.schemas and self.schemas[n] != s)
            super().add_schema_definitions(definitions)

    Recording(an_api, prefix)
    return clashes


def test_each_schema_name_names_one_schema():
    assert clashes_in(api, "api/") == []


def test_the_recorder_sees_a_clash():
    """The check above can fail: two routers' same-named, different schemas are reported."""
    from ninja import NinjaAPI, Router, Schema

    def make(fields):
        return type("Thing", (Schema,), {"__annotations__": fields})

    one, two = Router(), Router()
    inner_a, inner_b = make({"a": int}), make({"b": str})
    holder_a = type("HolderA", (Schema,), {"__annotations__": {"thing": inner_a}})
    holder_b = type("HolderB", (Schema,), {"__annotations__": {"thing": inner_b}})
    one.get("/a", response=holder_a)(lambda request: None)
    two.get("/b", response=holder_b)(lambda request: None)
    trial = NinjaAPI(urls_namespace="clash-trial")
    trial.add_router("/one", one)
    trial.add_router("/two", two)
    assert clashes_in(trial, "") == ["Thing"]
