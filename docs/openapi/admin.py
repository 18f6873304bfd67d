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


# ---- lists ------------------------------------------------------------------------------
def q(name, schema, desc=None, required=False):
    d = {"name": name, "in": "query", "required": required, "schema": schema}
    if desc:
        d["description"] = desc
    return d

BOOL = {"type": "boolean"}
DATE = {"type": "string", "description": "A date (YYYY-MM-DD) or an ISO 8601 date-time"}

def list_params(sorts, search=None):
    out = [q("offset", {"type": "integer", "minimum": 0, "default": 0}),
           q("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}),
           q("sort", {"type": "string", "enum": sorts}, f"Default {sorts[0]} (newest first); an explicit sort is ascending unless order=desc."),
           q("order", {"type": "string", "enum": ["asc", "desc"]}),
           q("format", {"type": "string", "enum": ["json", "csv"]}, "csv: every match (at most 50,000; X-Total-Count), as an attachment.")]
    if search:
        out.append(q("search", {"type": "string", "minLength": 1, "maxLength": 100}, search))
    return out

def page_of(item_ref):
    return {"type": "object", "properties": {
        "total": {"type": "integer"}, "offset": {"type": "integer"}, "limit": {"type": "integer"},
        "sort": {"type": "string"}, "order": {"type": "string", "enum": ["asc", "desc"]},
        "data": {"type": "array", "items": {"$ref": item_ref}}}}

def list_ok(item_ref):
    return {"description": "A page (JSON) or every match (CSV)", "content": {
        "application/json": {"schema": page_of(item_ref)},
        "text/csv": {"schema": {"type": "string"}}}}

S["AdminUser"] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "uuid": {"type": "string", "format": "uuid"}, "phone": {"type": ["string", "null"]},
    "name": {"type": "string"}, "is_active": BOOL, "is_staff": BOOL, "is_superuser": BOOL,
    "is_verified": BOOL, "gender": {"type": "string"}, "location": {"type": "string"},
    "waitlisted": {"type": "boolean", "description": "Inactive with a promotion time"},
    "waitlist_promote_at": {"type": ["string", "null"], "format": "date-time"},
    "date_joined": {"type": "string", "format": "date-time"},
    "last_login": {"type": ["string", "null"], "format": "date-time"}, "has_profile": BOOL}}
S["AdminUserDetail"] = {"allOf": [{"$ref": "#/components/schemas/AdminUser"}, {"type": "object", "properties": {
    "profile": {"type": ["object", "null"]},
    "hosted_events": {"type": "array", "items": {"type": "object"}},
    "requests": {"type": "array", "items": {"type": "object"}},
    "tickets": {"type": "array", "items": {"type": "object"}},
    "orders": {"type": "array", "items": {"type": "object"}},
    "devices": {"type": "array", "items": {"type": "object"}},
    "audit": {"type": "array", "items": {"type": "object"}, "description": "The 50 latest rows by or about the user"}}}]}

USER_ID = {"name": "user_id", "in": "path", "required": True, "schema": {"type": "integer"}}
USER_OK = ok({"$ref": "#/components/schemas/AdminUser"}, "The account after the change")
V422 = {"$ref": "#/components/responses/ValidationError"}

spec["paths"]["/api/admin/users"] = {"get": {
    "tags": ["admin"], "operationId": "admin_users", "summary": "Users (search, filters, sorts, CSV)",
    "security": STAFF,
    "parameters": list_params(["date_joined", "name", "phone", "last_login"], "Part of the phone number or the name (case-insensitive)") + [
        q("is_active", BOOL), q("waitlisted", BOOL), q("is_verified", BOOL), q("is_staff", BOOL, "Staff or superuser"),
        q("is_superuser", BOOL), q("gender", {"type": "string", "enum": ["male", "female", "other", "prefer_not_to_say"]}),
        q("location", {"type": "string", "minLength": 1, "maxLength": 100}, "Equal, without case"),
        q("joined_from", DATE), q("joined_to", DATE, "Before this")],
    "responses": {"200": list_ok("#/components/schemas/AdminUser"), "401": ERR, "403": ERR, "422": V422}}}
