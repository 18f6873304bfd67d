/*
 * curl_util.h: what every outbound HTTP call shares (SMS, push, S3 media):
 * libcurl's one-time global initialisation, the options no call should go
 * without (timeouts, no signals, no redirects, http(s) only, our user
 * agent), and a bounded response sink. Each call uses its own easy handle,
 * which keeps sending thread-safe without a lock.
 */
#ifndef LOOPIN_CURL_UTIL_H
#define LOOPIN_CURL_UTIL_H

#include <curl/curl.h>
#include <stdbool.h>

#include "core/strbuf.h"

/* curl_global_init, once per process; 0 when libcurl is usable. */
int curl_ready(void);

/* Timeouts in milliseconds, CURLOPT_NOSIGNAL, no redirects, http and https
 * only, User-Agent loopin/<version>. */
void curl_base_opts(CURL *h, long connect_ms, long total_ms);

/* Keeps the first max bytes of a response in sb. Past max it either
 * swallows the rest (a long error page is not a transport error) or, with
 * abort_on_overflow, stops the transfer (CURLE_WRITE_ERROR); overflow says
 * which happened. */
typedef struct {
    strbuf_t *sb;
    size_t max;
    bool abort_on_overflow;
    bool overflow;
} curl_sink_t;

void curl_set_sink(CURL *h, curl_sink_t *sink);

#endif
