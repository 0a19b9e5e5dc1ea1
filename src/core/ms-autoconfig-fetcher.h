/* ms-autoconfig-fetcher.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-lookup-error.h"
#include "ms-provider.h"
#include "ms-tls-trust.h"

G_BEGIN_DECLS

#define MS_TYPE_AUTOCONFIG_FETCHER (ms_autoconfig_fetcher_get_type ())

/* The largest autoconfig document accepted; real ones are a few KiB. */
#define MS_AUTOCONFIG_MAX_SIZE (256 * 1024)
/* Redirects followed before giving up. */
#define MS_AUTOCONFIG_MAX_REDIRECTS 5

G_DECLARE_FINAL_TYPE (MsAutoconfigFetcher, ms_autoconfig_fetcher, MS, AUTOCONFIG_FETCHER, GObject)

MsAutoconfigFetcher *ms_autoconfig_fetcher_new            (void);
gboolean             ms_autoconfig_fetcher_set_ca_file    (MsAutoconfigFetcher  *self,
                                                           const char           *ca_file,
                                                           GError              **error);
void                 ms_autoconfig_fetcher_set_trust      (MsAutoconfigFetcher  *self,
                                                           MsTlsTrust           *trust);
void                 ms_autoconfig_fetcher_set_allow_http (MsAutoconfigFetcher  *self,
                                                           gboolean              allow_http);
void                 ms_autoconfig_fetcher_set_timeout_ms (MsAutoconfigFetcher  *self,
                                                           guint                 timeout_ms);
void                 ms_autoconfig_fetcher_fetch_async    (MsAutoconfigFetcher  *self,
                                                           const char           *url,
                                                           const char           *email_domain,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
MsProvider          *ms_autoconfig_fetcher_fetch_finish   (MsAutoconfigFetcher  *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

G_END_DECLS