spec["paths"]["/api/admin/users/{user_id}"] = {"get": {
    "tags": ["admin"], "operationId": "admin_user", "summary": "One user with what they host, ask, hold and pay",
    "security": STAFF, "parameters": [USER_ID],
    "responses": {"200": ok({"$ref": "#/components/schemas/AdminUserDetail"}), "401": ERR, "403": ERR, "404": ERR, "422": V422}}}

def action(op_id, summary, desc, body=None, level_note=""):
    o = {"tags": ["admin"], "operationId": op_id, "summary": summary, "description": desc + level_note,
         "security": STAFF, "parameters": [USER_ID],
         "responses": {"200": USER_OK, "401": ERR, "403": ERR, "404": ERR, "409": ERR, "422": V422}}
    if body:
        o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return o

REASON = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 3, "maxLength": 500}}}
spec["paths"]["/api/admin/users/{user_id}/promote"] = {"post": action(
    "admin_user_promote", "Promote from the waitlist now",
    "Active at once, with the welcome notification; audited account.waitlist.promoted with the staff member. 409 NOT_WAITLISTED.")}
spec["paths"]["/api/admin/users/{user_id}/activate"] = {"post": action(
    "admin_user_activate", "Activate an account", "Audited user.activated with the reason. 409 ALREADY_ACTIVE, CANNOT_CHANGE_SELF; 403 SUPERUSER_REQUIRED for staff accounts.", REASON)}
spec["paths"]["/api/admin/users/{user_id}/deactivate"] = {"post": action(
    "admin_user_deactivate", "Deactivate an account",
    "Refused on every process within a second; the waitlist and console sessions end. Audited user.deactivated (high) with the reason. 409 ALREADY_INACTIVE, CANNOT_CHANGE_SELF; 403 SUPERUSER_REQUIRED for staff accounts.", REASON)}
spec["paths"]["/api/admin/users/{user_id}/verify"] = {"post": action(
    "admin_user_verify", "Verify a profile (or take it back)", "Audited user.profile.verified / unverified. 409 PROFILE_NOT_FOUND.",
    {"type": "object", "properties": {"is_verified": {"type": "boolean", "default": True}}})}
spec["paths"]["/api/admin/users/{user_id}/staff"] = {"put": action(
    "admin_user_staff", "Make or remove staff (superusers)",
    "is_superuser implies is_staff. Removing staff ends the account's console sessions. Audited user.staff.changed (high). 409 CANNOT_CHANGE_SELF.",
    {"type": "object", "required": ["is_staff"], "properties": {"is_staff": BOOL, "is_superuser": {"type": "boolean", "default": False}}})}

# ---- the audit trail ----------------------------------------------------------------------
S["AuditRow"] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "uuid": {"type": "string", "format": "uuid"},
    "created_at": {"type": "string", "format": "date-time"}, "actor_id": {"type": ["integer", "null"]},
    "actor_phone": {"type": "string"}, "action": {"type": "string"}, "object_type": {"type": "string"},
    "object_id": {"type": ["integer", "null"]}, "severity": {"type": "string", "enum": ["low", "medium", "high", "critical"]},
    "is_successful": BOOL, "error_message": {"type": "string"}, "ip_address": {"type": "string"},
    "user_agent": {"type": "string"}, "request_id": {"type": "string"},
    "payload": {"type": "object", "description": "What changed (before/after, reasons, amounts)"}}}
S["AuditSummaryRow"] = {"type": "object", "properties": {
    "date": {"type": "string", "format": "date"}, "user_id": {"type": ["integer", "null"]}, "user_phone": {"type": "string"},
    "action": {"type": "string"}, "count": {"type": "integer"}, "successful_count": {"type": "integer"},
    "failed_count": {"type": "integer"}}}
ACTION = {"type": "string", "maxLength": 64, "pattern": "^[a-z][a-z0-9_.]*$"}
ID = {"type": "integer", "minimum": 1}
DAY = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
spec["paths"]["/api/admin/audit"] = {"get": {
    "tags": ["admin"], "operationId": "admin_audit", "summary": "The audit trail (filters, CSV)",
    "description": "Append-only: every admin action and security event (sign-ins, fee changes, refunds, payout moves, staff changes, activations).",
    "security": STAFF,
    "parameters": list_params(["created_at"]) + [
        q("actor_id", ID), q("action", ACTION), q("action_prefix", ACTION, "e.g. admin.signin"),
        q("object_type", {"type": "string", "minLength": 1, "maxLength": 64}), q("object_id", ID),
        q("severity", {"type": "string", "enum": ["low", "medium", "high", "critical"]}), q("is_successful", BOOL),
        q("from", DATE), q("to", DATE, "Before this")],
    "responses": {"200": list_ok("#/components/schemas/AuditRow"), "401": ERR, "403": ERR, "422": V422}}}
