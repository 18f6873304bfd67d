"""Operations (issue 14, docs/deploy/README.md): /metrics access, media from any backend.

Idempotent; run from the repository root after the other scripts: python3 docs/openapi/operations.py
"""
import json

PATH = "docs/openapi.json"
spec = json.load(open(PATH))
ERR = {"$ref": "#/components/responses/Error"}

m = spec["paths"]["/metrics"]["get"]
m["description"] = (
    "Prometheus text format. Readable by loopback clients only, or, when LOOPIN_METRICS_TOKEN is set, "
    "by whoever sends it as a bearer token (behind a trusted proxy the client is the one the proxy names). "
    "Series: loopin_http_requests_total{route,status}; loopin_http_request_duration_seconds{route} (histogram); "
    "loopin_db_up; loopin_db_pool_in_use, loopin_db_pool_size, loopin_db_pool_wait_seconds (histogram); "
    "loopin_jobs_queued{status}, loopin_jobs_pending{kind}, loopin_jobs_oldest_age_seconds{kind}, "
    "loopin_jobs_processed_total{kind,outcome}; loopin_cache_hits_total{cache}, loopin_cache_misses_total{cache}; "
    "loopin_capacity_reservations_live; loopin_webhooks_total{provider,outcome}; the guard cache and "
    "invalidation bus series (loopin_auth_cache_*, loopin_invalidation_bus_*)."
)
m["security"] = [{}, {"metricsToken": []}]
m["responses"]["401"] = ERR
m["responses"]["403"] = ERR
spec["components"].setdefault("securitySchemes", {})["metricsToken"] = {
    "type": "http",
    "scheme": "bearer",
    "description": "LOOPIN_METRICS_TOKEN, when the operator set one.",
}

g = spec["paths"]["/media/{folder}/{file}"]["get"]
g["description"] = (
    "Served from the configured media backend (local disk or an S3-compatible bucket) with "
    "Cache-Control: public, max-age=31536000, immutable. Names are the SHA-256 of the content "
    "(64 hex digits); files stored by earlier releases keep their 32-hex random names."
)
for p in g["parameters"]:
    if p["name"] == "file":
        p["schema"]["pattern"] = "^([0-9a-f]{64}|[0-9a-f]{32})\\.(jpg|png|webp)$"
g["responses"]["503"] = ERR

json.dump(spec, open(PATH, "w"), indent=1)
open(PATH, "a").write("\n")
