/*
 * ticket_qr.c: QR images of ticket codes (see ticket_qr.h).
 */
#include "tickets/ticket_qr.h"

#include <png.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

#define QUIET 4

static QRcode *encode(const char *text)
{
    return text && *text ? QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) : NULL;
}

char *ticket_qr_svg(const char *text, size_t *len)
{
    QRcode *qr = encode(text);
    if (!qr)
        return NULL;
    int w = qr->width, size = w + 2 * QUIET;
    strbuf_t b;
    sb_init(&b);
    sb_printf(&b,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/"
              "2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
              "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
              size, size, size, size);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (qr->data[y * w + x] & 1)
                sb_printf(&b, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
    sb_puts(&b, "\"/></svg>\n");
    QRcode_free(qr);
    return sb_steal(&b, len);
}

typedef struct {
    unsigned char *p;
    size_t len, cap;
    int failed;
} membuf_t;

static void mem_write(png_structp png, png_bytep data, png_size_t n)
{
    membuf_t *m = png_get_io_ptr(png);
    if (m->failed)
        return;
    if (m->len + n > m->cap) {
        size_t cap = (m->cap ? m->cap * 2 : 4096) + n;
        unsigned char *p = realloc(m->p, cap);
        if (!p) {
            m->failed = 1;
            return;
        }
        m->p = p;
        m->cap = cap;
    }
    memcpy(m->p + m->len, data, n);
    m->len += n;
}

static void mem_flush(png_structp png)
{
    (void)png;
}

/* Rows of 1-bit pixels (1 = white), scale pixels per module. */
static int write_rows(png_structp png, const QRcode *qr, int scale, int size)
{
    int w = qr->width, bytes = (size * scale + 7) / 8;
    unsigned char *row = malloc((size_t)bytes);
    if (!row)
        return -1;
    for (int y = 0; y < size; y++) {
        memset(row, 0xff, (size_t)bytes);
        for (int x = 0; x < size; x++) {
            int qx = x - QUIET, qy = y - QUIET;
            if (qx < 0 || qy < 0 || qx >= w || qy >= w || !(qr->data[qy * w + qx] & 1))
                continue;
            for (int k = 0; k < scale; k++) {
                int px = x * scale + k;
                row[px / 8] &= (unsigned char)~(0x80 >> (px % 8));
            }
        }
        for (int k = 0; k < scale; k++)
            png_write_row(png, row);
    }
    free(row);
    return 0;
}

unsigned char *ticket_qr_png(const char *text, int scale, size_t *len)
{
    QRcode *qr = encode(text);
    if (!qr)
        return NULL;
    membuf_t m = {0};
    int size = qr->width + 2 * QUIET;
    volatile int rc = -1; /* set between setjmp and a possible longjmp */
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (info && !setjmp(png_jmpbuf(png))) {
        png_set_write_fn(png, &m, mem_write, mem_flush);
        png_set_IHDR(png, info, (png_uint_32)(size * scale), (png_uint_32)(size * scale), 1,
                     PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                     PNG_FILTER_TYPE_DEFAULT);
        png_write_info(png, info);
        rc = write_rows(png, qr, scale, size);
        if (rc == 0)
            png_write_end(png, NULL);
    }
    png_destroy_write_struct(&png, &info);
    QRcode_free(qr);
    if (rc != 0 || m.failed) {
        free(m.p);
        return NULL;
    }
    *len = m.len;
    return m.p;
}
