"""Adds notification campaigns and host-lead WhatsApp (issue 13, docs/notifications.md) to docs/openapi.json.

Run from the repository root after admin.py: python3 docs/openapi/campaigns.py
"""
import json

PATH = "docs/openapi.json"
spec = json.load(open(PATH))
S = spec["components"]["schemas"]
STAFF = [{"bearer": []}, {"staffSession": []}]
ERR = {"$ref": "#/components/responses/Error"}
V422 = {"$ref": "#/components/responses/ValidationError"}
BOOL = {"type": "boolean"}
INT = {"type": "integer"}
TIME = {"type": "string", "format": "date-time"}
TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
TYPES = ["promotional", "system", "event_update", "reminder"]
STATES = ["draft", "previewed", "scheduled", "sending", "sent", "cancelled", "failed"]


def ok(schema, desc="OK"):
    return {"description": desc, "content": {"application/json": {"schema": schema}}}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def q(name, schema, desc=None, required=False):
    d = {"name": name, "in": "query", "required": required, "schema": schema}
    if desc:
        d["description"] = desc
    return d


def path_id(name):
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def list_params(sorts, search):
    return [q("offset", {"type": "integer", "minimum": 0, "default": 0}),
            q("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}),
            q("sort", {"type": "string", "enum": sorts}, f"Default {sorts[0]} (newest first)."),
            q("order", {"type": "string", "enum": ["asc", "desc"]}),
            q("format", {"type": "string", "enum": ["json", "csv"]}, "csv: every match (at most 50,000)."),
            q("search", {"type": "string", "minLength": 1, "maxLength": 100}, search)]


def list_ok(item):
    return {"description": "A page (JSON) or every match (CSV)", "content": {
        "application/json": {"schema": {"type": "object", "properties": {
            "total": INT, "offset": INT, "limit": INT, "sort": {"type": "string"}, "order": {"type": "string"},
            "data": {"type": "array", "items": ref(item)}}}},
        "text/csv": {"schema": {"type": "string"}}}}


def body(props, required=()):
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": list(required), "properties": props}}}}


AUDIENCE = {"type": "object", "description": "{\"all\": [rule...], \"any\": [rule...]}; a rule is {field, op, value}. "
            "Fields: profile_completed, location, is_verified, is_active, interest, has_attended_event, has_active_devices; "
            "operators =, !=, exact, contains, icontains, in (per field: docs/notifications.md). 422 with the bad rule's place.",
            "properties": {"all": {"type": "array", "maxItems": 20, "items": ref("AudienceRule")},
                           "any": {"type": "array", "maxItems": 20, "items": ref("AudienceRule")}}}
S["AudienceRule"] = {"type": "object", "required": ["field", "op", "value"], "properties": {
    "field": {"type": "string", "enum": ["profile_completed", "location", "is_verified", "is_active", "interest",
                                         "has_attended_event", "has_active_devices"]},
    "op": {"type": "string", "enum": ["=", "!=", "exact", "contains", "icontains", "in"]},
    "value": {"description": "A boolean, a text, an id, or a list for in"}}}
S["CampaignTemplateVersion"] = {"type": "object", "properties": {
    "id": INT, "version": INT, "title": {"type": "string"}, "body": {"type": "string"},
    "variables": {"type": "array", "items": {"type": "string"}}, "locked": BOOL, "locked_at": TIME_OR_NULL, "created_at": TIME}}
S["CampaignTemplate"] = {"type": "object", "properties": {
    "id": INT, "uuid": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "is_active": BOOL,
    "created_at": TIME, "updated_at": TIME, "latest": ref("CampaignTemplateVersion"),
    "versions": {"type": "array", "items": ref("CampaignTemplateVersion")}}}
S["CampaignTemplateRow"] = {"type": "object", "properties": {
    "id": INT, "uuid": {"type": "string"}, "name": {"type": "string"}, "is_active": BOOL, "version": INT,
    "title": {"type": "string"}, "body": {"type": "string"}, "locked": BOOL, "campaigns": INT, "updated_at": TIME}}
S["Campaign"] = {"type": "object", "properties": {
    "id": INT, "uuid": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
    "state": {"type": "string", "enum": STATES}, "notification_type": {"type": "string", "enum": TYPES},
    "variables": {"type": "object", "additionalProperties": {"type": "string"}}, "audience": AUDIENCE,
    "preview_count": {"type": ["integer", "null"]}, "previewed_at": TIME_OR_NULL, "scheduled_at": TIME_OR_NULL,
    "started_at": TIME_OR_NULL, "finished_at": TIME_OR_NULL, "recipients": INT, "failure_reason": {"type": "string"},
    "created_at": TIME, "updated_at": TIME, "created_by": {"type": ["integer", "null"]},
    "template": {"type": "object", "properties": {"id": INT, "version": INT, "title": {"type": "string"}, "body": {"type": "string"}}},
    "progress": {"type": "object", "properties": {"sent": INT, "pending": INT, "skipped": INT}}}}
S["CampaignExecution"] = {"type": "object", "properties": {
    "id": INT, "campaign_id": INT, "user_id": INT, "name": {"type": "string"}, "phone": {"type": "string"}, "batch": INT,
    "status": {"type": "string", "enum": ["pending", "sent", "skipped"]},
    "notification_uuid": {"type": ["string", "null"]}, "processed_at": TIME_OR_NULL,
    "push_status": {"type": "string", "description": "sending, sent, skipped, failed; empty when no push was queued"},
    "push_error": {"type": "string"}, "push_sent_at": TIME_OR_NULL}}
S["LeadMessage"] = {"type": "object", "properties": {
    "id": INT, "uuid": {"type": "string"}, "lead_id": INT, "sent_by": {"type": ["integer", "null"]},
    "channel": {"type": "string", "enum": ["whatsapp"]}, "content_sid": {"type": "string"}, "message": {"type": "string"},
    "status": {"type": "string", "enum": ["queued", "sending", "sent", "failed"]}, "provider_sid": {"type": "string"},
    "error": {"type": "string"}, "created_at": TIME, "sent_at": TIME_OR_NULL}}

P = spec["paths"]
TEMPLATE_TEXT = {"name": {"type": "string", "minLength": 1, "maxLength": 100},
                 "title": {"type": "string", "minLength": 1, "maxLength": 200, "description": "{{var}} placeholders ({{name}}: the recipient's name)"},
                 "body": {"type": "string", "minLength": 1, "maxLength": 1000}}
P["/api/admin/campaign-templates"] = {
    "get": {"tags": ["admin"], "operationId": "admin_campaign_templates", "summary": "Campaign templates (latest version of each)",
            "security": STAFF, "parameters": list_params(["updated_at", "name"], "Part of the name") + [q("is_active", BOOL)],
            "responses": {"200": list_ok("CampaignTemplateRow"), "401": ERR, "403": ERR, "422": V422}},
    "post": {"tags": ["admin"], "operationId": "admin_campaign_template_create", "summary": "Write a campaign template",
             "description": "Version 1; its variables are the placeholders found. 422 for malformed braces, 409 TEMPLATE_EXISTS.",
             "security": STAFF, "parameters": [], "requestBody": body(TEMPLATE_TEXT, ["name", "title", "body"]),
             "responses": {"201": ok(ref("CampaignTemplate")), "401": ERR, "403": ERR, "409": ERR, "422": V422}}}
P["/api/admin/campaign-templates/{template_id}"] = {
    "get": {"tags": ["admin"], "operationId": "admin_campaign_template", "summary": "A template with every version",
            "security": STAFF, "parameters": [path_id("template_id")],
            "responses": {"200": ok(ref("CampaignTemplate")), "401": ERR, "403": ERR, "404": ERR}},
    "patch": {"tags": ["admin"], "operationId": "admin_campaign_template_update", "summary": "Rename or edit a template",
              "description": "A text change edits the latest version while no campaign used it; once used (locked) it adds the next version.",
              "security": STAFF, "parameters": [path_id("template_id")], "requestBody": body(TEMPLATE_TEXT),
              "responses": {"200": ok(ref("CampaignTemplate")), "400": ERR, "401": ERR, "403": ERR, "404": ERR, "409": ERR, "422": V422}}}

CAMPAIGN_FIELDS = {"name": {"type": "string", "minLength": 1, "maxLength": 200}, "template_id": INT,
                   "variables": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 500},
                                 "description": "A value for every placeholder of the template but {{name}}"},
                   "audience": AUDIENCE, "notification_type": {"type": "string", "enum": TYPES, "default": "promotional"}}
