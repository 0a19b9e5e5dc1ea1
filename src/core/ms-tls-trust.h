/* ms-tls-trust.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define MS_TYPE_TLS_TRUST (ms_tls_trust_get_type ())

/**
 * MsTlsTrust:
 *
 * The certificate authorities a check trusts: the system's store, plus the
 * ones in an optional extra PEM file. Shared by every connection of a check.
 */
typedef struct _MsTlsTrust MsTlsTrust;

GType       ms_tls_trust_get_type        (void) G_GNUC_CONST;
MsTlsTrust *ms_tls_trust_new             (const char  *ca_file,
                                          GError     **error);
MsTlsTrust *ms_tls_trust_ref             (MsTlsTrust  *trust);
void        ms_tls_trust_unref           (MsTlsTrust  *trust);
gpointer    ms_tls_trust_get_credentials (MsTlsTrust  *trust);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsTlsTrust, ms_tls_trust_unref)

G_END_DECLS
