/* ms-lookup.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-catalogue.h"
#include "ms-lookup-error.h"
#include "ms-lookup-result.h"

G_BEGIN_DECLS

#define MS_TYPE_LOOKUP (ms_lookup_get_type ())

/* The deadline for a whole lookup, every layer included. */
#define MS_LOOKUP_DEFAULT_TIMEOUT_S 10
#define MS_LOOKUP_DEFAULT_ISPDB_URL "https://autoconfig.thunderbird.net/v1.1/"

G_DECLARE_FINAL_TYPE (MsLookup, ms_lookup, MS, LOOKUP, GObject)

MsLookup       *ms_lookup_new             (MsCatalogue          *catalogue);
MsCatalogue    *ms_lookup_get_catalogue   (MsLookup             *self);
void            ms_lookup_set_resolver    (MsLookup             *self,
                                           GResolver            *resolver);
gboolean        ms_lookup_set_ca_file     (MsLookup             *self,
                                           const char           *ca_file,
                                           GError              **error);
void            ms_lookup_set_allow_http  (MsLookup             *self,
                                           gboolean              allow_http);
void            ms_lookup_set_timeout     (MsLookup             *self,
                                           guint                 seconds);
void            ms_lookup_set_ispdb_url   (MsLookup             *self,
                                           const char           *url);
void            ms_lookup_set_cache_directory (MsLookup         *self,
                                               const char       *directory);
void            ms_lookup_map_port        (MsLookup             *self,
                                           guint16               port,
                                           guint16               local_port);
MsLookupResult *ms_lookup_lookup_offline  (MsLookup             *self,
                                           const MsAddress      *address);
void            ms_lookup_lookup_async    (MsLookup             *self,
                                           const MsAddress      *address,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
MsLookupResult *ms_lookup_lookup_finish   (MsLookup             *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void            ms_lookup_flush_async     (MsLookup             *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean        ms_lookup_flush_finish    (MsLookup             *self,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
