/* ms-provider.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-error-pattern.h"
#include "ms-lookup-note.h"
#include "ms-password-format.h"
#include "ms-server.h"
#include "ms-step.h"

G_BEGIN_DECLS

#define MS_TYPE_PROVIDER (ms_provider_get_type ())

G_DECLARE_FINAL_TYPE (MsProvider, ms_provider, MS, PROVIDER, GObject)

const char             *ms_provider_get_id              (MsProvider  *self);
const char             *ms_provider_get_name            (MsProvider  *self);
const char             *ms_provider_get_short_name      (MsProvider  *self);
const char * const     *ms_provider_get_domains         (MsProvider  *self);
const char * const     *ms_provider_get_mx_patterns     (MsProvider  *self);
GPtrArray              *ms_provider_get_imap_servers    (MsProvider  *self);
GPtrArray              *ms_provider_get_smtp_servers    (MsProvider  *self);
const MsPasswordFormat *ms_provider_get_password_format (MsProvider  *self);
GPtrArray              *ms_provider_get_steps           (MsProvider  *self);
GPtrArray              *ms_provider_get_error_patterns  (MsProvider  *self);
const char             *ms_provider_get_website         (MsProvider  *self);
const char             *ms_provider_get_client_note     (MsProvider  *self);
gboolean                ms_provider_get_oauth_only      (MsProvider  *self);
MsLookupNote            ms_provider_get_lookup_note     (MsProvider  *self);
const char             *ms_provider_get_origin          (MsProvider  *self);
const char             *ms_provider_get_username_rule   (MsProvider  *self);
gboolean                ms_provider_has_admin_steps     (MsProvider  *self);
const MsStep           *ms_provider_find_step           (MsProvider  *self,
                                                         const char  *step_id);
gboolean                ms_provider_claims_domain       (MsProvider  *self,
                                                         const char  *domain);
gboolean                ms_provider_matches_mx          (MsProvider  *self,
                                                         const char  *mx_host);
gboolean                ms_provider_matches_search      (MsProvider  *self,
                                                         const char  *query);
const MsErrorPattern   *ms_provider_match_error         (MsProvider  *self,
                                                         MsProtocol   protocol,
                                                         const char  *reply);
GVariant               *ms_provider_to_variant          (MsProvider  *self);

G_END_DECLS
