/*
 * body.h: turning a buffered request body into req->json, req->form and
 * req->files according to its Content-Type and what the route accepts.
 */
#ifndef LOOPIN_BODY_H
#define LOOPIN_BODY_H

#include "http/http.h"

/* Reads Content-Type into req->content_type and req->body_kind. */
void body_classify(http_req_t *req);
/* Parses the body for req->route. NULL, or the 4xx (415, 422 json_invalid,
 * 400 malformed form, 413 too many parts). */
err_t *body_parse(http_req_t *req);

#endif
