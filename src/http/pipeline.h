/*
 * pipeline.h: running a routed request through its declaration (pipeline.c).
 */
#ifndef LOOPIN_PIPELINE_H
#define LOOPIN_PIPELINE_H

#include "http/http.h"

/* Parses, guards, validates, runs the handler and renders; always leaves a
 * response in req->res and the database connection returned. */
void pipeline_run(http_req_t *req);
/* Frees what the pipeline kept for the request (checked input). */
void pipeline_finish(http_req_t *req);

#endif
