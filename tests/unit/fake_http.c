/*
 * fake_http.c: see fake_http.h. One request at a time is all the adapters
 * send; the lock keeps the record whole for the test thread reading it.
 */
#include "fake_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/form.h"

static enum MHD_Result fake_reply(fake_http_t *f, struct MHD_Connection *c)
{
    if (f->delay_ms)
        usleep((useconds_t)f->delay_ms * 1000);
    char *copy = strdup(f->reply ? f->reply : "");
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(strlen(copy), copy, free);
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (f->location)
        MHD_add_response_header(r, "Location", f->location);
    enum MHD_Result ret = MHD_queue_response(c, f->status, r);
    MHD_destroy_response(r);
    return ret;
}

static void record_start(fake_http_t *f, struct MHD_Connection *c, const char *url,
                         const char *method)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    f->requests++;
    snprintf(f->method, sizeof f->method, "%s", method);
    snprintf(f->url, sizeof f->url, "%s", url);
    snprintf(f->auth, sizeof f->auth, "%s", auth ? auth : "");
    snprintf(f->ctype, sizeof f->ctype, "%s", ctype ? ctype : "");
    f->body[0] = '\0';
}

static void record_body(fake_http_t *f, const char *data, size_t n)
{
    size_t len = strlen(f->body);
    if (len + n >= sizeof f->body)
        n = sizeof f->body - len - 1;
    memcpy(f->body + len, data, n);
    f->body[len + n] = '\0';
}

static enum MHD_Result fake_handler(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version,
                                    const char *upload_data, size_t *upload_data_size,
                                    void **con_cls)
{
    (void)version;
    fake_http_t *f = cls;
    pthread_mutex_lock(&f->lock);
    if (*con_cls == NULL) {
        record_start(f, c, url, method);
        *con_cls = f;
        pthread_mutex_unlock(&f->lock);
        return MHD_YES;
    }
    if (*upload_data_size) {
        record_body(f, upload_data, *upload_data_size);
        *upload_data_size = 0;
        pthread_mutex_unlock(&f->lock);
        return MHD_YES;
    }
    pthread_mutex_unlock(&f->lock);
    return fake_reply(f, c);
}

int fake_http_setup(void **state)
{
    fake_http_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    pthread_mutex_init(&f->lock, NULL);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, fake_handler, f,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
    if (!f->d) {
        pthread_mutex_destroy(&f->lock);
        free(f);
        return -1;
    }
    f->port = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT)->port;
    *state = f;
    return 0;
}

int fake_http_teardown(void **state)
{
    fake_http_t *f = *state;
    MHD_stop_daemon(f->d);
    pthread_mutex_destroy(&f->lock);
    free(f);
    return 0;
}

const char *fake_http_form(fake_http_t *f, const char *name)
{
    char *out = f->form[f->next_form++ % FAKE_FORM_SLOTS];
    size_t n = strlen(name);
    out[0] = '\0';
    pthread_mutex_lock(&f->lock);
    for (const char *p = f->body; *p;) {
        size_t len = strcspn(p, "&");
        if (len > n && !strncmp(p, name, n) && p[n] == '=') {
            size_t v = len - n - 1 < sizeof f->form[0] ? len - n - 1 : sizeof f->form[0] - 1;
            memcpy(out, p + n + 1, v);
            out[v] = '\0';
            form_percent_decode(out, 1);
            break;
        }
        p += len + (p[len] == '&');
    }
    pthread_mutex_unlock(&f->lock);
    return out;
}

unsigned fake_http_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        if (fd >= 0)
            close(fd);
        return 9; /* discard: nothing listens there either */
    }
    close(fd);
    return ntohs(addr.sin_port);
}
