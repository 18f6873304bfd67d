/*
 * render.h: turning an error value into the response (render.c).
 */
#ifndef LOOPIN_RENDER_H
#define LOOPIN_RENDER_H

#include "core/err.h"
#include "http/http.h"
#include "http/route.h"

/* Writes e as the response in envelope env (details and 5xx ignore env);
 * frees what e owns. */
void http_render_error(http_req_t *req, err_t *e, envelope_t env);

#endif
