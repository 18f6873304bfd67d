/*
 * gstin.c: GSTIN structure and check character (gstin.h). The check
 * character is the Luhn mod-36 variant the GST network uses: over the first
 * 14 characters, each value (0-9, A-Z = 10-35) times 1 or 2 alternately,
 * the product's base-36 digits summed; the check makes the total a multiple
 * of 36.
 */
#include "core/gstin.h"

#include <ctype.h>
#include <string.h>

static const char ALPHABET[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

static int value_of(char c)
{
    const char *p = strchr(ALPHABET, c);
    return c && p ? (int)(p - ALPHABET) : -1;
}

static char check_char(const char *s)
{
    int sum = 0;
    for (int i = 0; i < GSTIN_LEN - 1; i++) {
        int product = value_of(s[i]) * (i % 2 ? 2 : 1);
        sum += product / 36 + product % 36;
    }
    return ALPHABET[(36 - sum % 36) % 36];
}

/* Positions 3-12: the PAN, AAAAA9999A. */
static bool pan_ok(const char *p)
{
    for (int i = 0; i < 10; i++) {
        bool digit = i >= 5 && i <= 8;
        if (digit ? !isdigit((unsigned char)p[i]) : !isupper((unsigned char)p[i]))
            return false;
    }
    return true;
}

const char *gstin_check(const char *s, char out[GSTIN_LEN + 1])
{
    size_t n = strlen(s);
    if (n != GSTIN_LEN)
        return "GST number must be exactly 15 characters";
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]))
            return "GST number may contain only letters and digits";
        out[i] = (char)toupper((unsigned char)s[i]);
    }
    out[n] = '\0';
    int state = (out[0] - '0') * 10 + (out[1] - '0');
    if (!isdigit((unsigned char)out[0]) || !isdigit((unsigned char)out[1]) || state < 1 ||
        state > 38)
        return "GST number must start with a state code from 01 to 38";
    if (!pan_ok(out + 2))
        return "GST number must contain a valid PAN (5 letters, 4 digits, 1 letter) after the "
               "state code";
    if (out[12] == '0')
        return "GST number has an invalid entity code (13th character)";
    if (out[13] != 'Z')
        return "GST number must have 'Z' as its 14th character";
    if (out[14] != check_char(out))
        return "GST number's check character (15th) is wrong";
    return NULL;
}
