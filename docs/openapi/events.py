"""Adds the events and venues endpoints (issue 5) to docs/openapi.json.

Run from the repository root after docs/openapi/accounts.py:
python3 docs/openapi/events.py
"""
import json

PATH = "docs/openapi.json"
spec = json.load(open(PATH))
S = spec["components"]["schemas"]
R = spec["components"]["responses"]
T = {"type": "string", "format": "date-time"}

S["LoopinError"] = {"type": "object", "required": ["success", "error", "detail", "error_code"], "properties": {
    "success": {"const": False}, "error": {"type": "string"}, "detail": {"type": "string"},
    "error_code": {"type": "string", "examples": ["EVENT_NOT_FOUND", "PERMISSION_DENIED", "VENUE_NOT_FOUND", "INVALID_DURATION",
        "INVALID_DATETIME_FORMAT", "INVALID_INTEREST_IDS_FORMAT", "TOO_MANY_COVER_IMAGES", "IMAGE_UPLOAD_FAILED",
        "INVALID_STATUS_TRANSITION", "SLUG_TAKEN", "EVENT_HAS_SALES", "INTEREST_NOT_FOUND"]},
    "details": {"type": "object"}}}
R["LoopinError"] = {"description": "Loopin error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LoopinError"}}}}
S["Event"] = {"type": "object", "description": "EventResponse (API.md 5.1)", "properties": {
    "id": {"type": "integer"}, "uuid": {"type": "string", "format": "uuid"}, "canonical_id": {"type": "string", "pattern": "^[0-9A-Za-z]{10}$"},
    "title": {"type": "string"}, "slug": {"type": "string"}, "slug_version": {"type": "integer"}, "canonical_url": {"type": "string"},
    "description": {"type": "string"},
    "host": {"type": "object", "properties": {"id": {"type": "integer"}, "username": {"type": "string"}, "email": {"type": ["string", "null"]}, "name": {"type": ["string", "null"]}}},
    "venue": {"type": ["object", "null"], "properties": {"id": {"type": "integer"}, "uuid": {"type": "string"}, "name": {"type": "string"}, "city": {"type": "string"}, "venue_type": {"type": "string"}, "address": {"type": "string"}}},
    "venue_text": {"type": "string"}, "start_time": T, "end_time": T,
    "max_capacity": {"type": "integer", "description": "0 = unlimited"}, "going_count": {"type": "integer"}, "requests_count": {"type": "integer"},
    "is_paid": {"type": "boolean"}, "ticket_price": {"type": "string", "examples": ["150.00"]}, "currency": {"enum": ["INR", "USD", "EUR", "GBP"]},
    "allow_plus_one": {"type": "boolean"}, "gst_number": {"type": "string"}, "allowed_genders": {"enum": ["all", "male", "female", "non_binary"]},
    "cover_images": {"type": "array", "items": {"type": "string", "format": "uri"}},
    "status": {"enum": ["draft", "published", "cancelled", "completed", "postponed"]}, "is_public": {"type": "boolean"}, "is_active": {"type": "boolean"},
    "created_at": T, "updated_at": T,
    "event_interests": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "slug": {"type": "string"}}}}}}
S["EventPage"] = {"type": "object", "properties": {"total": {"type": "integer"}, "offset": {"type": "integer"}, "limit": {"type": "integer"},
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}
S["EventUpdate"] = {"type": "object", "description": "Every key optional; the merged result is validated.", "properties": {
    "title": {"type": "string", "minLength": 3, "maxLength": 200}, "description": {"type": "string", "minLength": 10, "maxLength": 20000},
    "slug": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}, "venue_id": {"type": ["integer", "null"]}, "venue_text": {"type": "string", "maxLength": 255},
    "start_time": T, "end_time": T, "max_capacity": {"type": "integer", "minimum": 0}, "is_paid": {"type": "boolean"},
    "ticket_price": {"type": ["string", "number"]}, "allow_plus_one": {"type": "boolean"}, "gst_number": {"type": "string", "maxLength": 50},
    "allowed_genders": {"enum": ["all", "male", "female", "non_binary"]}, "cover_images": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3},
    "status": {"enum": ["draft", "published", "cancelled", "completed", "postponed"]}, "is_public": {"type": "boolean"}, "is_active": {"type": "boolean"},
    "event_interest_ids": {"type": "array", "items": {"type": "integer"}}}}
S["Venue"] = {"type": "object", "properties": {"id": {"type": "integer"}, "uuid": {"type": "string"}, "name": {"type": "string"}, "address": {"type": "string"},
    "city": {"type": "string"}, "country_code": {"type": "string"}, "city_slug": {"type": "string"}, "venue_type": {"enum": ["indoor", "outdoor", "virtual", "hybrid"]},
    "capacity": {"type": "integer"}, "latitude": {"type": ["string", "null"]}, "longitude": {"type": ["string", "null"]}, "metadata": {"type": "object"},
    "is_active": {"type": "boolean"}, "created_at": T, "updated_at": T}}
