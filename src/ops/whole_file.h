/*
 * whole_file.h: files that appear whole or not at all, for backup and restore
 * (backup.c): a private temp file beside the destination, synced and renamed
 * into place; the secret key file copied that way; ownership for a restore
 * run as root.
 */
#ifndef LOOPIN_WHOLE_FILE_H
#define LOOPIN_WHOLE_FILE_H

#include <stdbool.h>
#include <stddef.h>

bool path_exists(const char *path);
/* Both exist and are one file (device and inode). */
bool path_same_file(const char *a, const char *b);

/* Creates a new private file (0600) named final.tmp-XXXXXX beside final, in
 * the same directory so that rename() is atomic; tmp receives the name.
 * Returns its fd, or -1 with errno. */
int file_temp_beside(const char *final, char *tmp, size_t len);

/* tmp becomes final: tmp's data synced, renamed, the directory synced, so a
 * crash leaves the old final or the whole new one. 0, or -1 with errno. */
int file_publish(const char *tmp, const char *final);

/* tmp (about to replace final) takes the owner and mode of final, or when
 * there is none, the owner of final's directory. Needs root to change owner;
 * otherwise tmp stays the caller's. */
void file_adopt_owner(const char *tmp, const char *final);

/* Copies the secret key file from -> to through a temp file (0600; adopt:
 * file_adopt_owner). 0, or -1 with the reason in err. */
int key_file_copy(const char *from, const char *to, bool adopt, char *err, size_t errlen);

/* Both key files are readable and hold the same bytes. */
bool key_files_equal(const char *a, const char *b);

#endif
