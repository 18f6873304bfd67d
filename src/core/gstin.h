/*
 * gstin.h: India's GST identification number (GSTIN), checked rather than
 * just stored, because invoices and payouts print it: 15 characters, a state
 * code 01-38, the holder's PAN (5 letters, 4 digits, 1 letter), an entity
 * character (1-9 or A-Z), the letter Z, and a mod-36 check character.
 */
#ifndef LOOPIN_GSTIN_H
#define LOOPIN_GSTIN_H

#include <stdbool.h>

#define GSTIN_LEN 15

/* Checks s (any case, no surrounding spaces) and writes the uppercase form
 * to out. NULL when valid, else why not (a sentence for a 422 detail). */
const char *gstin_check(const char *s, char out[GSTIN_LEN + 1]);

#endif
