/*
 * fuzz_image.c: libFuzzer driver for image_sniff and image_check. The first
 * input byte picks a declared content type and filename from a fixed table;
 * the rest is the upload's bytes, copied to an exact-size buffer so ASan
 * catches any read past the end. Results must agree with each other.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/storage.h"

static const struct {
    const char *content_type, *filename;
} DECLARED[] = {
    {"image/jpeg", "photo.jpg"},     {"image/jpg", "photo.jpeg"},  {"IMAGE/PNG", "photo.PNG"},
    {"image/webp; q=1", "a.b.webp"}, {"image/png", "photo.jpg"},   {"image/gif", "photo.gif"},
    {"text/plain", "notes.txt"},     {"image/jpeg", NULL},         {NULL, "photo.png"},
    {"image/webp", "../../x.webp"},  {"image/png", "noextension"}, {"", ""},
};

#define NDECLARED (sizeof DECLARED / sizeof DECLARED[0])

/* Sniffing is a pure function of the bytes: what it claims must be there. */
static void check_sniff(const uint8_t *d, size_t n)
{
    image_type_t t = image_sniff(d, n);
    if (t == IMAGE_JPEG && !(n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff))
        abort();
    if (t == IMAGE_PNG && !(n >= 16 && d[0] == 0x89 && memcmp(d + 12, "IHDR", 4) == 0))
        abort();
    if (t == IMAGE_WEBP && !(n >= 16 && memcmp(d, "RIFF", 4) == 0))
        abort();
    if (t != IMAGE_NONE && (!image_mime(t) || !image_ext(t)))
        abort();
}

static void check_upload(size_t which, const uint8_t *d, size_t n)
{
    http_file_t f = {"file", DECLARED[which].filename, DECLARED[which].content_type, d, n};
    image_type_t type = IMAGE_NONE;
    image_check_t st = image_check(&f, &type);
    if (st > IMAGE_BAD_CONTENT)
        abort();
    if (st == IMAGE_OK && (type == IMAGE_NONE || type != image_sniff(d, n)))
        abort();
    if (st != IMAGE_OK && type != IMAGE_NONE)
        abort();
    if (n == 0 && st != IMAGE_EMPTY)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t which = data[0] % NDECLARED, n = size - 1;
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        abort();
    memcpy(copy, data + 1, n);
    check_sniff(copy, n);
    check_upload(which, copy, n);
    free(copy);
    return 0;
}
