/*
 * ticket_cmd.c: `loopin ticket verify` (ticket_cmd.h). Hand-parsed
 * arguments (no getopt state, so it can be called again, and a code or key
 * may begin with '-').
 */
#include "tickets/ticket_cmd.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "tickets/ticket_code.h"

#define EXIT_VALID   0
#define EXIT_INVALID 1
#define EXIT_USAGE   2

static int usage(const char *why)
{
    if (why)
        fprintf(stderr, "loopin ticket: %s\n", why);
    fprintf(stderr, "usage: %s\n", TICKET_CMD_USAGE);
    return EXIT_USAGE;
}

int ticket_verify_cmd(int argc, char **argv, FILE *out)
{
    static const char opt[] = "--public-key";
    const char *key = NULL, *code = NULL;
    bool options = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *value;
        if (options && !strcmp(a, "--")) {
            options = false;
            continue;
        }
        if (options && !strcmp(a, opt)) {
            if (i + 1 >= argc)
                return usage("--public-key: expected a value");
            value = argv[++i];
        } else if (options && !strncmp(a, opt, sizeof opt - 1) && a[sizeof opt - 1] == '=') {
            value = a + sizeof opt;
        } else if (options && a[0] == '-' && a[1]) {
            fprintf(stderr, "loopin ticket: unknown option '%s'\n", a);
            return usage(NULL);
        } else {
            if (code)
                return usage("expected one CODE");
            code = a;
            continue;
        }
        if (key)
            return usage("--public-key given twice");
        key = value;
    }
    if (!key || !code)
        return usage(!key ? "--public-key is required" : "expected a CODE");
    if (sodium_init() < 0) {
        fprintf(stderr, "loopin ticket: libsodium failed to initialise\n");
        return EXIT_INVALID; /* nothing verified: refuse */
    }
    unsigned char pk[TICKET_PK_BYTES];
    if (ticket_pk_decode(key, pk) != 0)
        return usage("--public-key: expected an event's public key (43 base64url characters)");
    ticket_code_t c;
    if (ticket_code_parse(code, strlen(code), &c) != 0) {
        fprintf(out, "invalid: malformed\n");
        return EXIT_INVALID;
    }
    if (!ticket_code_verify(&c, pk)) {
        fprintf(out, "invalid: bad signature\n");
        return EXIT_INVALID;
    }
    fprintf(out, "valid ticket_id=%" PRId64 " event_id=%" PRId64 "\n", c.ticket_id, c.event_id);
    return EXIT_VALID;
}

int ticket_cmd(int argc, char **argv, FILE *out)
{
    if (argc < 2)
        return usage(NULL);
    if (!strcmp(argv[1], "verify"))
        return ticket_verify_cmd(argc - 1, argv + 1, out);
    fprintf(stderr, "loopin ticket: unknown command '%s'\n", argv[1]);
    return usage(NULL);
}
