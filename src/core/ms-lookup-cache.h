/* ms-lookup-cache.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-catalogue.h"
#include "ms-lookup-result.h"

G_BEGIN_DECLS

#define MS_TYPE_LOOKUP_CACHE (ms_lookup_cache_get_type ())

/* How long a found answer is kept on disk, and a "nothing found" in memory. */
#define MS_LOOKUP_CACHE_MAX_AGE_S          (7 * 24 * 60 * 60)
#define MS_LOOKUP_CACHE_NEGATIVE_MAX_AGE_S (10 * 60)
/* A cache file is well under 1 KiB; anything larger than this is not one. */
#define MS_LOOKUP_CACHE_MAX_FILE_SIZE      (64 * 1024)

G_DECLARE_FINAL_TYPE (MsLookupCache, ms_lookup_cache, MS, LOOKUP_CACHE, GObject)

MsLookupCache  *ms_lookup_cache_new         (MsCatalogue          *catalogue,
                                             const char           *directory);
MsLookupResult *ms_lookup_cache_get         (MsLookupCache        *self,
                                             const MsAddress      *address);
void            ms_lookup_cache_load_async  (MsLookupCache        *self,
                                             const MsAddress      *address,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
MsLookupResult *ms_lookup_cache_load_finish (MsLookupCache        *self,
                                             GAsyncResult         *result,
                                             GError              **error);
void            ms_lookup_cache_store       (MsLookupCache        *self,
                                             MsLookupResult       *result);
void            ms_lookup_cache_clear       (MsLookupCache        *self);
void            ms_lookup_cache_set_now_func (MsLookupCache       *self,
                                              gint64             (*now) (void));
void            ms_lookup_cache_flush_async  (MsLookupCache       *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean        ms_lookup_cache_flush_finish (MsLookupCache       *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
