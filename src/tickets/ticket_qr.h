/*
 * ticket_qr.h: a ticket's QR code as SVG or PNG (libqrencode for the
 * symbol, libpng for the image). Error correction M, quiet zone of four
 * modules, as scanners expect.
 */
#ifndef LOOPIN_TICKET_QR_H
#define LOOPIN_TICKET_QR_H

#include <stddef.h>

/* malloc'd SVG text of the QR code of text, or NULL. */
char *ticket_qr_svg(const char *text, size_t *len);

/* malloc'd PNG (1-bit grayscale, scale pixels per module) of the QR code of
 * text, or NULL. */
unsigned char *ticket_qr_png(const char *text, int scale, size_t *len);

#endif
