"""Adds the push device routes (issue 13, API.md 11) to docs/openapi.json.

Run from the repository root: python3 docs/openapi/devices.py
"""
import json

PATH = "docs/openapi.json"
spec = json.load(open(PATH))
ERR = {"$ref": "#/components/responses/Error"}
V422 = {"$ref": "#/components/responses/ValidationError"}
BEARER = [{"bearer": []}]
ANSWER = {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
    "success": {"type": "boolean"}, "message": {"type": "string"}, "device_id": {"type": "integer"}}}}}}

spec["paths"]["/api/notifications/devices/register"] = {"post": {
    "tags": ["notifications"], "operationId": "register_device", "summary": "Register a push device (OneSignal player id)",
    "description": "Upsert on the player id, which belongs to one account at a time: registering one that exists moves it to the caller, "
                   "reactivated, with the new platform (message \"Device updated successfully\"). Any signed-in account, waitlisted ones "
                   "too; staff accounts get 403 ADMIN_CANNOT_REGISTER_DEVICE. A platform other than ios or android is 400 INVALID_PLATFORM.",
    "security": BEARER, "parameters": [],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object",
        "required": ["onesignal_player_id", "platform"], "properties": {
            "onesignal_player_id": {"type": "string", "minLength": 1, "maxLength": 255},
            "platform": {"type": "string", "enum": ["ios", "android"], "description": "Case does not matter"}}}}}},
    "responses": {"200": ANSWER, "400": ERR, "401": ERR, "403": ERR, "422": V422}}}
spec["paths"]["/api/notifications/devices/{player_id}"] = {"delete": {
    "tags": ["notifications"], "operationId": "deactivate_device", "summary": "Deactivate one of the caller's devices",
    "description": "404 DEVICE_NOT_FOUND for a player id the caller does not own.", "security": BEARER,
    "parameters": [{"name": "player_id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 255}}],
    "responses": {"200": ANSWER, "401": ERR, "403": ERR, "404": ERR, "422": V422}}}
spec["paths"]["/api/notifications/devices"] = {"get": {
    "tags": ["notifications"], "operationId": "list_devices", "summary": "The caller's push devices",
    "description": "Active ones first, most recently seen first.", "security": BEARER, "parameters": [],
    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "success": {"type": "boolean"}, "data": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "onesignal_player_id": {"type": "string"}, "platform": {"type": "string"},
            "is_active": {"type": "boolean"}, "last_seen_at": {"type": ["string", "null"], "format": "date-time"},
            "created_at": {"type": "string", "format": "date-time"}}}}}}}}}, "401": ERR, "403": ERR}}}

PREFS = {"type": "object", "properties": {"success": {"type": "boolean"}, "data": {"type": "array", "items": {"type": "object", "properties": {
    "type": {"type": "string"}, "push_enabled": {"type": "boolean"}, "is_default": {"type": "boolean", "description": "Nobody chose: the default of API.md 14.10"}}}}}}
spec["paths"]["/api/notifications/preferences"] = {
    "get": {"tags": ["notifications"], "operationId": "notification_preferences", "summary": "Which notification types come as push",
        "description": "Every type with its setting. Defaults (API.md 14.10): push for payments, event changes, requests, invitations, reminders and system messages; the rest off. The in-app row is written whatever is chosen.",
        "security": BEARER, "parameters": [],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": PREFS}}}, "401": ERR, "403": ERR}},
    "put": {"tags": ["notifications"], "operationId": "set_notification_preferences", "summary": "Choose push per notification type",
        "description": "Only the types sent change; answers the whole list. 422 for an unknown type or a value that is not a boolean.",
        "security": BEARER, "parameters": [],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["preferences"], "properties": {
            "preferences": {"type": "object", "additionalProperties": {"type": "boolean"}, "minProperties": 1,
                            "examples": [{"promotional": True, "reminder": False}]}}}}}},
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": PREFS}}}, "401": ERR, "403": ERR, "422": V422}}}

json.dump(spec, open(PATH, "w"), indent=1)
open(PATH, "a").write("\n")
