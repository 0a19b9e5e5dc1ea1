/* ms-secret.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define MS_TYPE_SECRET (ms_secret_get_type ())

/**
 * MsSecret:
 *
 * A password held in memory that is wiped when the last reference goes.
 * It is never printed: there is no way to get it as a nul-terminated string
 * that outlives the secret.
 */
typedef struct _MsSecret MsSecret;

GType       ms_secret_get_type   (void) G_GNUC_CONST;
MsSecret   *ms_secret_new        (const char *data,
                                  gsize       length);
MsSecret   *ms_secret_ref        (MsSecret   *secret);
void        ms_secret_unref      (MsSecret   *secret);
const char *ms_secret_get_data   (MsSecret   *secret,
                                  gsize      *length);
gboolean    ms_secret_is_utf8    (MsSecret   *secret);
void        ms_wipe              (gpointer    data,
                                  gsize       length);
void        ms_wipe_string       (char       *string);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsSecret, ms_secret_unref)

G_END_DECLS
