/*
 * otp.h: one-time codes for phone sign-up and login. Only a keyed hash of a
 * code is stored; one pending code per phone (a new one supersedes the old);
 * a verified code is consumed; wrong attempts are counted per phone in a
 * window that a new code does not reset; sending is rate-limited per phone
 * and per client IP. All checks run inside the caller's write transaction.
 */
#ifndef LOOPIN_OTP_H
#define LOOPIN_OTP_H

#include <stdint.h>

#include "app.h"

#define OTP_TTL_S         600 /* a code is valid 10 minutes */
#define OTP_MAX_FAILURES  3   /* wrong attempts per phone per lockout window */
#define OTP_LOCK_WINDOW_S 600
#define OTP_TYPE          "signup" /* sign-up and login share one code per phone */

typedef enum {
    OTP_ISSUED = 0,
    OTP_REFUSED_LOCKED,   /* too many wrong attempts: retry_after_s */
    OTP_REFUSED_COOLDOWN, /* asked again too soon: retry_after_s */
    OTP_REFUSED_PHONE,    /* hourly limit for this phone */
    OTP_REFUSED_IP,       /* hourly limit for this client */
} otp_issue_t;

typedef enum {
    OTP_OK = 0,     /* verified and consumed */
    OTP_NOT_FOUND,  /* no pending code */
    OTP_EXPIRED,    /* marked expired */
    OTP_WRONG,      /* *attempts_left tells how many remain */
    OTP_LOCKED,     /* locked by earlier attempts: retry_after_s */
    OTP_LOCKED_NOW, /* this wrong attempt locked the phone: retry_after_s */
} otp_check_t;

void otp_generate(char code[5]);
/* Hex HMAC-SHA256 of phone|type|code under the OTP key. */
void otp_hash(const unsigned char key[32], const char *phone, const char *code, char out[65]);

/* In a write transaction: applies the limits, supersedes the pending code
 * and stores the new one. *otp_id gets the new row's id. When a concurrent
 * request for the same phone wins the race it returns DB_UNIQUE (the caller
 * rolls back) with *result OTP_REFUSED_COOLDOWN. */
int otp_issue_tx(db_conn_t *c, const app_t *app, const char *phone, const char *client_ip,
                 const char *code, otp_issue_t *result, int64_t *retry_after_s, int64_t *otp_id);

/* Removes a code whose SMS could not be sent. */
int otp_invalidate(db_conn_t *c, int64_t otp_id);

/* In a write transaction: checks code for phone, consuming it on success and
 * counting a failure otherwise (commit either way). */
int otp_check_tx(db_conn_t *c, const app_t *app, const char *phone, const char *code,
                 otp_check_t *result, int *attempts_left, int64_t *retry_after_s);

#endif
