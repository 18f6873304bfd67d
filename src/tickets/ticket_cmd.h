/*
 * ticket_cmd.h: `loopin ticket verify --public-key KEY CODE`, the reference
 * offline verifier a scanner copies: KEY is the event's public key as
 * ticket_pk_encode prints it, CODE a bare code or the whole qr_code_data
 * ("EVENT:{id}:TICKET:{code}"). No configuration, no database: a valid
 * signature proves the server issued the code for that ticket and event;
 * whether the ticket was since cancelled or already used is the server's
 * to say.
 */
#ifndef LOOPIN_TICKET_CMD_H
#define LOOPIN_TICKET_CMD_H

#include <stdio.h>

#define TICKET_CMD_USAGE "loopin ticket verify --public-key KEY CODE"

/* `loopin ticket <subcommand> ...` with argv[0] "ticket": dispatches to the
 * subcommand. Returns the exit code. */
int ticket_cmd(int argc, char **argv, FILE *out);

/* `verify` with argv[0] "verify". Prints one line to out and returns 0 for
 * "valid ticket_id=N event_id=M", 1 for "invalid: malformed" or
 * "invalid: bad signature"; a usage error (no key or code, a bad key, an
 * unknown option) is reported on stderr and returns 2. Options may come
 * before or after CODE; "--" ends them. */
int ticket_verify_cmd(int argc, char **argv, FILE *out);

#endif
