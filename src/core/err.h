/*
 * err.h: the one error value. Domain functions, guards and validators return
 * an err_t * (NULL on success) that says everything a client needs (HTTP
 * status, stable machine code, a sentence, optional FastAPI-style details)
 * and, for failures that are ours, an internal cause that is logged once and
 * never sent. One renderer in http/ turns it into a response; jobs and CLI
 * commands log it. Errors live in the operation's arena.
 */
#ifndef LOOPIN_ERR_H
#define LOOPIN_ERR_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"

typedef struct err {
    int status;          /* HTTP status (200 for the AuthResponse {success:false} refusals) */
    const char *code;    /* stable UPPER_SNAKE machine code, static */
    const char *message; /* one sentence for people (arena or static) */
    json_t *details;     /* 422: the FastAPI detail list (owned; the renderer frees it) */
    int retry_after;     /* seconds for Retry-After, 0 for none */
    const char *cause;   /* internal reason for 5xx (logged, never sent) */
    int db_rc;           /* the database status behind a database failure, else 0 */
    json_t *context;     /* ENVELOPE_EVENT's "details" object (owned), or NULL for {} */
} err_t;

err_t *err_new(arena_t *a, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* 422 with FastAPI's detail list; takes ownership of details (a JSON array). */
err_t *err_validation(arena_t *a, json_t *details);

/* A one-item 422: loc is (where, field); input is stolen (NULL for null). */
err_t *err_field(arena_t *a, const char *type, const char *where, const char *field,
                 const char *msg, json_t *input);

/* Appends {type, loc:[where, field], msg, input} to details; steals input. */
void err_detail_add(json_t *details, const char *type, const char *where, const char *field,
                    const char *msg, json_t *input);

/* Frees what an error owns (its details), for errors that are dropped. */
void err_discard(err_t *e);

/* For the start-up and adapter code that reports a reason in a caller's
 * buffer rather than an err_t: formats into err (when err and errlen) and
 * returns rc, so `return errbuf(-1, err, errlen, "...")` is one line. */
int errbuf(int rc, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