CAMPAIGN_OK = ok(ref("Campaign"))
P["/api/admin/campaigns"] = {
    "get": {"tags": ["admin"], "operationId": "admin_campaigns", "summary": "Notification campaigns",
            "security": STAFF, "parameters": list_params(["created_at", "name", "scheduled_at"], "Part of the name") +
            [q("state", {"type": "string", "enum": STATES})],
            "responses": {"200": list_ok("Campaign"), "401": ERR, "403": ERR, "422": V422}},
    "post": {"tags": ["admin"], "operationId": "admin_campaign_create", "summary": "A campaign (draft)",
             "description": "Locks the template's latest version. 422 for a missing or extra variable, a bad audience rule or an unknown template.",
             "security": STAFF, "parameters": [], "requestBody": body(CAMPAIGN_FIELDS, ["name", "template_id", "audience"]),
             "responses": {"201": CAMPAIGN_OK, "401": ERR, "403": ERR, "422": V422}}}
P["/api/admin/campaigns/audience-count"] = {"post": {
    "tags": ["admin"], "operationId": "admin_campaign_audience_count", "summary": "How many people an audience reaches now",
    "description": "Active, non-staff accounts with an active device and push on for the type, matching the rules.",
    "security": STAFF, "parameters": [],
    "requestBody": body({"audience": AUDIENCE, "notification_type": {"type": "string", "enum": TYPES}}, ["audience"]),
    "responses": {"200": ok({"type": "object", "properties": {"count": INT, "max": INT, "within_limit": BOOL}}),
                  "401": ERR, "403": ERR, "422": V422}}}
