/*
 * log.h: structured logs, one JSON object per line on stderr:
 *   {"ts":"...","level":"info","msg":"...", ...fields}
 * Never pass secrets, OTPs, tokens or full account numbers as fields.
 */
#ifndef LOOPIN_LOG_H
#define LOOPIN_LOG_H

#include <stdbool.h>

typedef enum { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR } log_level_t;

void log_set_level(log_level_t level);
bool log_enabled(log_level_t level);
int log_parse_level(const char *s, log_level_t *out);
/* fields: alternating key, value C strings, terminated by NULL.
 * log_msg(LOG_INFO, "server started", "port", "8000", NULL); */
void log_msg(log_level_t level, const char *msg, ...) __attribute__((sentinel));
/* Writes a preformatted JSON object line (access log); adds nothing. */
void log_json_line(const char *json);

#endif
