/* ms-keyring.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-address.h"
#include "ms-secret.h"
#include "ms-server.h"

G_BEGIN_DECLS

#define MS_TYPE_KEYRING (ms_keyring_get_type ())

G_DECLARE_FINAL_TYPE (MsKeyring, ms_keyring, MS, KEYRING, GObject)

MsKeyring *ms_keyring_new            (guint                 timeout_seconds);
void       ms_keyring_store_async    (MsKeyring            *self,
                                      const MsAddress      *address,
                                      const char           *label,
                                      const MsServer       *server,
                                      const char           *username,
                                      MsSecret             *secret,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gboolean   ms_keyring_store_finish   (MsKeyring            *self,
                                      GAsyncResult         *result,
                                      GError              **error);
void       ms_keyring_forget_async   (MsKeyring            *self,
                                      const MsAddress      *address,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gint       ms_keyring_forget_finish  (MsKeyring            *self,
                                      GAsyncResult         *result,
                                      GError              **error);

G_END_DECLS
