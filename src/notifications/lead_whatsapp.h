/*
 * lead_whatsapp.h: WhatsApp messages to host leads and their delivery log
 * (lead_whatsapp.c).
 */
#ifndef LOOPIN_LEAD_WHATSAPP_H
#define LOOPIN_LEAD_WHATSAPP_H

#include <jansson.h>

#include "op.h"

/* Queues a message to the lead (404 LEAD_NOT_FOUND) and marks the lead
 * contacted; content_sid NULL or "" takes LOOPIN_TWILIO_CONTENT_SID (422
 * when neither is set). *out is the message row, status "queued". */
err_t *lead_message_send(op_t *op, int64_t lead_id, const char *message, const char *content_sid,
                         json_t **out);

/* The lead's messages, newest first. */
err_t *lead_messages_list(op_t *op, int64_t lead_id, json_t **out);

extern const struct module lead_whatsapp_module;

#endif
