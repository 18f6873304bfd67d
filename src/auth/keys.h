/*
 * keys.h: purpose-specific keys derived from LOOPIN_SECRET_KEY, so one
 * leaked or misused key (say, the OTP hash key) says nothing about another
 * (the token signing key). HMAC-SHA256(secret, "loopin:" label).
 */
#ifndef LOOPIN_KEYS_H
#define LOOPIN_KEYS_H

#define KEY_BYTES 32

typedef struct {
    unsigned char jwt[KEY_BYTES];     /* token signatures */
    unsigned char otp[KEY_BYTES];     /* OTP code hashes */
    unsigned char data[KEY_BYTES];    /* secretbox for data at rest (bank accounts) */
    unsigned char tickets[KEY_BYTES]; /* secretbox sealing the events' ticket signing keys */
    unsigned char csrf[KEY_BYTES];    /* the console's CSRF tokens, one per staff session */
} keys_t;

void keys_derive(const char *secret, keys_t *out);

#endif