SWITCH = ok({"type": "object", "properties": {"stopped": BOOL, "by_environment": {"type": "boolean", "description": "LOOPIN_DISABLE_CAMPAIGNS on this process"},
                                              "reason": {"type": "string"}}})
P["/api/admin/campaigns/kill-switch"] = {
    "get": {"tags": ["admin"], "operationId": "admin_campaign_kill_switch", "summary": "Whether campaigns are stopped",
            "security": STAFF, "parameters": [], "responses": {"200": SWITCH, "401": ERR, "403": ERR}},
    "put": {"tags": ["admin"], "operationId": "admin_campaign_kill_switch_set", "summary": "Stop or resume every campaign",
            "description": "While stopped, nothing can be sent, a scheduled campaign fails when its time comes and a sending one stops before its next batch. Audited.",
            "security": STAFF, "parameters": [], "requestBody": body({"stopped": BOOL}, ["stopped"]),
            "responses": {"200": SWITCH, "401": ERR, "403": ERR, "422": V422}}}
CID = [path_id("campaign_id")]
P["/api/admin/campaigns/{campaign_id}"] = {
    "get": {"tags": ["admin"], "operationId": "admin_campaign", "summary": "A campaign with its progress",
            "security": STAFF, "parameters": CID, "responses": {"200": CAMPAIGN_OK, "401": ERR, "403": ERR, "404": ERR}},
    "patch": {"tags": ["admin"], "operationId": "admin_campaign_update", "summary": "Edit a draft or previewed campaign",
              "description": "Back to draft (the preview no longer describes it). 409 CAMPAIGN_STATE once scheduled.",
              "security": STAFF, "parameters": CID, "requestBody": body(CAMPAIGN_FIELDS),
              "responses": {"200": CAMPAIGN_OK, "401": ERR, "403": ERR, "404": ERR, "409": ERR, "422": V422}}}


