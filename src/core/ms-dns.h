/* ms-dns.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-lookup-error.h"
#include "ms-server.h"

G_BEGIN_DECLS

/* The most MX hosts, or SRV servers per protocol, taken from DNS. */
#define MS_DNS_MAX_HOSTS 16

void      ms_dns_lookup_mx_async   (GResolver            *resolver,
                                    const char           *domain,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
GStrv     ms_dns_lookup_mx_finish  (GAsyncResult         *result,
                                    GError              **error);
void      ms_dns_lookup_srv_async  (GResolver            *resolver,
                                    const char           *domain,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean  ms_dns_lookup_srv_finish (GAsyncResult         *result,
                                    GPtrArray           **imap,
                                    GPtrArray           **smtp,
                                    GError              **error);
char     *ms_dns_dup_base_domain   (const char           *hostname);
gboolean  ms_dns_is_valid_hostname (const char           *hostname);

G_END_DECLS
