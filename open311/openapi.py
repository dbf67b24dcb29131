"""The OpenAPI 3 description of the intake API, written by hand (served at
`/api/open311/v2/openapi.json`; tests/open311/test_openapi.py holds it to the URLs)."""

from django.urls import reverse

ERROR = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {
            "code": {"type": "integer", "description": "The HTTP status."},
            "description": {"type": "string", "description": "The message, in Chinese by default."},
            "field": {"type": "string", "description": "The field at fault, when there is one."},
        },
    },
}

SERVICE = {
    "type": "object",
    "properties": {
        "service_code": {
            "type": "string",
            "enum": ["consultation", "incident", "dispute", "petition"],
        },
        "service_name": {"type": "string"},
        "description": {"type": "string"},
        "metadata": {"type": "boolean"},
        "type": {"type": "string"},
        "keywords": {"type": "string"},
        "group": {"type": "string"},
    },
}

NEW_REQUEST = {
    "type": "object",
    "required": ["service_code", "area_code", "description", "source_number"],
    "additionalProperties": False,
    "properties": {
        "service_code": {"type": "string", "description": "From services.json."},
        "area_code": {
            "type": "string",
            "description": "The village's or township's statistical division code; it must lie "
            "within the areas the token may send to.",
        },
        "description": {"type": "string", "maxLength": 5000},
        "subject": {"type": "string", "maxLength": 100},
        "address_string": {"type": "string", "maxLength": 200},
        "name": {"type": "string", "maxLength": 50, "description": "The caller's name."},
        "phone": {"type": "string", "description": "A mobile number or a landline with area code."},
        "source_number": {
            "type": "string",
            "maxLength": 64,
            "description": "The source's own work-order number; posting it again returns the "
            "same request (200) instead of a new one.",
        },
        "source_deadline": {"type": "string", "format": "date-time"},
        "jurisdiction_id": {"type": "string", "description": "Accepted and ignored."},
    },
}

CREATED = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "service_request_id": {"type": "string", "description": "The centre's number."},
            "source_number": {"type": "string"},
            "query_code": {
                "type": "string",
                "description": "The resident's query code: returned once, on creation only.",
            },
            "service_notice": {"type": "string"},
            "account_id": {"type": "string", "nullable": True},
        },
    },
}

SERVICE_REQUEST = {
    "type": "object",
    "properties": {
        "service_request_id": {"type": "string"},
        "source_number": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "detailed_status": {
            "type": "string",
            "enum": ["received", "signed_in", "returned", "routed", "answered"],
            "description": "received 已受理, signed_in 已签收, returned 已退单, routed 已分流, "
            "answered 已办结.",
        },
        "detailed_status_name": {"type": "string"},
        "status_notes": {"type": "string", "description": "The reason, when returned."},
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "matter_kind": {
            "type": "string",
            "enum": ["pending", "consultation", "incident", "dispute", "petition"],
            "description": "The centre's classification; pending until the desk classifies it.",
        },
        "description": {"type": "string"},
        "address": {"type": "string"},
        "area_code": {"type": "string"},
        "agency_responsible": {"type": "string"},
        "requested_datetime": {"type": "string", "format": "date-time"},
        "updated_datetime": {"type": "string", "format": "date-time"},
        "expected_datetime": {"type": "string", "format": "date-time", "nullable": True},
        "signed_in_datetime": {"type": "string", "format": "date-time", "nullable": True},
        "returned_datetime": {"type": "string", "format": "date-time", "nullable": True},
        "return_until": {"type": "string", "format": "date-time"},
        "public_reply": {"type": "string"},
        "steps": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "event": {"type": "string"},
                    "name": {"type": "string"},
                    "at": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
}

CALLBACK = {
    "type": "object",
    "properties": {
        "event_id": {
            "type": "integer",
            "description": "The same on every retry of one event: a source told twice can tell.",
        },
        "event": {
            "type": "string",
            "enum": [
                "signed_in",
                "returned",
                "classified",
                "answered",
                "case_finished",
                "reply_published",
            ],
        },
        "at": {"type": "string", "format": "date-time"},
        "note": {"type": "string", "description": "The reason, for a return."},
        "source_number": {"type": "string"},
        "service_request": {"$ref": "#/components/schemas/ServiceRequest"},
    },
}


def _errors(*statuses: int) -> dict:
    descriptions = {
        400: "Bad input: every field at fault is listed.",
        403: "Token missing, not valid or revoked.",
        404: "No such request (or not one of this token's).",
        405: "Method not allowed.",
        413: "Body too large.",
        415: "Not JSON.",
        429: "Rate limit: see Retry-After.",
    }
    return {
        str(status): {
            "description": descriptions[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
        }
        for status in statuses
    }


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_document(request=None) -> dict:
    prefix = reverse("open311:services").rsplit("/", 1)[0]
    token = [{"token": []}]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "综治中心 intake API (Open311 GeoReport v2)",
            "version": "2",
            "description": "Work orders from the 12345 hotline, 110 non-police calls and court "
            "referrals, received by the centre's front desk. Progress is reported back to "
            "each source's callback URL as a POST of the Callback schema.",
        },
        "servers": [{"url": prefix}],
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The source system's token, issued by the city administrator.",
                }
            },
            "schemas": {
                "Errors": ERROR,
                "Service": SERVICE,
                "NewRequest": NEW_REQUEST,
                "Created": CREATED,
                "ServiceRequest": SERVICE_REQUEST,
                "Callback": CALLBACK,
            },
        },
        "paths": {
            "/services.json": {
                "get": {
                    "summary": "The services a work order may be sent as.",
                    "responses": {
                        "200": _ok(
                            "The services.",
                            {"type": "array", "items": {"$ref": "#/components/schemas/Service"}},
                        )
                    },
                }
            },
            "/requests.json": {
                "post": {
                    "summary": "Send a work order.",
                    "security": token,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NewRequest"}
                            }
                        },
                    },
                    "responses": {
                        "201": _ok("Received.", {"$ref": "#/components/schemas/Created"}),
                        "200": _ok(
                            "Already received under this source number: the same request.",
                            {"$ref": "#/components/schemas/Created"},
                        ),
                        **_errors(400, 403, 413, 415, 429),
                    },
                },
                "get": {
                    "summary": "This source's work orders, newest first (at most 1000).",
                    "security": token,
                    "parameters": [
                        {
                            "name": name,
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                        for name in (
                            "service_request_id",
                            "source_number",
                            "service_code",
                            "status",
                            "start_date",
                            "end_date",
                        )
                    ],
                    "responses": {
                        "200": _ok(
                            "The requests.",
                            {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/ServiceRequest"},
                            },
                        ),
                        **_errors(400, 403, 429),
                    },
                },
            },
            "/requests/{service_request_id}.json": {
                "get": {
                    "summary": "One work order.",
                    "security": token,
                    "parameters": [
                        {
                            "name": "service_request_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _ok(
                            "A list of one request.",
                            {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/ServiceRequest"},
                            },
                        ),
                        **_errors(403, 404, 429),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This description.",
                    "responses": {"200": {"description": "OpenAPI 3."}},
                }
            },
        },
    }
