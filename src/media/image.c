/*
 * image.c: what an uploaded picture is. Sniffs JPEG, PNG and WEBP by their
 * magic bytes and checks that an upload's declared content type, filename
 * extension, size and actual bytes all agree. Pure functions: no I/O, no state.
 */
#include <string.h>
#include <strings.h>

#include "media/storage.h"

/* ---- sniffing -------------------------------------------------------------- */

static const unsigned char PNG_SIGNATURE[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
/* The first chunk of every PNG: length 13, type IHDR. */
static const unsigned char PNG_IHDR[8] = {0, 0, 0, 13, 'I', 'H', 'D', 'R'};

static bool is_jpeg(const unsigned char *d, size_t len)
{
    return len >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff;
}

static bool is_png(const unsigned char *d, size_t len)
{
    return len >= 16 && memcmp(d, PNG_SIGNATURE, 8) == 0 && memcmp(d + 8, PNG_IHDR, 8) == 0;
}

/* "RIFF" <little-endian size> "WEBP" and at least one chunk header's worth. */
static bool is_webp(const unsigned char *d, size_t len)
{
    return len >= 16 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0;
}

image_type_t image_sniff(const unsigned char *data, size_t len)
{
    if (!data)
        return IMAGE_NONE;
    if (is_jpeg(data, len))
        return IMAGE_JPEG;
    if (is_png(data, len))
        return IMAGE_PNG;
    if (is_webp(data, len))
        return IMAGE_WEBP;
    return IMAGE_NONE;
}

/* NULL for IMAGE_NONE: there is no MIME type or extension for "not an image". */
const char *image_mime(image_type_t t)
{
    switch (t) {
    case IMAGE_JPEG:
        return "image/jpeg";
    case IMAGE_PNG:
        return "image/png";
    case IMAGE_WEBP:
        return "image/webp";
    default:
        return NULL;
    }
}

const char *image_ext(image_type_t t)
{
    switch (t) {
    case IMAGE_JPEG:
        return "jpg";
    case IMAGE_PNG:
        return "png";
    case IMAGE_WEBP:
        return "webp";
    default:
        return NULL;
    }
}

/* ---- upload checks ----------------------------------------------------------- */

/* The media type of a Content-Type value: parameters after ';' and
 * surrounding blanks ignored, compared case-insensitively. */
static image_type_t declared_type(const char *content_type)
{
    static const struct {
        const char *name;
        image_type_t type;
    } known[] = {{"image/jpeg", IMAGE_JPEG},
                 {"image/jpg", IMAGE_JPEG},
                 {"image/png", IMAGE_PNG},
                 {"image/webp", IMAGE_WEBP}};
    if (!content_type)
        return IMAGE_NONE;
    const char *s = content_type + strspn(content_type, " \t");
    size_t n = strcspn(s, ";");
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i].name) == n && strncasecmp(s, known[i].name, n) == 0)
            return known[i].type;
    return IMAGE_NONE;
}

/* The type a filename's extension (after the last dot) names. */
static image_type_t extension_type(const char *filename)
{
    const char *dot = filename ? strrchr(filename, '.') : NULL;
    if (!dot)
        return IMAGE_NONE;
    const char *ext = dot + 1;
    if (strcasecmp(ext, "jpg") == 0 || strcasecmp(ext, "jpeg") == 0)
        return IMAGE_JPEG;
    if (strcasecmp(ext, "png") == 0)
        return IMAGE_PNG;
    if (strcasecmp(ext, "webp") == 0)
        return IMAGE_WEBP;
    return IMAGE_NONE;
}

image_check_t image_check(const http_file_t *f, image_type_t *type)
{
    if (type)
        *type = IMAGE_NONE;
    if (!f || f->size == 0)
        return IMAGE_EMPTY;
    if (f->size > MEDIA_MAX_IMAGE_BYTES)
        return IMAGE_TOO_LARGE;
    image_type_t declared = declared_type(f->content_type);
    if (declared == IMAGE_NONE)
        return IMAGE_BAD_TYPE;
    if (extension_type(f->filename) != declared)
        return IMAGE_BAD_EXTENSION;
    if (image_sniff(f->data, f->size) != declared)
        return IMAGE_BAD_CONTENT;
    if (type)
        *type = declared;
    return IMAGE_OK;
}
