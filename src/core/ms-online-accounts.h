/* ms-online-accounts.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-address.h"
#include "ms-secret.h"
#include "ms-server.h"

G_BEGIN_DECLS

#define MS_TYPE_ONLINE_ACCOUNTS (ms_online_accounts_get_type ())

G_DECLARE_FINAL_TYPE (MsOnlineAccounts, ms_online_accounts, MS, ONLINE_ACCOUNTS, GObject)

MsOnlineAccounts *ms_online_accounts_new        (guint                 timeout_seconds);
void              ms_online_accounts_add_async  (MsOnlineAccounts     *self,
                                                 const MsAddress      *address,
                                                 const MsServer       *imap,
                                                 const char           *imap_username,
                                                 const MsServer       *smtp,
                                                 const char           *smtp_username,
                                                 MsSecret             *secret,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
char             *ms_online_accounts_add_finish (MsOnlineAccounts     *self,
                                                 GAsyncResult         *result,
                                                 gboolean             *existing,
                                                 GError              **error);

G_END_DECLS
