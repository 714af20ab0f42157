"""OpenAPI: the error answers every operation can give. The authentication schemes are
described beside their classes (``accounts/schema.py``)."""

from drf_spectacular.openapi import AutoSchema

# --- error answers every operation can give (the fuzzer holds the API to its schema) -------------
_ERROR_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "中文说明"}},
    "required": ["detail"],
}
_VALIDATION_ERROR = {
    "description": "字段名 → 错误说明列表；或一组错误说明",
    "oneOf": [
        {"type": "object", "additionalProperties": True},
        {"type": "array", "items": {"type": "string"}},
    ],
}
_ERRORS = {
    "400": ("请求有误（字段校验、筛选条件或页码不对）", "ValidationError"),
    "401": ("未登录或令牌无效", "ErrorDetail"),
    "403": ("无权限", "ErrorDetail"),
    "404": ("不存在，或不在您的范围内", "ErrorDetail"),
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: state the error answers an operation really gives.
    Signed-in operations answer 401/403 (not signed in, no right) and 404 (not found or out of
    scope, or a page past the end); any operation with a body or query parameters answers 400
    on bad input. Responses an operation declares itself are kept as they are."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorDetail", _ERROR_DETAIL)
    components.setdefault("ValidationError", _VALIDATION_ERROR)
    for path, item in result.get("paths", {}).items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = op.setdefault("responses", {})
            signed_in = bool([s for s in op.get("security", []) if s])
            params = op.get("parameters", [])
            codes = []
            # a write can always be refused by a business rule (a ValidationError → 400)
            if method != "get" or "requestBody" in op or any(p.get("in") == "query" for p in params):
                codes.append("400")
            if signed_in:
                codes += ["401", "403", "404"]
            elif "{" in path:
                codes.append("404")
            for code in codes:
                if code in responses:
                    continue
                description, component = _ERRORS[code]
                responses[code] = {
                    "description": description,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}
                    },
                }
    _plain_times(result)
    return result


_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def _plain_times(node) -> None:
    """A time of day is sent and received as local wall-clock ``HH:MM[:SS]`` (DRF's TimeField),
    but JSON Schema's ``format: time`` demands an RFC 3339 offset: describe it as it is."""
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            del node["format"]
            node["pattern"] = _TIME_PATTERN
            node.setdefault("example", "07:30:00")
        for value in node.values():
            _plain_times(value)
    elif isinstance(node, list):
        for value in node:
            _plain_times(value)


class OneObjectSchema(AutoSchema):
    """For a viewset whose ``list`` answers one summary object (not a page of rows): the
    published schema must say so, or clients and the API fuzz test see a mismatch."""

    def _is_list_view(self, serializer=None) -> bool:
        return False
