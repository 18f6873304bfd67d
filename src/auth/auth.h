/*
 * auth.h: the account endpoints' shared pieces: the AuthResponse success
 * envelope (refusals come from ENVELOPE_AUTH) and the module.
 */
#ifndef LOOPIN_AUTH_H
#define LOOPIN_AUTH_H

#include <jansson.h>

#include "http/http.h"

/* 200 {success: true, message, data, token}. Takes ownership of data (may be
 * NULL); token may be NULL. */
void auth_reply_ok(http_req_t *req, const char *message, json_t *data, const char *token);

extern const struct module auth_module;

#endif
