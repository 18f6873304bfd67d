/*
 * phone.c: E.164 normalisation (see phone.h for the rules).
 */
#include "core/phone.h"

#include <stddef.h>

bool phone_normalize(const char *s, char out[17])
{
    if (!s)
        return false;
    size_t n = 0;
    bool plus = false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-' || c == '(' || c == ')')
            continue;
        if (c == '+' && n == 0 && !plus) {
            plus = true;
            continue;
        }
        if (c < '0' || c > '9' || n == 15)
            return false;
        out[1 + n++] = c;
    }
    if (n < 8 || out[1] == '0')
        return false;
    out[0] = '+';
    out[1 + n] = '\0';
    return true;
}
