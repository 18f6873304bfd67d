/*
 * auth.h: the account endpoints' shared pieces: the AuthResponse success
 * envelope (refusals come from ENVELOPE_AUTH) and the module.
 */
#ifndef LOOPIN_AUTH_H
#define LOOPIN_AUTH_H

#include <jansson.h>

#include "core/arena.h"
#include "http/http.h"

/* 200 {success: true, message, data, token}. Takes ownership of data (may be
 * NULL); token may be NULL. */
void auth_reply_ok(http_req_t *req, const char *message, json_t *data, const char *token);

/* Field check: a phone number in international format, normalised to
 * E.164 (the sign-up, login and staff sign-in forms). */
const char *auth_phone_check(arena_t *a, json_t *v, json_t **out, const char **type);

extern const struct module auth_module;

#endif
