/*
 * curl_util.c: see curl_util.h.
 */
#include "core/curl_util.h"

#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLcode init_rc = CURLE_FAILED_INIT;

static void init_once(void)
{
    init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int curl_ready(void)
{
    pthread_once(&once, init_once);
    return init_rc == CURLE_OK ? 0 : -1;
}

void curl_base_opts(CURL *h, long connect_ms, long total_ms)
{
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_USERAGENT, "loopin/" LOOPIN_VERSION);
}

static size_t sink_write(char *data, size_t size, size_t nmemb, void *userdata)
{
    curl_sink_t *s = userdata;
    size_t total = size * nmemb;
    size_t room = s->sb->len < s->max ? s->max - s->sb->len : 0;
    if (total > room) {
        s->overflow = true;
        if (s->abort_on_overflow)
            return 0;
    }
    if (room)
        sb_append(s->sb, data, total < room ? total : room);
    return total;
}

void curl_set_sink(CURL *h, curl_sink_t *sink)
{
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
}
