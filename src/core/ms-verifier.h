/* ms-verifier.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-address.h"
#include "ms-check-result.h"
#include "ms-provider.h"
#include "ms-secret.h"

G_BEGIN_DECLS

#define MS_TYPE_VERIFIER (ms_verifier_get_type ())

/* How long the preferred server may take to connect before a backup is
 * tried beside it. */
#define MS_VERIFIER_BACKUP_DELAY_MS 400

/* How long a STARTTLS server may keep silent before the check looks for
 * an implicit-TLS server on its port. */
#define MS_VERIFIER_MODE_PROBE_MS 800

G_DECLARE_FINAL_TYPE (MsVerifier, ms_verifier, MS, VERIFIER, GObject)

MsVerifier          *ms_verifier_new            (const MsAddress      *address,
                                                 MsProvider           *provider);
void                 ms_verifier_set_servers    (MsVerifier           *self,
                                                 MsProtocol            protocol,
                                                 GPtrArray            *servers);
void                 ms_verifier_set_username   (MsVerifier           *self,
                                                 const char           *username);
gboolean             ms_verifier_set_ca_file    (MsVerifier           *self,
                                                 const char           *ca_file,
                                                 GError              **error);
void                 ms_verifier_set_timeout    (MsVerifier           *self,
                                                 guint                 seconds);
void                 ms_verifier_verify_async   (MsVerifier           *self,
                                                 gboolean              imap,
                                                 gboolean              smtp,
                                                 MsSecret             *secret,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean             ms_verifier_verify_finish  (MsVerifier           *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
const MsCheckResult *ms_verifier_get_result     (MsVerifier           *self,
                                                 MsProtocol            protocol);
const MsServer      *ms_verifier_get_login      (MsVerifier           *self,
                                                 MsProtocol            protocol,
                                                 const char          **username);
MsProvider          *ms_verifier_get_provider   (MsVerifier           *self);
const MsAddress     *ms_verifier_get_address    (MsVerifier           *self);
GVariant            *ms_verifier_to_variant     (MsVerifier           *self);

G_END_DECLS
