/*
 * audit.h: the append-only audit trail (audit_log). Security-relevant
 * actions write one row: who (actor, may be 0 for anonymous), what (a dotted
 * action such as "auth.login"), on which object, from where (ip, user agent,
 * request id), how bad (severity) and whether it succeeded. Never codes,
 * tokens or secrets in the payload.
 */
#ifndef LOOPIN_AUDIT_H
#define LOOPIN_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "op.h"

typedef enum { AUDIT_LOW = 0, AUDIT_MEDIUM, AUDIT_HIGH, AUDIT_CRITICAL } audit_severity_t;

typedef struct {
    int64_t actor_id;        /* 0: anonymous */
    const char *action;      /* [a-z][a-z0-9_.]* */
    const char *object_type; /* "user", "profile", ... or NULL */
    int64_t object_id;       /* 0: none */
    const char *object_uuid; /* or NULL */
    json_t *payload;         /* stolen; NULL for {} */
    audit_severity_t severity;
    bool success;
    const char *error; /* or NULL */
} audit_entry_t;

/* Writes the entry on conn (inside the caller's transaction when there is
 * one, so the trail and the change commit together). Context (ip, user
 * agent, request id, time) comes from the operation. */
int audit_write(db_conn_t *conn, const op_t *op, const audit_entry_t *e);

/* The common case: a successful action by op's actor on one object, written
 * on op->db; NULL, or the database failure as an error. Steals payload. */
err_t *audit_done(op_t *op, const char *action, const char *object_type, int64_t object_id,
                  json_t *payload, audit_severity_t severity);

#endif