spec["paths"]["/api/admin/audit/summary"] = {"get": {
    "tags": ["admin"], "operationId": "admin_audit_summary", "summary": "Daily counts per date, user and action",
    "description": "audit_log_summary, recounted every hour for yesterday and today (UTC) by the audit_summary job; idempotent.",
    "security": STAFF,
    "parameters": list_params(["date", "count"]) + [q("user_id", ID), q("action", ACTION), q("date_from", DAY), q("date_to", DAY)],
    "responses": {"200": list_ok("#/components/schemas/AuditSummaryRow"), "401": ERR, "403": ERR, "422": V422}}}
spec["paths"]["/api/admin/audit/{audit_id}"] = {"get": {
    "tags": ["admin"], "operationId": "admin_audit_row", "summary": "One audit row with its payload",
    "security": STAFF, "parameters": [{"name": "audit_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "responses": {"200": ok({"$ref": "#/components/schemas/AuditRow"}), "401": ERR, "403": ERR, "404": ERR, "422": V422}}}

# ---- events ------------------------------------------------------------------------------
S["AdminEvent"] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "uuid": {"type": "string", "format": "uuid"}, "title": {"type": "string"},
    "status": {"type": "string"}, "host_id": {"type": "integer"}, "host_phone": {"type": "string"}, "host_name": {"type": "string"},
    "start_time": {"type": "string", "format": "date-time"}, "end_time": {"type": "string", "format": "date-time"},
    "is_paid": BOOL, "ticket_price": {"type": "string"}, "currency": {"type": "string"},
    "max_capacity": {"type": "integer"}, "going_count": {"type": "integer", "description": "Seats taken"},
    "requests_count": {"type": "integer", "description": "Pending join requests"},
    "is_public": BOOL, "is_active": BOOL, "created_at": {"type": "string", "format": "date-time"},
    "canonical_url": {"type": "string"}}}
S["AdminEventDetail"] = {"allOf": [{"$ref": "#/components/schemas/AdminEvent"}, {"type": "object", "properties": {
    "requests": {"type": "array", "items": {"type": "object"}}, "attendees": {"type": "array", "items": {"type": "object"}},
    "check_ins": {"type": "array", "items": {"type": "object"}}, "orders": {"type": "array", "items": {"type": "object"}},
    "revenue": {"type": "object", "properties": {"paid_orders": {"type": "integer"}, "gross": {"type": "string"},
        "platform_fee": {"type": "string"}, "host_share": {"type": "string"}, "refunded": {"type": "string"},
        "seats_sold": {"type": "integer"}}}}}]}
EVENT_ID = {"name": "event_id", "in": "path", "required": True, "schema": {"type": "integer"}}
spec["paths"]["/api/admin/events"] = {"get": {
    "tags": ["admin"], "operationId": "admin_events", "summary": "Events (search, filters, sorts, CSV)",
    "description": "Every event, deleted ones too (is_active=false).", "security": STAFF,
    "parameters": list_params(["start_time", "created_at", "title", "requests_count"], "Part of the title (case-insensitive)") + [
        q("status", {"type": "string", "enum": ["draft", "published", "cancelled", "completed", "postponed"]}),
        q("host_id", ID), q("is_paid", BOOL), q("is_public", BOOL), q("is_active", BOOL),
        q("start_from", DATE), q("start_to", DATE, "Starting before this")],
    "responses": {"200": list_ok("#/components/schemas/AdminEvent"), "401": ERR, "403": ERR, "422": V422}}}
spec["paths"]["/api/admin/events/{event_id}"] = {"get": {
    "tags": ["admin"], "operationId": "admin_event", "summary": "One event with requests, attendees, check-ins, orders (50 latest each) and revenue",
    "security": STAFF, "parameters": [EVENT_ID],
    "responses": {"200": ok({"$ref": "#/components/schemas/AdminEventDetail"}), "401": ERR, "403": ERR, "404": ERR, "422": V422}}}
EV_ACTION_OK = ok({"allOf": [{"$ref": "#/components/schemas/AdminEvent"}, {"type": "object", "properties": {
    "attendees_told": {"type": "integer"}, "paid_orders_to_refund": {"type": "integer"}}}]}, "The event after the change")
def ev_action(op_id, summary, desc):
    return {"post": {"tags": ["admin"], "operationId": op_id, "summary": summary, "description": desc,
        "security": STAFF, "parameters": [EVENT_ID],
        "requestBody": {"required": True, "content": {"application/json": {"schema": REASON}}},
        "responses": {"200": EV_ACTION_OK, "401": ERR, "403": ERR, "404": ERR, "409": ERR, "422": V422}}}
spec["paths"]["/api/admin/events/{event_id}/cancel"] = ev_action("admin_event_cancel", "Cancel an event",
    "Cancelled (from draft, published or postponed); every going attendee gets an event_cancelled notification with the reason; "
    "audited event.cancelled (high). The answer counts the paid orders still to refund (POST /api/admin/orders/{order_id}/refund). "
    "409 INVALID_STATUS_TRANSITION.")
spec["paths"]["/api/admin/events/{event_id}/unpublish"] = ev_action("admin_event_unpublish", "Take an event off the listing",
    "Private (is_public false): off the listing and search, seen by its host and staff only. Refused while anyone holds a ticket "
    "(409 EVENT_HAS_ATTENDEES: cancel it instead); 409 ALREADY_PRIVATE. Audited event.unpublished (high).")

# ---- orders ------------------------------------------------------------------------------
S["AdminOrder"] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "order_id": {"type": "string"}, "event_id": {"type": "integer"}, "event_title": {"type": "string"},
    "user_id": {"type": "integer"}, "user_phone": {"type": "string"}, "amount": {"type": "string"},
    "platform_fee": {"type": "string"}, "refunded": {"type": "string"}, "currency": {"type": "string"},
    "seats": {"type": "integer"}, "status": {"type": "string"}, "payment_provider": {"type": "string"},
    "payment_method": {"type": "string"}, "transaction_id": {"type": "string"}, "failure_reason": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}}
