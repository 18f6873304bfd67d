/* embedded.h: files compiled into the binary by cmake/embed.cmake. */
#ifndef LOOPIN_EMBEDDED_H
#define LOOPIN_EMBEDDED_H

#include <stddef.h>

typedef struct {
    const char *name; /* file name in src/ops/docs/, NULL at the end */
    const char *data;
    size_t len;
} embedded_file_t;

extern const char *const embedded_openapi_json;
extern const size_t embedded_openapi_json_len;
/* The API docs viewers' pages and start-up scripts (the files of src/ops/docs). */
extern const embedded_file_t embedded_docs[];
/* The admin console's files (src/admin/console) and, when scripts/docs-assets
 * fetched them before the build, its libraries (Preact with htm, uPlot). */
extern const embedded_file_t embedded_admin[];

#endif
