/*
 * auth.h: the account endpoints' shared pieces: the AuthResponse envelope
 * and route registration.
 */
#ifndef LOOPIN_AUTH_H
#define LOOPIN_AUTH_H

#include <stdbool.h>

#include "http/router.h"

/* {success, message, data, token}; failures also carry detail (= message)
 * and error_code. Takes ownership of data (may be NULL). */
void auth_reply(http_req_t *req, int status, bool success, const char *message, json_t *data,
                const char *token, const char *error_code);

extern const struct module auth_module;

#endif