S["AdminOrderDetail"] = {"allOf": [{"$ref": "#/components/schemas/AdminOrder"}, {"type": "object", "properties": {
    "transactions": {"type": "array", "items": {"type": "object"}},
    "callbacks": {"type": "array", "items": {"type": "object"}, "description": "Every provider callback stored for the order; hashes, card fields, tokens and keys read [hidden]"}}}]}
spec["paths"]["/api/admin/orders"] = {"get": {
    "tags": ["admin"], "operationId": "admin_orders", "summary": "Orders and payments (search, filters, sorts, CSV)",
    "security": STAFF,
    "parameters": list_params(["created_at", "amount", "status"], "Part of the order id or of the buyer's phone") + [
        q("status", {"type": "string", "enum": ["created", "pending", "paid", "completed", "failed", "cancelled", "refunded", "unpaid"]}),
        q("provider", {"type": "string", "enum": ["razorpay", "stripe", "paypal", "paytm", "phonepe", "gpay", "payu", "cash", "bank_transfer", "test"]}),
        q("event_id", ID), q("user_id", ID), q("refunded", BOOL, "Any amount refunded"),
        q("created_from", DATE), q("created_to", DATE, "Before this")],
    "responses": {"200": list_ok("#/components/schemas/AdminOrder"), "401": ERR, "403": ERR, "422": V422}}}
spec["paths"]["/api/admin/orders/{order_id}"] = {"get": {
    "tags": ["admin"], "operationId": "admin_order", "summary": "One order with its transactions and callbacks",
    "security": STAFF, "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 64}}],
    "responses": {"200": ok({"$ref": "#/components/schemas/AdminOrderDetail"}), "401": ERR, "403": ERR, "404": ERR, "422": V422}}}

# ---- jobs ----------------------------------------------------------------------------------
S["AdminJob"] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string"}, "status": {"type": "string", "enum": ["pending", "running", "done", "failed", "dead"]},
    "attempts": {"type": "integer"}, "max_attempts": {"type": "integer"}, "run_at": {"type": "string", "format": "date-time"},
    "last_error": {"type": "string"}, "finished_at": {"type": ["string", "null"], "format": "date-time"},
    "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
    "dedupe_key": {"type": "string"}}}
