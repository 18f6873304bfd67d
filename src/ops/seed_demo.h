/*
 * seed_demo.h: `loopin seed --demo`, a development database with something
 * in it (issue 12 point 6): people (a few on the waitlist), hosts, events in
 * several cities (past and coming, free and paid, a draft and a cancelled
 * one), join requests in every state, tickets (some checked in), paid orders,
 * a host's bank account and payout requests at different steps, and host
 * leads, spread over the last four months so the dashboard has a shape.
 * Refused in production; a database that already has the demo people is
 * left as it is.
 */
#ifndef LOOPIN_SEED_DEMO_H
#define LOOPIN_SEED_DEMO_H

struct app;

#define SEED_DEMO_USAGE "loopin seed --demo"

/* Fills the database of app (migrated). Returns the exit code; says what it
 * did on stdout, why not on stderr. */
int seed_demo(struct app *app);

#endif
