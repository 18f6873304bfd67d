/*
 * media_cmd.h: `loopin media migrate --to s3`: copies every file under
 * LOOPIN_MEDIA_DIR to the S3 bucket the LOOPIN_S3_* settings name, under
 * the same keys, so URLs already handed out keep working once
 * LOOPIN_MEDIA_BACKEND=s3. Safe to run again: objects already in the bucket
 * are skipped (docs/deploy/README.md, "Media").
 */
#ifndef LOOPIN_MEDIA_CMD_H
#define LOOPIN_MEDIA_CMD_H

#include "app.h"

#define MEDIA_CMD_USAGE "loopin media migrate --to s3 [--dry-run]"

int media_cmd(app_t *app, int argc, char **argv);

#endif
