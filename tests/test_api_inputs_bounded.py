"""Every text an API operation takes is bounded (maxLength, or an enum/format), so an overlong value is a Chinese
422 from the schema and never a database error. Walks the OpenAPI document, so a new endpoint is checked too."""

from qinqing.api.api import api

FORMATS = {"date", "date-time", "binary", "uuid", "time"}


def _unbounded(schema: dict, components: dict, path: str, seen: set[str]) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        if name in seen:
            return []
        return _unbounded(components[name], components, name, seen | {name})
    found = []
    if (
        schema.get("type") == "string"
        and "maxLength" not in schema
        and "enum" not in schema
        and "const" not in schema
        and schema.get("format") not in FORMATS
    ):
        found.append(path)
    for key, sub in schema.get("properties", {}).items():
        found += _unbounded(sub, components, f"{path}.{key}", seen)
    for key in ("anyOf", "allOf", "oneOf"):
        for sub in schema.get(key, []):
            found += _unbounded(sub, components, path, seen)
    if "items" in schema:
        found += _unbounded(schema["items"], components, f"{path}[]", seen)
    return found


def unbounded_inputs(document: dict) -> list[str]:
    components = document["components"]["schemas"]
    found = []
    for route, operations in document["paths"].items():
        for method, operation in operations.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found += _unbounded(content["schema"], components, f"{method.upper()} {route}", set())
    return sorted(set(found))


def test_every_text_an_operation_takes_is_bounded():
    document = api.get_openapi_schema()
    assert len(document["paths"]) > 40
    assert unbounded_inputs(document) == []


def test_the_check_can_fail():
    document = {
        "paths": {
            "/x": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/c/In"}}}}}}
        },
        "components": {
            "schemas": {
                "In": {"properties": {"ok": {"type": "string", "maxLength": 5}, "bad": {"type": "string"}}}
            }
        },
    }
    assert unbounded_inputs(document) == ["In.bad"]
