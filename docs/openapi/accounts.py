"""Adds the accounts endpoints (issue 4) to docs/openapi.json.

Run from the repository root: python3 docs/openapi/accounts.py
The document is the source of truth served at /api/openapi.json; this script
only exists so the repetitive parts (envelopes, auth errors) are written once.
"""
import json

PATH = "docs/openapi.json"
spec = json.load(open(PATH))
C = spec["components"]
S = C["schemas"]
R = C["responses"]

S["AuthResponse"] = {
    "type": "object", "required": ["success", "message", "data", "token"],
    "description": "Envelope of every /api/auth answer. Business failures are HTTP 200 with success=false; they also carry detail (= message) and error_code.",
    "properties": {
        "success": {"type": "boolean"}, "message": {"type": "string"},
        "data": {"type": ["object", "array", "null"]}, "token": {"type": ["string", "null"]},
        "detail": {"type": "string"}, "error_code": {"type": "string",
            "examples": ["OTP_INVALID", "OTP_EXPIRED", "OTP_NOT_FOUND", "USER_NOT_FOUND", "SMS_SEND_FAILED", "VALIDATION_FAILED"]}}}
S["PhoneBody"] = {"type": "object", "required": ["phone_number"], "properties": {
    "phone_number": {"type": "string", "description": "Any of +919876543210, 919876543210, +91 98765-43210; stored as E.164.", "examples": ["+919876543210"]}}}
S["OtpBody"] = {"type": "object", "required": ["phone_number", "otp_code"], "properties": {
    "phone_number": {"type": "string"}, "otp_code": {"type": "string", "pattern": "^[0-9]{4}$"}}}
S["Interest"] = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
    "is_active": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}}
