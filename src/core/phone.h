/*
 * phone.h: the one phone-number normalisation used everywhere (sign-up,
 * verification, login, profiles, staff accounts): spaces, '-', '(' and ')'
 * are dropped; the same digits with or without '+' are the same number;
 * the result is E.164 with '+' (8-15 digits, no leading zero).
 */
#ifndef LOOPIN_PHONE_H
#define LOOPIN_PHONE_H

#include <stdbool.h>

/* out gets "+<digits>" (at least 17 bytes). False when s is not a phone. */
bool phone_normalize(const char *s, char out[17]);

#endif