EMPTY = {"required": False, "content": {"application/json": {"schema": {"type": "object"}}}}


def move(op_id, summary, desc, req=EMPTY):
    d = {"tags": ["admin"], "operationId": op_id, "summary": summary, "description": desc, "security": STAFF, "parameters": CID,
         "responses": {"200": CAMPAIGN_OK, "401": ERR, "403": ERR, "404": ERR, "409": ERR, "422": V422}}
    if req:
        d["requestBody"] = req
    return {"post": d}


P["/api/admin/campaigns/{campaign_id}/preview"] = move("admin_campaign_preview", "Count the audience (required before sending)",
                                                       "draft|previewed -> previewed with preview_count. Audited.")
P["/api/admin/campaigns/{campaign_id}/send"] = move(
    "admin_campaign_send", "Send now or at a time",
    "previewed -> scheduled; the start job moves it to sending once. 409 PREVIEW_REQUIRED, 422 AUDIENCE_TOO_LARGE "
    "(LOOPIN_CAMPAIGN_MAX_USERS) or AUDIENCE_EMPTY, 503 CAMPAIGNS_DISABLED (kill switch). Audited.",
    {"required": False, "content": {"application/json": {"schema": {"type": "object", "properties": {
        "scheduled_at": {"type": "string", "format": "date-time", "description": "Default: now"}}}}}})
P["/api/admin/campaigns/{campaign_id}/cancel"] = move("admin_campaign_cancel", "Cancel a campaign not yet sent",
                                                      "Recipients not yet reached are skipped. Audited.")
P["/api/admin/campaign-executions"] = {"get": {
    "tags": ["admin"], "operationId": "admin_campaign_executions", "summary": "A campaign's delivery log",
    "description": "One row per recipient with the batch, the status and the push outcome.",
    "security": STAFF, "parameters": list_params(["id"], "Part of the recipient's name") + [
        q("campaign_id", {"type": "integer", "minimum": 1}, required=True),
        q("status", {"type": "string", "enum": ["pending", "sent", "skipped"]}),
        q("push_status", {"type": "string", "enum": ["sending", "sent", "skipped", "failed"]})],
    "responses": {"200": list_ok("CampaignExecution"), "401": ERR, "403": ERR, "422": V422}}}

LEAD = [path_id("lead_id")]
P["/api/admin/host-leads/{lead_id}/whatsapp"] = {"post": {
    "tags": ["admin"], "operationId": "admin_lead_whatsapp", "summary": "Send a WhatsApp message to a host lead",
    "description": "Queued (202) and sent by a job through Twilio's Content API ({{1}} the first name, {{2}} the message); "
                   "the lead is marked contacted. content_sid defaults to LOOPIN_TWILIO_CONTENT_SID (422 when neither is set).",
    "security": STAFF, "parameters": LEAD,
    "requestBody": body({"message": {"type": "string", "minLength": 1, "maxLength": 1000},
                         "content_sid": {"type": "string", "pattern": "^[A-Za-z0-9]+$", "maxLength": 64}}, ["message"]),
    "responses": {"202": ok(ref("LeadMessage"), "Queued"), "401": ERR, "403": ERR, "404": ERR, "422": V422}}}
P["/api/admin/host-leads/{lead_id}/messages"] = {"get": {
    "tags": ["admin"], "operationId": "admin_lead_messages", "summary": "A host lead's messages (the delivery log)",
    "security": STAFF, "parameters": LEAD,
    "responses": {"200": ok({"type": "object", "properties": {"lead": ref("AdminHostLead"),
                                                              "data": {"type": "array", "items": ref("LeadMessage")}}}),
                  "401": ERR, "403": ERR, "404": ERR}}}

json.dump(spec, open(PATH, "w"), indent=1)
open(PATH, "a").write("\n")
