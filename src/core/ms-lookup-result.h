/* ms-lookup-result.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ms-address.h"
#include "ms-lookup-note.h"
#include "ms-provider.h"

G_BEGIN_DECLS

#define MS_TYPE_LOOKUP_RESULT (ms_lookup_result_get_type ())

/**
 * MsLookupSource:
 *
 * Where the settings for an address came from (`source` in
 * `mail-setup lookup --json`).
 */
typedef enum
{
  MS_LOOKUP_SOURCE_NONE,
  MS_LOOKUP_SOURCE_CATALOGUE,
  MS_LOOKUP_SOURCE_MX,
  MS_LOOKUP_SOURCE_AUTOCONFIG,
  MS_LOOKUP_SOURCE_ISPDB,
  MS_LOOKUP_SOURCE_SRV,
  MS_LOOKUP_SOURCE_GUESS,
} MsLookupSource;

G_DECLARE_FINAL_TYPE (MsLookupResult, ms_lookup_result, MS, LOOKUP_RESULT, GObject)

MsLookupResult  *ms_lookup_result_new              (const MsAddress *address,
                                                    MsLookupSource   source,
                                                    MsProvider      *provider,
                                                    GPtrArray       *imap,
                                                    GPtrArray       *smtp);
const MsAddress *ms_lookup_result_get_address      (MsLookupResult  *self);
MsLookupSource   ms_lookup_result_get_source       (MsLookupResult  *self);
MsProvider      *ms_lookup_result_get_provider     (MsLookupResult  *self);
GPtrArray       *ms_lookup_result_get_imap_servers (MsLookupResult  *self);
GPtrArray       *ms_lookup_result_get_smtp_servers (MsLookupResult  *self);
gboolean         ms_lookup_result_is_found         (MsLookupResult  *self);
char            *ms_lookup_result_dup_username     (MsLookupResult  *self);
GVariant        *ms_lookup_result_to_variant       (MsLookupResult  *self);
MsLookupResult  *ms_lookup_result_new_for_address  (MsLookupResult  *self,
                                                    const MsAddress *address);
const char      *ms_lookup_result_get_detail       (MsLookupResult  *self);
void             ms_lookup_result_set_detail       (MsLookupResult  *self,
                                                    const char      *detail);
const char * const *ms_lookup_result_get_problems  (MsLookupResult  *self);
void             ms_lookup_result_add_problem      (MsLookupResult  *self,
                                                    const char      *problem);
MsLookupNote     ms_lookup_result_get_note         (MsLookupResult  *self);
void             ms_lookup_result_set_note         (MsLookupResult  *self,
                                                    MsLookupNote     note);
char            *ms_lookup_result_dup_note_message (MsLookupResult  *self);
gboolean         ms_lookup_source_from_string      (const char      *str,
                                                    MsLookupSource  *source);
const char      *ms_lookup_source_to_string        (MsLookupSource   source);

G_END_DECLS
