/*
 * guard_legacy.c: TRANSITIONAL. guard_require() for handlers that are not
 * yet declared with route_def_t; removed once every module is ported.
 */
#include "auth/guard_legacy.h"

#include "http/render.h"

int guard_require(http_req_t *req, int flags, actor_t *user)
{
    auth_level_t level = (flags & GUARD_OPTIONAL)           ? AUTH_OPTIONAL
                         : (flags & GUARD_SUPERUSER)        ? AUTH_SUPERUSER
                         : (flags & GUARD_STAFF)            ? AUTH_STAFF
                         : (flags & GUARD_ALLOW_WAITLISTED) ? AUTH_SIGNED_IN
                                                            : AUTH_ACTIVE;
    if (!http_db(req))
        return -1;
    req->op.db = req->db;
    err_t *e =
        guard_check(req, level, (flags & GUARD_NO_PROMOTION) ? AUTHF_NO_PROMOTION : 0, &req->op);
    *user = req->op.actor;
    if (!e)
        return 0;
    http_render_error(req, e, ENVELOPE_DETAIL);
    return -1;
}
