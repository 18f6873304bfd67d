/*
 * sms.h: outbound SMS behind one small interface, chosen by
 * LOOPIN_SMS_BACKEND:
 *   log    development default: the message (code included) goes to the
 *          server log; refused in production by config.
 *   file   appends one JSON object per line to LOOPIN_SMS_OUTBOX:
 *          {"to": "+91...", "body": "...", "sent_at": "<ISO 8601 Z>"}
 *          (tests read codes from it).
 *   twilio Messages API over libcurl (POST
 *          {api_base}/2010-04-01/Accounts/{sid}/Messages.json, form fields
 *          To, From, Body, basic auth sid:token), connect timeout 5 s, total
 *          10 s; any non-2xx answer or transport error is a failure.
 * Sending is synchronous: the caller learns of a failure at once and can
 * invalidate the code it tried to send.
 *
 * WhatsApp (host leads, API.md 16) goes through the same backends: a Twilio
 * Content template (ContentSid) and its variables, To and From prefixed
 * "whatsapp:", From being LOOPIN_TWILIO_WHATSAPP_FROM; the file backend
 * appends {"channel": "whatsapp", "to", "content_sid", "variables",
 * "sent_at"}; the log backend logs the masked number and the template only.
 */
#ifndef LOOPIN_SMS_H
#define LOOPIN_SMS_H

#include <stddef.h>

#include "core/config.h"

typedef struct sms sms_t;

/* Returns NULL and writes a reason to err when the backend cannot start
 * (e.g. the outbox file cannot be opened for appending). */
sms_t *sms_new(const config_t *cfg, char *err, size_t errlen);
void sms_free(sms_t *s);
/* Thread-safe. 0 on success; otherwise -1 and a short reason for the user
 * in err (never credentials, never the message body). */
int sms_send(sms_t *s, const char *to_e164, const char *body, char *err, size_t errlen);
/* A WhatsApp message from a Twilio Content template: variables_json is a
 * JSON object text like {"1":"Asha","2":"..."}. Thread-safe. 0 with the
 * message sid in sid_out (a made-up one from the development backends);
 * otherwise -1 and a short reason in err, e.g. when the twilio backend has no
 * LOOPIN_TWILIO_WHATSAPP_FROM. */
int sms_send_whatsapp(sms_t *s, const char *to_e164, const char *content_sid,
                      const char *variables_json, char *sid_out, size_t sid_cap, char *err,
                      size_t errlen);
const char *sms_backend_name(const sms_t *s);

#endif