S["VenueCreate"] = {"type": "object", "required": ["name", "address", "city"], "properties": {
    "name": {"type": "string", "maxLength": 150}, "address": {"type": "string", "maxLength": 500}, "city": {"type": "string", "maxLength": 100},
    "venue_type": {"enum": ["indoor", "outdoor", "virtual", "hybrid"]}, "capacity": {"type": "integer", "minimum": 0},
    "latitude": {"type": ["number", "string", "null"], "minimum": -90, "maximum": 90}, "longitude": {"type": ["number", "string", "null"], "minimum": -180, "maximum": 180},
    "metadata": {"type": "object"}, "country_code": {"type": "string", "pattern": "^[A-Za-z]{2}$"}}}
if not any(t["name"] == "events" for t in spec["tags"]):
    spec["tags"] += [{"name": "events", "description": "Events, discovery and identity (API.md 5)."},
                     {"name": "venues", "description": "Venues."}, {"name": "seo", "description": "SEO pages and calendar."}]

E = {"$ref": "#/components/responses/LoopinError"}
V = {"$ref": "#/components/responses/ValidationError"}
def ok(schema, desc="OK", ctype="application/json"):
    return {"description": desc, "content": {ctype: {"schema": schema}}}
def ref(n): return {"$ref": f"#/components/schemas/{n}"}
def op(summary, opid, tag="events", secured=True, optional=False, params=None, request=None, responses=None, desc=None):
    o = {"tags": [tag], "summary": summary, "operationId": opid, "responses": responses or {}}
    if desc: o["description"] = desc
    if params: o["parameters"] = params
    if request: o["requestBody"] = request
    if secured:
        o["security"] = [{"bearer": []}, {}] if optional else [{"bearer": []}]
        if not optional:
            o["responses"].setdefault("401", {"$ref": "#/components/responses/Unauthorized"})
            o["responses"].setdefault("403", {"$ref": "#/components/responses/Forbidden"})
    o["responses"].setdefault("422", V)
    o["responses"].setdefault("503", {"$ref": "#/components/responses/Error"})
    return o
def q(name, schema, desc=None):
    p = {"name": name, "in": "query", "schema": schema}
    if desc: p["description"] = desc
    return p
def pth(name, schema):
    return {"name": name, "in": "path", "required": True, "schema": schema}
