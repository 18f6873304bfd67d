/*
 * csv.h: a list answered as a CSV attachment (RFC 4180), the admin API's
 * export format. Cells are written from JSON values; text a spreadsheet
 * would evaluate as a formula (starting with =, +, -, @, tab or CR) gets a
 * leading apostrophe.
 */
#ifndef LOOPIN_CSV_H
#define LOOPIN_CSV_H

#include <jansson.h>
#include <stdint.h>

#include "http/http.h"

/* 200 text/csv named <name>.csv: a header line of columns (the rows' keys,
 * NULL-terminated), then one line per object of rows. X-Total-Count says
 * how many matched (the caller may have cut the rows). */
void http_reply_csv(http_req_t *req, const char *name, const char *const *columns, json_t *rows,
                    int64_t total);

#endif
