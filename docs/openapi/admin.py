"""Adds the admin console's endpoints (issue 12, docs/admin.md) to docs/openapi.json.

Run from the repository root: python3 docs/openapi/admin.py
The document is the source of truth served at /api/openapi.json; this script
only writes the repetitive parts (session security, error responses) once.
"""
import json

PATH = "docs/openapi.json"
spec = json.load(open(PATH))
C = spec["components"]
S = C["schemas"]

C["securitySchemes"]["staffSession"] = {
    "type": "apiKey", "in": "cookie", "name": "loopin_staff",
    "description": "The admin console's session (POST /api/admin/session). Any request that is "
                   "not GET or HEAD must also send the session's CSRF token in X-CSRF-Token."}
if not any(t["name"] == "admin" for t in spec["tags"]):
    spec["tags"].append({"name": "admin", "description": "The admin console's API (staff; docs/admin.md)."})

STAFF = [{"bearer": []}, {"staffSession": []}]
ERR = {"$ref": "#/components/responses/Error"}

S["StaffUser"] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "uuid": {"type": "string", "format": "uuid"},
    "phone": {"type": "string"}, "name": {"type": "string"},
    "is_staff": {"type": "boolean"}, "is_superuser": {"type": "boolean"}}}
S["StaffSession"] = {"type": "object", "properties": {
    "user": {"$ref": "#/components/schemas/StaffUser"},
    "csrf_token": {"type": ["string", "null"], "description": "Send in X-CSRF-Token with every state change by cookie; null with a bearer token."},
    "expires_at": {"type": ["string", "null"], "format": "date-time", "description": "12 hours after sign-in at most."},
    "idle_until": {"type": ["string", "null"], "format": "date-time", "description": "The session ends if unused until then (2 hours, moved as it is used)."},
    "idle_timeout_seconds": {"type": "integer"},
    "signed_in_with": {"type": "string", "enum": ["session", "token"]}}}

def ok(schema, desc="OK"):
    return {"description": desc, "content": {"application/json": {"schema": schema}}}

spec["paths"]["/api/admin/session"] = {
    "post": {
        "tags": ["admin"], "operationId": "admin_sign_in", "summary": "Sign in to the admin console",
        "description": "Phone and password of an active staff account. Sets the session cookie loopin_staff "
                       "(HttpOnly, SameSite=Strict, Path=/api/admin, Secure outside development). Every wrong case "
                       "answers 401 INVALID_CREDENTIALS; five failures for a phone in 15 minutes lock it (429 "
                       "TOO_MANY_ATTEMPTS with Retry-After). Audited: admin.signin, admin.signin.failed, admin.signin.locked.",
        "security": [],
        "parameters": [],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["phone_number", "password"], "properties": {
                "phone_number": {"type": "string", "examples": ["+919876543210"]},
                "password": {"type": "string", "minLength": 1, "maxLength": 1024}}}}}},
        "responses": {"200": ok({"$ref": "#/components/schemas/StaffSession"}, "Signed in; Set-Cookie carries the session"),
                      "401": ERR, "422": {"$ref": "#/components/responses/ValidationError"},
                      "429": {"description": "Locked after repeated failures (Retry-After)"}}},
    "get": {
        "tags": ["admin"], "operationId": "admin_session", "summary": "The signed-in staff member",
        "description": "With the cookie: the session and its CSRF token (the console asks after a reload). With a staff "
                       "bearer token: the account, csrf_token null. 401 SESSION_EXPIRED when the session ended.",
        "security": STAFF, "parameters": [],
        "responses": {"200": ok({"$ref": "#/components/schemas/StaffSession"}), "401": ERR, "403": ERR}},
    "delete": {
        "tags": ["admin"], "operationId": "admin_sign_out", "summary": "Sign out (this session)",
        "description": "Ends the session of the cookie (X-CSRF-Token required) and deletes the cookie; audited "
                       "admin.signout. 400 NO_SESSION with a bearer token.",
        "security": STAFF, "parameters": [],
        "responses": {"200": ok({"type": "object", "properties": {"signed_out": {"type": "boolean"}}}),
                      "400": ERR, "401": ERR, "403": ERR}},
}
spec["paths"]["/api/admin/sessions"] = {
    "delete": {
        "tags": ["admin"], "operationId": "admin_sign_out_everywhere", "summary": "Sign out everywhere",
        "description": "Ends every session of the caller on every process; audited admin.sessions.revoked.",
        "security": STAFF, "parameters": [],
        "responses": {"200": ok({"type": "object", "properties": {"sessions_ended": {"type": "integer"}}}),
                      "401": ERR, "403": ERR}},
}

json.dump(spec, open(PATH, "w"), indent=1)
open(PATH, "a").write("\n")