spec["paths"]["/api/admin/jobs"] = {"get": {
    "tags": ["admin"], "operationId": "admin_jobs", "summary": "Background jobs (filters kind, status; CSV)", "security": STAFF,
    "parameters": list_params(["created_at", "run_at"]) + [q("kind", {"type": "string", "minLength": 1, "maxLength": 100}),
        q("status", {"type": "string", "enum": ["pending", "running", "done", "failed", "dead"]})],
    "responses": {"200": list_ok("#/components/schemas/AdminJob"), "401": ERR, "403": ERR, "422": V422}}}
spec["paths"]["/api/admin/jobs/summary"] = {"get": {
    "tags": ["admin"], "operationId": "admin_jobs_summary", "summary": "The queue per kind", "security": STAFF, "parameters": [],
    "responses": {"200": ok({"type": "object", "properties": {"kinds": {"type": "array", "items": {"type": "object", "properties": {
        "kind": {"type": "string"}, "pending": {"type": "integer"}, "running": {"type": "integer"}, "failed": {"type": "integer", "description": "Failed, to be retried"},
        "dead": {"type": "integer"}, "done": {"type": "integer"},
        "oldest_due_wait_seconds": {"type": ["integer", "null"], "description": "How long the oldest due job has waited"}}}}}}),
        "401": ERR, "403": ERR}}}
spec["paths"]["/api/admin/jobs/{job_id}/retry"] = {"post": {
    "tags": ["admin"], "operationId": "admin_job_retry", "summary": "Retry a dead job",
    "description": "Back to pending with its attempts reset, due now; audited job.retried. 409 JOB_NOT_DEAD.", "security": STAFF,
    "parameters": [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "responses": {"200": ok({"$ref": "#/components/schemas/AdminJob"}), "401": ERR, "403": ERR, "404": ERR, "409": ERR, "422": V422}}}

# ---- interests -----------------------------------------------------------------------------
S["AdminInterest"] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "uuid": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "slug": {"type": "string"},
    "description": {"type": "string"}, "is_active": BOOL, "profiles": {"type": "integer"}, "events": {"type": "integer"},
    "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}}
INTEREST_OK = ok({"$ref": "#/components/schemas/AdminInterest"})
spec["paths"]["/api/admin/interests"] = {
    "get": {"tags": ["admin"], "operationId": "admin_interests", "summary": "Interest categories with their use", "security": STAFF,
        "parameters": list_params(["name", "created_at"], "Part of the name") + [q("is_active", BOOL)],
        "responses": {"200": list_ok("#/components/schemas/AdminInterest"), "401": ERR, "403": ERR, "422": V422}},
    "post": {"tags": ["admin"], "operationId": "admin_interest_create", "summary": "Create an interest",
        "description": "The slug is made from the name. 409 INTEREST_EXISTS. Audited interest.created.", "security": STAFF, "parameters": [],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "minLength": 2, "maxLength": 100}, "description": {"type": "string", "maxLength": 500}}}}}},
        "responses": {"201": INTEREST_OK, "401": ERR, "403": ERR, "409": ERR, "422": V422}}}
spec["paths"]["/api/admin/interests/{interest_id}"] = {"patch": {
    "tags": ["admin"], "operationId": "admin_interest_update", "summary": "Rename, describe or (de)activate an interest",
    "description": "The slug stays. A deactivated interest stays on what uses it and is no longer offered. 400 NOTHING_TO_CHANGE, 404, 409 INTEREST_EXISTS. Audited interest.updated with before and after.",
    "security": STAFF, "parameters": [{"name": "interest_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
        "name": {"type": "string", "minLength": 2, "maxLength": 100}, "description": {"type": "string", "maxLength": 500}, "is_active": BOOL}}}}},
    "responses": {"200": INTEREST_OK, "400": ERR, "401": ERR, "403": ERR, "404": ERR, "409": ERR, "422": V422}}}