S["Profile"] = {"type": "object", "properties": {
    "id": {"type": "integer", "description": "The user id (profile and user share it)."},
    "name": {"type": "string"}, "phone_number": {"type": "string"}, "gender": {"type": "string"},
    "bio": {"type": "string"}, "location": {"type": "string"}, "birth_date": {"type": ["string", "null"], "format": "date"},
    "event_interests": {"type": "array", "items": {"$ref": "#/components/schemas/Interest"}},
    "profile_pictures": {"type": "array", "items": {"type": "string", "format": "uri"}},
    "is_verified": {"type": "boolean"}, "is_active": {"type": "boolean", "description": "false while on the account waitlist"},
    "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}}
S["ProfileUpdate"] = {"type": "object", "description": "Every key optional; only keys present are applied.", "properties": {
    "name": {"type": "string", "minLength": 2, "maxLength": 100}, "bio": {"type": ["string", "null"], "maxLength": 500},
    "location": {"type": ["string", "null"], "maxLength": 100}, "birth_date": {"type": ["string", "null"], "format": "date"},
    "gender": {"type": ["string", "null"], "enum": ["male", "female", "other", "prefer_not_to_say", None]},
    "event_interests": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 5},
    "profile_pictures": {"type": "array", "items": {"type": "string", "format": "uri"}, "minItems": 1, "maxItems": 6}}}
S["HostLeadBody"] = {"type": "object", "required": ["first_name", "last_name", "phone_number"], "properties": {
    "first_name": {"type": "string", "minLength": 1, "maxLength": 100}, "last_name": {"type": "string", "minLength": 1, "maxLength": 100},
    "phone_number": {"type": "string"}, "message": {"type": ["string", "null"], "maxLength": 1000}}}

auth_json = {"application/json": {"schema": {"$ref": "#/components/schemas/AuthResponse"}}}
R["Auth"] = {"description": "AuthResponse (success or a business failure)", "content": auth_json}
R["RateLimited"] = {"description": "Too many requests: Retry-After header (seconds); error_code OTP_COOLDOWN, OTP_RATE_LIMITED or OTP_LOCKED",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": auth_json}
R["Unauthorized"] = {"description": "401 INVALID_TOKEN, TOKEN_EXPIRED, TOKEN_REVOKED or USER_NOT_FOUND (WWW-Authenticate: Bearer)",
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
R["Forbidden"] = {"description": "403 NOT_AUTHENTICATED (no header), INVALID_AUTH_SCHEME, ACCOUNT_WAITLISTED, INACTIVE_USER or ADMIN_REQUIRED",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
spec.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
    "type": "http", "scheme": "bearer", "bearerFormat": "JWT (HS256)"}
if not any(t["name"] == "accounts" for t in spec["tags"]):
    spec["tags"] += [{"name": "accounts", "description": "Phone OTP sign-up and login, tokens, profiles (API.md 3)."},
                     {"name": "hosts", "description": "Host leads (API.md 4)."},
                     {"name": "media", "description": "Uploaded files."}]

V = {"$ref": "#/components/responses/ValidationError"}
E = {"$ref": "#/components/responses/Error"}
def body(ref, ctype="application/json"):
    return {"required": True, "content": {ctype: {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}
def op(summary, opid, tag="accounts", desc=None, request=None, responses=None, secured=False):
    o = {"tags": [tag], "summary": summary, "operationId": opid, "responses": responses or {}}
    if desc: o["description"] = desc
    if request: o["requestBody"] = request
    if secured:
        o["security"] = [{"bearer": []}]
        o["responses"].setdefault("401", {"$ref": "#/components/responses/Unauthorized"})
        o["responses"].setdefault("403", {"$ref": "#/components/responses/Forbidden"})
    for k, v in {"415": E, "422": V, "503": E}.items():
        o["responses"].setdefault(k, v)
    return o
A = {"$ref": "#/components/responses/Auth"}
RL = {"$ref": "#/components/responses/RateLimited"}
P = spec["paths"]
P["/api/auth/signup"] = {"post": op("Send a sign-up/login code by SMS", "authSignup", request=body("PhoneBody"),
    desc="Single entry point for sign-up and login. 4-digit code valid 10 minutes; a new code supersedes the old. Limits: 30 s cooldown, 5 codes per phone per hour, 30 per client IP per hour, and no code while the phone is locked after 3 wrong attempts.",
    responses={"200": A, "429": RL})}
P["/api/auth/verify-otp"] = {"post": op("Verify a code; creates the account when new; returns a token", "authVerifyOtp", request=body("OtpBody"),
    desc="A verified code is consumed. Three wrong attempts within 10 minutes lock the phone (429 OTP_LOCKED); requesting a new code does not reset that window.",
    responses={"200": A, "429": RL})}
P["/api/auth/login"] = {"post": op("Send a login code to an existing account", "authLogin", request=body("PhoneBody"), responses={"200": A, "429": RL})}
P["/api/auth/verify-login"] = {"post": op("Verify a login code (never creates accounts)", "authVerifyLogin", request=body("OtpBody"), responses={"200": A, "429": RL})}
P["/api/auth/logout"] = {"post": op("Log out: revokes the bearer token if one is sent", "authLogout", responses={"200": A})}
P["/api/auth/complete-profile"] = {"post": op("Complete the profile (multipart); first completion starts the account waitlist", "authCompleteProfile",
    request={"required": True, "content": {"multipart/form-data": {"schema": {"type": "object",
        "required": ["name", "birth_date", "gender", "event_interests", "phone_number", "profile_pictures"],
        "properties": {"name": {"type": "string"}, "birth_date": {"type": "string", "format": "date"},
            "gender": {"type": "string", "enum": ["male", "female", "other", "prefer_not_to_say"]},
            "event_interests": {"type": "string", "description": "JSON array of 1-5 interest ids, e.g. [1,2,3]"},
            "phone_number": {"type": "string"}, "bio": {"type": "string", "maxLength": 500}, "location": {"type": "string", "maxLength": 100},
            "profile_pictures": {"type": "array", "items": {"type": "string", "format": "binary"}, "minItems": 1, "maxItems": 6,
                                 "description": "JPEG, PNG or WebP, at most 5 MiB each; content is checked."}}}}}},
    responses={"200": A, "400": E, "413": E}, secured=True)}
P["/api/auth/profile"] = {
    "get": op("The caller's own profile (waitlisted accounts allowed)", "authProfileGet",
              responses={"200": {"description": "Profile", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}}}, "404": E}, secured=True),
    "put": op("Update the caller's own profile (only keys present apply)", "authProfilePut", request=body("ProfileUpdate"),
              responses={"200": {"description": "Profile", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}}}, "400": E, "404": E}, secured=True)}
P["/api/auth/event-interests"] = {"get": op("Active event interests, by name", "authEventInterests",
    responses={"200": {"description": "{success, message, data:[{id,name}]}", "content": {"application/json": {"schema": {"type": "object"}}}}}, secured=True)}
P["/api/hosts/become-a-host"] = {"post": op("Leave your details to become a host", "hostsBecomeAHost", tag="hosts", request=body("HostLeadBody"),
    responses={"200": {"description": "{success, message, data}", "content": {"application/json": {"schema": {"type": "object"}}}}})}
P["/api/hosts/host-leads"] = {"get": op("All host leads, newest first (staff superusers)", "hostsLeads", tag="hosts",
    responses={"200": {"description": "{success, message, data:{leads, total}}", "content": {"application/json": {"schema": {"type": "object"}}}}}, secured=True)}
P["/api/hosts/host-leads"]["get"]["parameters"] = [
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}}]
P["/media/{folder}/{file}"] = {"get": {"tags": ["media"], "summary": "An uploaded image", "operationId": "mediaGet",
    "parameters": [{"name": "folder", "in": "path", "required": True, "schema": {"type": "string", "enum": ["profiles", "events"]}},
                   {"name": "file", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{32}\\.(jpg|png|webp)$"}}],
    "responses": {"200": {"description": "The image", "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}, "404": E}}}
json.dump(spec, open(PATH, "w"), indent=1)
print(len(spec["paths"]), "paths")
