/*
 * body.c: content negotiation for request bodies. A route declares the body
 * kinds it accepts; a body of another kind is 415, a malformed one is a 4xx
 * with a message that says what is wrong, never a 500.
 */
#include "http/body.h"

#include <ctype.h>
#include <microhttpd.h>
#include <string.h>

#include "http/form.h"
#include "http/route.h"
#include "http/router.h"

void body_classify(http_req_t *req)
{
    const char *ct = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    req->body_kind = 0;
    if (!ct)
        return;
    size_t n = strcspn(ct, ";");
    while (n > 0 && isspace((unsigned char)ct[n - 1]))
        n--;
    char *media = arena_strndup(&req->arena, ct, n);
    for (char *p = media; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    req->content_type = media;
    size_t mlen = strlen(media);
    if (strcmp(media, "application/json") == 0 ||
        (mlen > 5 && strcmp(media + mlen - 5, "+json") == 0))
        req->body_kind = BODY_JSON;
    else if (strcmp(media, "application/x-www-form-urlencoded") == 0)
        req->body_kind = BODY_URLENCODED;
    else if (strcmp(media, "multipart/form-data") == 0)
        req->body_kind = BODY_MULTIPART;
}

static err_t *parse_json(http_req_t *req)
{
    json_error_t jerr;
    req->json = json_loadb(req->body ? req->body : "", req->body_len,
                           JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (req->json)
        return NULL;
    json_t *details = json_array();
    json_t *loc = json_array();
    json_array_append_new(loc, json_string("body"));
    json_array_append_new(loc, json_integer(jerr.position));
    json_t *d = json_pack("{s:s, s:o, s:s, s:{}, s:{s:s}}", "type", "json_invalid", "loc", loc,
                          "msg", "JSON decode error", "input", "ctx", "error", jerr.text);
    json_array_append_new(details, d);
    return err_validation(&req->arena, details);
}

static err_t *parse_multipart(http_req_t *req)
{
    const char *boundary =
        form_multipart_boundary(http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE), &req->arena);
    if (!boundary)
        return err_new(&req->arena, 400, "MALFORMED_MULTIPART",
                       "multipart/form-data body needs a boundary parameter");
    mp_status_t st = form_parse_multipart(req->body ? req->body : "", req->body_len, boundary,
                                          &req->arena, &req->form, &req->files, &req->nfiles);
    if (st == MP_TOO_MANY_PARTS)
        return err_new(&req->arena, 413, "PAYLOAD_TOO_LARGE", "Too many parts in multipart body");
    if (st != MP_OK)
        return err_new(&req->arena, 400, "MALFORMED_MULTIPART",
                       "Malformed multipart/form-data body");
    return NULL;
}

err_t *body_parse(http_req_t *req)
{
    int accepted = req->route->body;
    if (accepted == BODY_NONE)
        return NULL; /* a body on a route that takes none is ignored */
    int kind = req->body_kind;
    if (req->body_len == 0 && req->route->def && req->route->def->body_optional) {
        req->body_kind = 0; /* no body: every body field is absent */
        return NULL;
    }
    if (kind == 0 && req->body_len == 0 && (accepted & BODY_JSON))
        kind = BODY_JSON; /* no body at all: report it as invalid JSON */
    if (!(kind & accepted))
        return err_new(&req->arena, 415, "UNSUPPORTED_MEDIA_TYPE",
                       "Unsupported content type '%s'; expected %s",
                       req->content_type ? req->content_type : "(none)",
                       (accepted & BODY_JSON) && (accepted & BODY_FORM)
                           ? "application/json or a form"
                       : (accepted & BODY_JSON) ? "application/json"
                                                : "multipart/form-data or "
                                                  "application/x-www-form-urlencoded");
    switch (kind) {
    case BODY_JSON:
        return parse_json(req);
    case BODY_URLENCODED:
        if (form_parse_urlencoded(req->body ? req->body : "", req->body_len, &req->arena,
                                  &req->form) != 0)
            return err_new(&req->arena, 400, "MALFORMED_FORM",
                           "Malformed form body (bad %%-escape)");
        return NULL;
    default:
        return parse_multipart(req);
    }
}