# ---- host leads and bank accounts ------------------------------------------------------------
S["AdminHostLead"] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "uuid": {"type": "string", "format": "uuid"}, "first_name": {"type": "string"}, "last_name": {"type": "string"},
    "phone_number": {"type": "string"}, "message": {"type": "string"}, "is_contacted": BOOL, "is_converted": BOOL,
    "notes": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}}
spec["paths"]["/api/admin/host-leads"] = {"get": {
    "tags": ["admin"], "operationId": "admin_host_leads", "summary": "Become-a-host leads", "security": STAFF,
    "parameters": list_params(["created_at", "name"], "Part of the name or phone") + [q("is_contacted", BOOL), q("is_converted", BOOL)],
    "responses": {"200": list_ok("#/components/schemas/AdminHostLead"), "401": ERR, "403": ERR, "422": V422}}}
spec["paths"]["/api/admin/host-leads/{lead_id}"] = {"patch": {
    "tags": ["admin"], "operationId": "admin_host_lead_update", "summary": "Mark a lead contacted or converted, or note it",
    "description": "Audited host_lead.updated. 400 NOTHING_TO_CHANGE.", "security": STAFF,
    "parameters": [{"name": "lead_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
        "is_contacted": BOOL, "is_converted": BOOL, "notes": {"type": "string", "maxLength": 2000}}}}}},
    "responses": {"200": ok({"$ref": "#/components/schemas/AdminHostLead"}), "400": ERR, "401": ERR, "403": ERR, "404": ERR, "422": V422}}}
S["AdminBankAccount"] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "uuid": {"type": "string", "format": "uuid"}, "host_id": {"type": "integer"}, "host_phone": {"type": "string"},
    "bank_name": {"type": "string"}, "account_holder_name": {"type": "string"},
    "account_number_masked": {"type": "string", "description": "XXXXXXXX and the last four digits; the number itself never leaves the server"},
    "ifsc_code": {"type": "string"}, "is_primary": BOOL, "is_verified": BOOL, "is_active": BOOL,
    "verified_at": {"type": ["string", "null"], "format": "date-time"}, "verified_by_id": {"type": ["integer", "null"]},
    "created_at": {"type": "string", "format": "date-time"}}}
spec["paths"]["/api/admin/bank-accounts"] = {"get": {
    "tags": ["admin"], "operationId": "admin_bank_accounts", "summary": "Hosts' bank accounts (masked)", "security": STAFF,
    "parameters": list_params(["created_at"]) + [q("host_id", ID), q("is_verified", BOOL), q("is_active", BOOL)],
    "responses": {"200": list_ok("#/components/schemas/AdminBankAccount"), "401": ERR, "403": ERR, "422": V422}}}
spec["paths"]["/api/admin/bank-accounts/{account_id}/verify"] = {"post": {
    "tags": ["admin"], "operationId": "admin_bank_account_verify", "summary": "Verify a bank account (or take it back)",
    "description": "Records who verified it and when; audited bank_account.verified / unverified (high). The host changing the number or IFSC code clears it.",
    "security": STAFF, "parameters": [{"name": "account_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {"is_verified": {"type": "boolean", "default": True}}}}}},
    "responses": {"200": ok({"$ref": "#/components/schemas/AdminBankAccount"}), "401": ERR, "403": ERR, "404": ERR, "422": V422}}}

# ---- dashboard -------------------------------------------------------------------------------
spec["paths"]["/api/admin/dashboard/{board}"] = {"get": {
    "tags": ["admin"], "operationId": "admin_dashboard", "summary": "The analytics dashboard",
    "description": "Series per bucket over the last 12 weeks (from Monday, UTC), 12 months or 5 years, the current one so far, and figures for now. "
                   "users: signups, promotions, staff_signins; now users, active, waitlisted, staff. "
                   "events: created, started, requests, accepted, declined, acceptance_rate (percent, null without decisions); now live, upcoming, completed, cancelled, pending_requests. "
                   "hosts: active_hosts, new_hosts, leads; now hosts, leads_open, leads_converted. "
                   "payments (minor units): paid_orders, tickets_sold, gross_minor, platform_fee_minor, refunds_minor, payouts_paid_minor; now payouts_pending, payouts_pending_minor, payouts_paid_minor. "
                   "Each series is one indexed range query (docs/admin.md).",
    "security": STAFF,
    "parameters": [{"name": "board", "in": "path", "required": True, "schema": {"type": "string", "enum": ["users", "events", "hosts", "payments"]}},
                   q("period", {"type": "string", "enum": ["weekly", "monthly", "yearly"], "default": "monthly"})],
    "responses": {"200": ok({"type": "object", "properties": {
        "board": {"type": "string"}, "period": {"type": "string"}, "currency": {"type": "string"},
        "buckets": {"type": "array", "items": {"type": "object", "properties": {"start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"}}}},
        "series": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": ["integer", "number", "null"]}}},
        "now": {"type": "object", "additionalProperties": {"type": "integer"}},
        "generated_at": {"type": "string", "format": "date-time"}}}), "401": ERR, "403": ERR, "422": V422}}}

# ---- notifications sent ---------------------------------------------------------------------
S["AdminNotification"] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "uuid": {"type": "string", "format": "uuid"}, "recipient_id": {"type": "integer"},
    "recipient_phone": {"type": "string"}, "sender_id": {"type": ["integer", "null"]}, "type": {"type": "string"},
    "title": {"type": "string"}, "message": {"type": "string"}, "reference_type": {"type": "string"},
    "reference_id": {"type": ["integer", "null"]}, "is_read": BOOL, "read_at": {"type": ["string", "null"], "format": "date-time"},
    "created_at": {"type": "string", "format": "date-time"}}}
