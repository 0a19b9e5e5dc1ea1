/* ms-account-store.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-secret.h"
#include "ms-verifier.h"

G_BEGIN_DECLS

#define MS_TYPE_ACCOUNT_STORE (ms_account_store_get_type ())

typedef enum
{
  MS_STORE_KEYRING = 1 << 0,
  MS_STORE_ONLINE_ACCOUNTS = 1 << 1,
} MsStoreFlags;

G_DECLARE_FINAL_TYPE (MsAccountStore, ms_account_store, MS, ACCOUNT_STORE, GObject)

MsAccountStore *ms_account_store_new          (guint                 timeout_seconds);
void            ms_account_store_save_async   (MsAccountStore       *self,
                                               MsVerifier           *verifier,
                                               MsSecret             *secret,
                                               MsStoreFlags          where,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
GVariant       *ms_account_store_save_finish  (MsAccountStore       *self,
                                               GAsyncResult         *result,
                                               gboolean             *all_ok);

G_END_DECLS
