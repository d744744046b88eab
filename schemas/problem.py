"""Every API error: an RFC 9457 problem, naming the parameters that caused it."""

from __future__ import annotations

from marshmallow import Schema, fields


class InvalidParamSchema(Schema):
    name = fields.String(metadata={"description": "The parameter, e.g. page or issue_id."})
    location = fields.String(
        data_key="in", metadata={"description": "Where it was given: query or path."}
    )
    reason = fields.String(metadata={"description": "What is wrong with it."})


class ProblemSchema(Schema):
    """application/problem+json (RFC 9457)."""

    type = fields.String(
        required=True,
        metadata={"format": "uri-reference", "description": "about:blank: see the status."},
    )
    title = fields.String(required=True, metadata={"description": "The HTTP status phrase."})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    detail = fields.String(
        required=True, metadata={"description": "What went wrong, for a person to read."}
    )
    invalid_params = fields.List(
        fields.Nested(InvalidParamSchema),
        metadata={"description": "Each parameter at fault, when parameters are."},
    )
