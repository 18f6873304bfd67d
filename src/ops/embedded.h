/* embedded.h: files compiled into the binary by cmake/embed.cmake. */
#ifndef LOOPIN_EMBEDDED_H
#define LOOPIN_EMBEDDED_H

#include <stddef.h>

extern const char *const embedded_openapi_json;
extern const size_t embedded_openapi_json_len;
extern const char *const embedded_docs_html;
extern const size_t embedded_docs_html_len;

#endif