NOTE_TYPES = ["event_request", "event_invite", "event_update", "event_cancelled", "event_live", "payment_success", "payment_failed",
              "booking_success", "request_approved", "new_join_request", "ticket_confirmed", "event_started", "payout_reminder",
              "reminder", "system", "promotional"]
spec["paths"]["/api/admin/notifications"] = {"get": {
    "tags": ["admin"], "operationId": "admin_notifications", "summary": "In-app notifications sent", "security": STAFF,
    "parameters": list_params(["created_at"], "Part of the title or message") + [
        q("type", {"type": "string", "enum": NOTE_TYPES}), q("recipient_id", ID), q("sender_id", ID),
        q("reference_type", {"type": "string", "minLength": 1, "maxLength": 50}), q("reference_id", ID), q("is_read", BOOL),
        q("from", DATE), q("to", DATE, "Before this")],
    "responses": {"200": list_ok("#/components/schemas/AdminNotification"), "401": ERR, "403": ERR, "422": V422}}}

# ---- the console's pages ---------------------------------------------------------------------
spec["paths"]["/admin"] = {"get": {
    "tags": ["admin"], "operationId": "admin_console", "summary": "The admin console (HTML)",
    "description": "One page; the console routes in the URL fragment (#/users?search=...). Served with a Content-Security-Policy that allows this origin only.",
    "security": [], "parameters": [],
    "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}}}}
spec["paths"]["/admin/assets/{file}"] = {"get": {
    "tags": ["admin"], "operationId": "admin_console_asset", "summary": "A file of the admin console",
    "description": "Only app.js, app.css, standalone.module.js (Preact with htm), uPlot.esm.js and uPlot.min.css, compiled into the binary; anything else is 404. 503 CONSOLE_ASSETS_MISSING when the build had no libraries (scripts/docs-assets).",
    "security": [], "parameters": [{"name": "file", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "JavaScript or CSS", "content": {"text/javascript": {"schema": {"type": "string"}}, "text/css": {"schema": {"type": "string"}}}},
                  "404": ERR, "503": ERR}}}

# the payout module's staff list exports CSV too
_pl = spec["paths"]["/api/admin/payouts"]["get"]
if not any(p.get("name") == "format" for p in _pl["parameters"]):
    _pl["parameters"].append(q("format", {"type": "string", "enum": ["json", "csv"]},
        "csv: every match (at most 50,000; X-Total-Count), as the attachment payouts.csv."))
    _pl["responses"]["200"].setdefault("content", {})["text/csv"] = {"schema": {"type": "string"}}

# every staff route takes the console's session as well as a bearer token
for path, item in spec["paths"].items():
    if path.startswith("/api/admin/") and path != "/api/admin/session":
        for m, o in item.items():
            if isinstance(o, dict) and o.get("security") in ([{"bearer": []}], STAFF):
                o["security"] = STAFF

json.dump(spec, open(PATH, "w"), indent=1)
open(PATH, "a").write("\n")