EID = pth("event_id", {"type": "integer"})
PAGE = [q("offset", {"type": "integer", "minimum": 0, "default": 0}), q("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20})]
P = spec["paths"]
P["/api/events"] = {
  "get": op("List events", "eventsList", optional=True, desc="Anonymous callers see active public published/completed/postponed events; hosts also see their own; staff see all active. Ordered by start_time desc. Totals are cached per filter set and invalidated by a database-maintained listing version.",
    params=[q("host_id", {"type": "integer"}), q("venue_id", {"type": "integer"}), q("event_interest_id", {"type": "integer"}),
            q("status", {"enum": ["draft", "published", "cancelled", "completed", "postponed"]}), q("is_public", {"type": "boolean"}), q("is_paid", {"type": "boolean"}),
            q("allowed_genders", {"enum": ["all", "male", "female", "non_binary"]}), q("start_date", T), q("end_date", T),
            q("search", {"type": "string", "maxLength": 200}, "Words (letters/digits) matched as word prefixes in title or description, all required")] + PAGE,
    responses={"200": ok(ref("EventPage"))}),
  "post": op("Create an event (multipart, 1-3 cover images)", "eventsCreate",
    request={"required": True, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["title", "description", "start_time", "cover_images"],
      "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "start_time": T, "duration_hours": {"type": "number"}, "end_time": T,
        "venue_id": {"type": "integer"}, "venue_text": {"type": "string"}, "max_capacity": {"type": "integer"}, "is_paid": {"type": "boolean"},
        "ticket_price": {"type": "string"}, "currency": {"type": "string"}, "allow_plus_one": {"type": "boolean"}, "gst_number": {"type": "string"},
        "allowed_genders": {"type": "string"}, "status": {"enum": ["draft", "published"]}, "is_public": {"type": "boolean"},
        "event_interest_ids": {"type": "string", "description": "JSON array, e.g. [1,2]"},
        "cover_images": {"type": "array", "items": {"type": "string", "format": "binary"}, "minItems": 1, "maxItems": 3}}}}}},
    responses={"201": ok(ref("Event")), "400": E, "404": E, "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}})}
P["/api/events/{event_id}"] = {
  "get": op("One event", "eventsGet", params=[EID], responses={"200": ok(ref("Event")), "404": E}),
  "put": op("Update an event (host or staff)", "eventsUpdate", params=[EID], request={"required": True, "content": {"application/json": {"schema": ref("EventUpdate")}}},
    desc="Status transitions: draft->published|cancelled, published->completed|cancelled|postponed, postponed->published|cancelled. is_active=false deletes.",
    responses={"200": ok(ref("Event")), "400": E, "404": E, "409": E}),
  "delete": op("Delete an event (soft; refused once tickets are sold)", "eventsDelete", params=[EID],
    responses={"204": {"description": "Deleted"}, "404": E, "409": E})}
P["/api/events/{event_id}/share-url"] = {"get": op("Share URL", "eventsShareUrl", optional=True, params=[EID],
    responses={"200": ok({"type": "object", "properties": {"canonical_id": {"type": "string"}, "canonical_url": {"type": "string"}, "canonical_path": {"type": "string"}, "slug": {"type": "string"}}}), "403": E, "404": E})}
P["/api/events/canonical/{canonical_id}"] = {"get": op("Event by canonical id (Authorization header required, token optional)", "eventsCanonical", optional=True,
    params=[pth("canonical_id", {"type": "string"})], responses={"200": ok(ref("Event")), "403": {"$ref": "#/components/responses/Forbidden"}, "404": E})}
P["/api/events/venues"] = {
  "get": op("List venues", "venuesList", tag="venues", params=[q("city", {"type": "string"}), q("venue_type", {"enum": ["indoor", "outdoor", "virtual", "hybrid"]})] + PAGE,
    responses={"200": ok({"type": "object", "properties": {"total": {"type": "integer"}, "offset": {"type": "integer"}, "limit": {"type": "integer"}, "data": {"type": "array", "items": ref("Venue")}}})}),
  "post": op("Create a venue", "venuesCreate", tag="venues", request={"required": True, "content": {"application/json": {"schema": ref("VenueCreate")}}},
    responses={"201": ok(ref("Venue")), "400": E})}
P["/api/events/venues/{venue_id}"] = {"get": op("One venue", "venuesGet", tag="venues", params=[pth("venue_id", {"type": "integer"})], responses={"200": ok(ref("Venue")), "404": E})}
P["/api/events/seo/cities/{country_code}/{city_slug}/events"] = {"get": op("City landing page data", "seoCity", tag="seo", optional=True,
    params=[pth("country_code", {"type": "string"}), pth("city_slug", {"type": "string"}), q("event_interest_slug", {"type": "string"}),
            q("page", {"type": "integer", "minimum": 1, "default": 1}), q("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
            q("status", {"type": "string", "default": "published"})],
    responses={"200": ok({"type": "object", "properties": {"seo": {"type": "object"}, "schema": {"type": "object"}, "pagination": {"type": "object"}, "events": {"type": "array", "items": ref("Event")}, "interest": {"type": ["object", "null"]}}}), "404": E})}
P["/api/events/seo/canonical/{canonical_id}/metadata"] = {"get": op("SEO metadata of an event", "seoMetadata", tag="seo", optional=True,
    params=[pth("canonical_id", {"type": "string"})], responses={"200": ok({"type": "object", "properties": {"seo": {"type": "object"}, "schema": {"type": "object"}, "event": ref("Event")}}), "404": E})}
PUBLIC = {"type": "object", "properties": {"event_title": {"type": "string"}, "about_event": {"type": "string"}, "event_image_url": {"type": "string"}, "start_time": T, "end_time": T, "city": {"type": "string"}, "venue_or_location": {"type": "string"}, "canonical_url": {"type": "string"}}}
MOVED = {"description": "Moved Permanently: Location is the current canonical URL", "headers": {"Location": {"schema": {"type": "string"}}}}
P["/api/public/events/{canonical_id}/seo"] = {"get": op("Public SEO object; 301 when the URL's slug or city is stale", "seoPublic", tag="seo", secured=False,
    params=[pth("canonical_id", {"type": "string"}), q("url_city_slug", {"type": "string"}), q("url_event_slug", {"type": "string"})],
    responses={"200": ok(PUBLIC), "301": MOVED, "404": E})}
P.pop("/{country_code}/{city_slug}/events/{slug_and_id}", None)
P["/{country_code}/{city_slug}/events/{slug_id}"] = {"get": op("Canonical event page path; 301 to the current URL when stale", "seoCanonicalPath", tag="seo", secured=False,
    params=[pth("country_code", {"type": "string"}), pth("city_slug", {"type": "string"}), pth("slug_id", {"type": "string", "description": "{slug}--{canonical_id}, or an old slug"})],
    responses={"200": ok(PUBLIC), "301": MOVED, "404": E})}
P["/api/events/{event_id}/calendar.ics"] = {"get": op("iCalendar (RFC 5545) file of a published event", "eventsCalendar", tag="seo", optional=True, params=[EID],
    responses={"200": ok({"type": "string"}, "text/calendar", "text/calendar"), "404": E})}
# SEO endpoints need the Authorization header (token optional)
for path in ["/api/events/seo/cities/{country_code}/{city_slug}/events", "/api/events/seo/canonical/{canonical_id}/metadata",
             "/api/events/canonical/{canonical_id}"]:
    P[path]["get"]["responses"]["403"] = {"$ref": "#/components/responses/Forbidden"}
json.dump(spec, open(PATH, "w"), indent=1)
print(len(spec["paths"]), "paths")
