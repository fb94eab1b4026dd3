"""Write docs/contracts/personio.openapi.json: Personio's v1 employee, attendance, time-off and auth calls.

Personio's OpenAPI documents (repository ``personio/api-docs``: ``personio-personnel-data-api-oa3.yaml``
and ``personio-auth-api.yaml``) describe attribute values loosely (examples, no types) and combine an
object-typed ``data`` with an array-typed one in ``allOf``, so this contract is written by hand from
their facts rather than extracted: the same paths, parameters, bodies and statuses, with the types the
examples show and every object closed. Where a fact comes from Personio's developer pages instead of
the OpenAPI files, the response's ``x-source`` says which page.

Usage: ``python scripts/contracts/build_personio_contract.py``
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY = "personio/api-docs"
PERSONNEL = "personio-personnel-data-api-oa3.yaml"
AUTH = "personio-auth-api.yaml"
VERSION = "1.0"  # info.version of both documents
RATE_LIMITS_PAGE = "https://developer.personio.de/changelog/rate-limits-on-get-employees-endpoint-may-6-2024"
PAGINATION_PAGE = "https://developer.personio.de/docs/pagination-adoption-guide-for-v1-get-employees-endpoint"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def closed(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False, **extra}
    if required:
        schema["required"] = required
    return schema


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def answer(status: str, schema: dict[str, Any], source: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"description": f"HTTP {status}", "content": json_content(schema)}
    if source:
        entry["x-source"] = source
    return entry


def personnel(where: str) -> str:
    return f"{REPOSITORY}/{PERSONNEL} {VERSION} {where}"


UNAUTHORIZED = answer("401", ref("ErrorResponse"),
                      personnel("components/responses/401UnauthorizedResponse (the document's answer to a "
                                "missing or refused Bearer token)"))
TOO_MANY = answer("429", ref("ErrorResponse"), RATE_LIMITS_PAGE)
PARTNER_HEADERS = [
    {"name": "X-Personio-Partner-ID", "in": "header", "required": False, "schema": {"type": "string"}},
    {"name": "X-Personio-App-ID", "in": "header", "required": False, "schema": {"type": "string"}},
]
EMPLOYEE_ID = {"name": "employee_id", "in": "path", "required": True, "schema": {"type": "integer"}}

#: The writable employee attributes of ``PATCH /company/employees/{employee_id}``.
UPDATABLE = {
    "first_name": {"type": "string"},
    "last_name": {"type": "string"},
    "preferred_name": {"type": "string"},
    "gender": {"type": "string"},
    "position": {"type": "string"},
    "subcompany": {"type": "string"},
    "department": {"type": "string"},
    "office": {"type": "string"},
    "hire_date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    "weekly_working_hours": {"type": "number"},
    "status": {"type": "string"},
    "supervisor_id": {"type": ["number", "null"]},
    "custom_attributes": {"type": "object", "propertyNames": {"pattern": "^dynamic_[0-9]+$"}},
}
CREATABLE = {"email": {"type": "string"}, **UPDATABLE, "supervisor_id": {"type": "number"}}

#: Attribute keys the document shows on an employee (custom fields are ``dynamic_<id>``).
EMPLOYEE_ATTRIBUTES = (
    "id", "first_name", "last_name", "preferred_name", "email", "gender", "status", "position", "supervisor",
    "employment_type", "weekly_working_hours", "hire_date", "contract_end_date", "termination_date",
    "termination_type", "termination_reason", "probation_period_end", "created_at", "last_modified_at",
    "subcompany", "office", "department", "cost_centers", "holiday_calendar", "work_schedule",
    "absence_entitlement", "team", "fix_salary", "fix_salary_interval", "hourly_salary", "last_working_day",
    "profile_picture",
)

SCHEMAS: dict[str, Any] = {
    "ErrorResponse": closed({
        "success": {"const": False},
        "error": closed({"code": {"type": "integer"}, "message": {"type": "string"}}, ["code", "message"]),
    }, ["success", "error"]),
    "AuthRequest": closed({"client_id": {"type": "string"}, "client_secret": {"type": "string"}},
                          ["client_id", "client_secret"]),
    "AuthenticationTokenResponse": closed({
        "success": {"type": "boolean"},
        "data": closed({"token": {"type": "string"}, "expires_in": {"type": "number"}, "scope": {"type": "string"}},
                       ["token"]),
    }, ["success", "data"]),
    "AttributeType": {"enum": ["standard", "date", "integer", "decimal", "list", "link", "tags", "multiline"]},
    "Attribute": closed({
        "label": {"type": "string"},
        "value": {},
        "type": ref("AttributeType"),
        "universal_id": {"type": ["string", "null"]},
        "currency": {"type": "string"},
    }, ["label", "value", "type", "universal_id"]),
    "NamedEntity": closed({
        "type": {"type": "string"},
        "attributes": {"type": "object", "required": ["id", "name"],
                       "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
    }, ["type", "attributes"]),
    "EntityAttribute": closed({
        "label": {"type": "string"},
        "value": {"anyOf": [ref("NamedEntity"), {"type": "null"}]},
        "type": ref("AttributeType"),
        "universal_id": {"type": ["string", "null"]},
    }, ["label", "value", "type", "universal_id"]),
    "EmployeeAttributes": {
        "type": "object",
        "required": ["id"],
        "properties": {
            **{key: ref("Attribute") for key in EMPLOYEE_ATTRIBUTES},
            **{key: ref("EntityAttribute") for key in ("department", "office", "subcompany")},
        },
        "patternProperties": {"^dynamic_[0-9]+$": ref("Attribute")},
        "additionalProperties": False,
    },
    "Employee": closed({"type": {"const": "Employee"}, "attributes": ref("EmployeeAttributes")},
                       ["type", "attributes"]),
    "EmployeesResponse": closed({
        "success": {"type": "boolean"},
        "metadata": closed({"total_elements": {"type": "integer"}, "current_page": {"type": "integer"},
                            "total_pages": {"type": "integer"}},
                           ["total_elements", "current_page", "total_pages"]),
        "offset": {"type": "integer"},
        "limit": {"type": "integer"},
        "data": {"type": "array", "items": ref("Employee")},
    }, ["success", "data"]),
    "EmployeeResponse": closed({"success": {"type": "boolean"}, "data": ref("Employee")}, ["success", "data"]),
    "EmployeeCreatedResponse": closed({
        "success": {"type": "boolean"},
        "data": closed({"id": {"type": "number"}, "message": {"type": "string"}}),
    }),
    "EmployeeUpdatedResponse": closed({
        "success": {"type": "boolean"},
        "data": closed({"id": {"type": "number"}}),
        "meta": {"type": "array", "items": {"type": "string"}},
    }),
    "EmployeeCreateRequest": closed({"employee": closed(CREATABLE, ["email", "first_name", "last_name"])},
                                    ["employee"]),
    "EmployeeUpdateRequest": closed({"employee": closed(UPDATABLE)}, ["employee"]),
}

# --- attendances, time-off types and time-offs ----------------------------------------------------

FORBIDDEN = answer("403", ref("ErrorResponse"), personnel("components/responses/403ForbiddenResponse"))
NULLABLE_TIME = {"type": ["string", "null"], "pattern": r"^\d\d:\d\d$"}
DATE = {"type": "string", "format": "date"}
PERIOD_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
PAGING = [
    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "default": 200}},
    {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0, "default": 0}},
]
EMPLOYEES_FILTER = {"name": "employees[]", "in": "query", "required": False, "style": "form", "explode": True,
                    "schema": {"type": "array", "items": {"type": "integer"}}}
LIST_METADATA = closed({"total_elements": {"type": "integer"}, "current_page": {"type": "integer"},
                        "total_pages": {"type": "integer"}}, ["total_elements", "current_page", "total_pages"])


def message_answer(status: str, where: str) -> dict[str, Any]:
    """``{success, data: {message}}``: the answers to the DELETE calls."""
    return answer(status, closed({"success": {"type": "boolean"},
                                  "data": closed({"message": {"type": "string"}})}), personnel(where))


SCHEMAS.update({
    "Attendance": closed({
        "employee": {"type": "integer"},
        "date": DATE,
        "start_time": {"type": "string", "pattern": r"^\d\d:\d\d$"},
        "end_time": NULLABLE_TIME,
        "break": {"type": "integer"},
        "comment": {"type": "string"},
        "updated_at": {"type": "string"},
        "status": {"enum": ["confirmed", "pending", "rejected"]},
        "is_holiday": {"type": "boolean"},
        "is_on_time_off": {"type": "boolean"},
        "project": {"anyOf": [{"type": "null"}, closed({
            "id": {"type": "integer"}, "type": {"type": "string"},
            "attributes": closed({"name": {"type": "string"}, "active": {"type": "boolean"}}),
        })]},
    }),
    "AttendancePeriodsResponse": closed({
        "success": {"type": "boolean"},
        "metadata": LIST_METADATA,
        "offset": {"type": "integer"},
        "limit": {"type": "integer"},
        "data": {"type": "array", "items": closed({
            "id": {"type": "integer"}, "type": {"const": "AttendancePeriod"}, "attributes": ref("Attendance"),
        }, ["id", "type", "attributes"])},
    }, ["success", "data"]),
    "AttendanceCreateRequest": closed({
        "attendances": {"type": "array", "minItems": 1, "items": closed({
            "employee": {"type": "integer", "minimum": 1},
            "date": DATE,
            "start_time": {"type": "string", "pattern": r"^\d\d:\d\d$"},
            "end_time": NULLABLE_TIME,
            "break": {"type": "integer", "minimum": 0},
            "comment": {"type": ["string", "null"]},
            "project_id": {"type": ["integer", "null"]},
        }, ["employee", "date", "start_time", "break"])},
        "skip_approval": {"type": "boolean"},
    }),
    "NewAttendancePeriodResponse": closed({
        "success": {"type": "boolean"},
        "data": closed({"id": {"type": "array", "items": {"type": "integer"}}, "message": {"type": "string"}}),
    }, ["success", "data"]),
    "AttendanceCreateUpdate400ErrorResponse": closed({
        "success": {"type": "boolean"},
        "error": closed({
            "code": {"type": "integer"},
            "message": {"type": "string"},
            "detailed_message": {"type": "array", "items": closed({
                "success": {"type": "boolean"}, "error_msg": {"type": ["string", "null"]},
                "id": {"type": ["integer", "null"]}, "employee": {}, "date": {}, "start_time": {},
                "end_time": {}, "break": {}, "comment": {}, "project_id": {},
            })},
        }),
    }),
    "TimeOffTypeResource": closed({
        "type": {"enum": ["TimeOffType"]},
        "attributes": closed({
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "category": {"enum": ["family_care", "maternity_parental_leave", "child_care", "short_time_allowance",
                                  "quarantine", "irrevocable_exemption", "sick_leave", "strike_and_lockout",
                                  "public_duty", "unpaid_suspension", "paid_vacation", "unpaid_vacation",
                                  "unexcused_absence", "offsite_work", "other", "undefined", None]},
            "unit": {"enum": ["day", "hour"]},
            "approval_required": {"type": "boolean"},
        }),
    }),
    "TimeOffTypesResponse": closed({"success": {"type": "boolean"},
                                    "data": {"type": "array", "items": ref("TimeOffTypeResource")}}),
    "ShortEmployee": closed({
        "type": {"type": "string"},
        "attributes": closed({key: ref("Attribute") for key in ("id", "first_name", "last_name", "email")}),
    }),
    "Absence": closed({
        "id": {"type": "integer"},
        "status": {"type": "string"},
        "start_date": {"type": "string"},
        "end_date": {"type": "string"},
        "days_count": {"type": "number"},
        "half_day_start": {"type": "boolean"},
        "half_day_end": {"type": "boolean"},
        "time_off_type": closed({"type": {"type": "string"}, "attributes": closed({
            "id": {"type": "integer"}, "name": {"type": "string"}, "category": {"type": "string"}})}),
        "employee": ref("ShortEmployee"),
        "certificate": closed({"status": {"type": "string"}}),
        "created_at": {"type": "string"},
        "created_by": {"type": "string"},
        "updated_at": {"type": "string"},
    }),
    "AbsencePeriod": closed({"type": {"const": "TimeOffPeriod"}, "attributes": ref("Absence")},
                            ["type", "attributes"]),
    "AbsencePeriodsResponse": closed({
        "success": {"type": "boolean"},
        "metadata": LIST_METADATA,
        "offset": {"type": "integer"},
        "limit": {"type": "integer"},
        "data": {"type": "array", "items": ref("AbsencePeriod")},
    }, ["success", "data"]),
    "AbsencePeriodResponse": closed({"success": {"type": "boolean"}, "data": ref("AbsencePeriod")},
                                    ["success", "data"]),
    "CreateTimeOffPeriodRequest": closed({
        "employee_id": {"type": "integer"},
        "time_off_type_id": {"type": "integer"},
        "start_date": DATE,
        "end_date": DATE,
        "half_day_start": {"type": "boolean"},
        "half_day_end": {"type": "boolean"},
        "comment": {"type": "string"},
        "skip_approval": {"type": "boolean"},
    }, ["employee_id", "time_off_type_id", "start_date", "end_date", "half_day_start", "half_day_end"]),
    "ErrorCreateAbsenceResponse": closed({
        "success": {"type": "boolean"},
        "error": closed({"code": {"type": "integer"}, "message": {"type": "string"},
                         "error_data": {"type": ["object", "string"]}}),
    }),
})

ATTENDANCE_AND_TIME_OFF_PATHS: dict[str, Any] = {
    "/v1/company/attendances": {
        "get": {
            "operationId": "listAttendances",
            "x-source": personnel("GET /company/attendances"),
            "parameters": [
                *PARTNER_HEADERS,
                {"name": "start_date", "in": "query", "required": True, "schema": DATE},
                {"name": "end_date", "in": "query", "required": True, "schema": DATE},
                {"name": "updated_from", "in": "query", "required": False, "schema": {"type": "string"}},
                {"name": "updated_to", "in": "query", "required": False, "schema": {"type": "string"}},
                {"name": "includePending", "in": "query", "required": False, "schema": {"type": "boolean"}},
                EMPLOYEES_FILTER,
                *PAGING,
            ],
            "responses": {"200": answer("200", ref("AttendancePeriodsResponse")), "401": UNAUTHORIZED,
                          "403": FORBIDDEN, "429": TOO_MANY},
        },
        "post": {
            "operationId": "createAttendances",
            "x-source": personnel("POST /company/attendances"),
            "parameters": PARTNER_HEADERS,
            "requestBody": {"required": True, "content": json_content(ref("AttendanceCreateRequest"))},
            "responses": {"200": answer("200", ref("NewAttendancePeriodResponse")),
                          "400": answer("400", ref("AttendanceCreateUpdate400ErrorResponse")),
                          "401": UNAUTHORIZED, "403": FORBIDDEN, "429": TOO_MANY},
        },
    },
    "/v1/company/attendances/{id}": {
        "delete": {
            "operationId": "deleteAttendance",
            "x-source": personnel("DELETE /company/attendances/{id}"),
            "parameters": [*PARTNER_HEADERS, PERIOD_ID,
                           {"name": "skip_approval", "in": "query", "required": False, "schema": {"type": "boolean"}}],
            "responses": {"200": message_answer("200", "DELETE /company/attendances/{id} DeletedAttendanceResponse"),
                          "400": answer("400", ref("ErrorResponse")), "401": UNAUTHORIZED, "403": FORBIDDEN,
                          "404": answer("404", ref("ErrorResponse")), "429": TOO_MANY},
        },
    },
    "/v1/company/time-off-types": {
        "get": {
            "operationId": "listTimeOffTypes",
            "x-source": personnel("GET /company/time-off-types"),
            "parameters": [*PARTNER_HEADERS, *PAGING],
            "responses": {"200": answer("200", ref("TimeOffTypesResponse")), "401": UNAUTHORIZED, "429": TOO_MANY},
        },
    },
    "/v1/company/time-offs": {
        "get": {
            "operationId": "listTimeOffs",
            "x-source": personnel("GET /company/time-offs"),
            "parameters": [
                *PARTNER_HEADERS,
                *({"name": name, "in": "query", "required": False, "schema": DATE}
                  for name in ("start_date", "end_date", "updated_from", "updated_to")),
                EMPLOYEES_FILTER,
                *PAGING,
            ],
            "responses": {"200": answer("200", ref("AbsencePeriodsResponse")), "401": UNAUTHORIZED,
                          "429": TOO_MANY},
        },
        "post": {
            "operationId": "createTimeOff",
            "x-source": personnel("POST /company/time-offs (the answer as its example shows: success and data)"),
            "parameters": PARTNER_HEADERS,
            "requestBody": {"required": True, "content": {
                "application/x-www-form-urlencoded": {"schema": ref("CreateTimeOffPeriodRequest")}}},
            "responses": {"200": answer("200", ref("AbsencePeriodResponse")),
                          "400": answer("400", ref("ErrorResponse")), "404": answer("404", ref("ErrorResponse")),
                          "422": answer("422", ref("ErrorCreateAbsenceResponse")), "401": UNAUTHORIZED,
                          "429": TOO_MANY},
        },
    },
    "/v1/company/time-offs/{id}": {
        "get": {
            "operationId": "getTimeOff",
            "x-source": personnel("GET /company/time-offs/{id}"),
            "parameters": [*PARTNER_HEADERS, PERIOD_ID],
            "responses": {"200": answer("200", ref("AbsencePeriodResponse")),
                          "404": answer("404", ref("ErrorResponse")), "401": UNAUTHORIZED, "429": TOO_MANY},
        },
        "delete": {
            "operationId": "deleteTimeOff",
            "x-source": personnel("DELETE /company/time-offs/{id}"),
            "parameters": [*PARTNER_HEADERS, PERIOD_ID],
            "responses": {"200": message_answer("200", "DELETE /company/time-offs/{id} DeletedAbsenceResponse"),
                          "400": answer("400", ref("ErrorResponse")), "404": answer("404", ref("ErrorResponse")),
                          "401": UNAUTHORIZED, "429": TOO_MANY},
        },
    },
}

PATHS: dict[str, Any] = {
    "/v1/auth": {"post": {
        "operationId": "requestAuthenticationToken",
        "x-source": f"{REPOSITORY}/{AUTH} {VERSION} POST /auth",
        "security": [],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": ref("AuthRequest")},
            "application/x-www-form-urlencoded": {"schema": ref("AuthRequest")},
        }},
        "responses": {"200": answer("200", ref("AuthenticationTokenResponse"))},
    }},
    "/v1/company/employees": {
        "get": {
            "operationId": "listEmployees",
            "x-source": personnel("GET /company/employees"),
            "parameters": [
                *PARTNER_HEADERS,
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                 "x-source": f"{PERSONNEL} (minimum 1); maximum 100 and default 50: {PAGINATION_PAGE}"},
                {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0}},
                {"name": "email", "in": "query", "required": False, "schema": {"type": "string"}},
                {"name": "attributes[]", "in": "query", "required": False,
                 "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True},
                {"name": "updated_since", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {"200": answer("200", ref("EmployeesResponse")), "401": UNAUTHORIZED, "429": TOO_MANY},
        },
        "post": {
            "operationId": "createEmployee",
            "x-source": personnel("POST /company/employees"),
            "parameters": PARTNER_HEADERS,
            "requestBody": {"required": True, "content": json_content(ref("EmployeeCreateRequest"))},
            "responses": {"200": answer("200", ref("EmployeeCreatedResponse")),
                          "422": answer("422", ref("ErrorResponse")), "401": UNAUTHORIZED},
        },
    },
    "/v1/company/employees/{employee_id}": {
        "get": {
            "operationId": "getEmployee",
            "x-source": personnel("GET /company/employees/{employee_id}"),
            "parameters": [*PARTNER_HEADERS, EMPLOYEE_ID],
            "responses": {"200": answer("200", ref("EmployeeResponse")),
                          "404": answer("404", ref("ErrorResponse")), "401": UNAUTHORIZED},
        },
        "patch": {
            "operationId": "updateEmployee",
            "x-source": personnel("PATCH /company/employees/{employee_id}"),
            "parameters": [*PARTNER_HEADERS, EMPLOYEE_ID],
            "requestBody": {"required": True, "content": json_content(ref("EmployeeUpdateRequest"))},
            "responses": {"200": answer("200", ref("EmployeeUpdatedResponse")),
                          "422": answer("422", ref("ErrorResponse")), "401": UNAUTHORIZED},
        },
    },
}


def main() -> None:
    document = {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Personio API v1: the employee, attendance, time-off and auth calls the connector kit uses",
            "version": VERSION,
            "x-source": {
                "vendor": "Personio",
                "repository": REPOSITORY,
                "documents": [PERSONNEL, AUTH],
                "version": VERSION,
                "pages": [PAGINATION_PAGE, RATE_LIMITS_PAGE],
                "taken": "facts only, written by hand with types the examples show; objects closed",
            },
        },
        "servers": [{"url": "https://api.personio.de"}],
        "security": [{"BearerAuth": []}],
        "paths": {**PATHS, **ATTENDANCE_AND_TIME_OFF_PATHS},
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"BearerAuth": {"type": "http", "scheme": "bearer"}}},
    }
    out = ROOT / "docs" / "contracts" / "personio.openapi.json"
    out.write_text(json.dumps(document, indent=1) + "\n")
    print(f"{out}: {sum(len(v) for v in document['paths'].values())} operations")


if __name__ == "__main__":
    main()
