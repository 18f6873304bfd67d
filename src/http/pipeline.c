/*
 * pipeline.c: what the server does with a routed request, in one order for
 * every route: parse the body (as FastAPI does, a malformed body is answered
 * before authentication), borrow a database connection, guard (the route's
 * declared auth level), validate the declared fields, run the handler, and
 * render any error in the route's envelope. The steps are the route
 * declaration's (http/route.h) enforcement; handlers only see their result.
 * An AUTH_HOST route's object check (owner) runs after the guard. On an
 * idempotent route a request with an Idempotency-Key claims it just before
 * the handler and leaves the rendered response behind for its retries
 * (http/idempotency.h).
 */
#include "http/pipeline.h"

#include "app.h"
#include "auth/guard.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/body.h"
#include "http/idempotency.h"
#include "http/render.h"
#include "http/route.h"
#include "http/router.h"

static void op_from_request(http_req_t *req)
{
    req->op = (op_t){.app = req->app,
                     .db = req->db,
                     .arena = &req->arena,
                     .request_id = req->request_id,
                     .client_ip = req->client_ip,
                     .user_agent = req->user_agent ? req->user_agent : "",
                     .now_us = clock_now_us()};
}

static err_t *borrow_db(http_req_t *req)
{
    req->db = db_acquire(req->app->db);
    if (req->db) {
        req->op.db = req->db;
        return NULL;
    }
    err_t *e = err_new(&req->arena, 503, "SERVICE_UNAVAILABLE",
                       "The server is busy; please retry in a moment");
    e->retry_after = 1;
    e->cause = "database pool exhausted";
    return e;
}

/* The route's own answers (its object check and its handler) use its
 * envelope; the guard's and the validator's are the same everywhere. */
static void run_declared(http_req_t *req, const route_def_t *def)
{
    bool own = false;
    idem_t idem = {0};
    err_t *e = body_parse(req);
    if (!e && !def->no_db)
        e = borrow_db(req);
    if (!e)
        e = guard_check(req, def->auth, def->auth_flags, &req->op);
    if (!e && def->owner && (e = def->owner(req, &req->op)) != NULL)
        own = true;
    if (!e)
        e = route_validate(req, def, &req->input);
    if (!e) {
        own = true;
        if (def->idempotent)
            e = idem_begin(req, &idem);
        if (!e && !idem.replayed)
            e = def->handler(req, &req->op, req->input);
    }
    if (e)
        http_render_error(req, e, own ? def->envelope : ENVELOPE_DETAIL);
    if (idem.claimed)
        idem_finish(req, &idem); /* req->res as rendered: stored for replays, or released */
}

void pipeline_run(http_req_t *req)
{
    op_from_request(req);
    run_declared(req, req->route->def);
    if (req->db) {
        db_release(req->db);
        req->db = req->op.db = NULL;
    }
    if (req->res.status == 0) {
        log_msg(LOG_ERROR, "handler wrote no response", "request_id", req->request_id, "route",
                req->route->pattern, NULL);
        http_error(req, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
    }
}

void pipeline_finish(http_req_t *req)
{
    input_free(req->input);
    req->input = NULL;
}
