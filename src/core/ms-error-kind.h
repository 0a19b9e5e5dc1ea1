/* ms-error-kind.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * MsErrorKind:
 *
 * Every way a check can fail, as named by the command-line contract
 * (`error` in `mail-setup verify --json`). Provider files map server texts
 * onto these; the UI turns them into advice.
 */
typedef enum
{
  MS_ERROR_KIND_NONE = 0,
  MS_ERROR_KIND_AUTH_FAILED,
  MS_ERROR_KIND_CLIENT_PASSWORD_REQUIRED,
  MS_ERROR_KIND_SERVICE_DISABLED,
  MS_ERROR_KIND_IP_DENIED,
  MS_ERROR_KIND_UNSAFE_LOGIN,
  MS_ERROR_KIND_RATE_LIMITED,
  MS_ERROR_KIND_ACCOUNT_UNKNOWN,
  MS_ERROR_KIND_LOGIN_DISABLED,
  MS_ERROR_KIND_TLS_CERTIFICATE,
  MS_ERROR_KIND_TLS_HANDSHAKE,
  MS_ERROR_KIND_DNS,
  MS_ERROR_KIND_CONNECT,
  MS_ERROR_KIND_TIMEOUT,
  MS_ERROR_KIND_PROTOCOL,
  MS_ERROR_KIND_CANCELLED,
  MS_ERROR_KIND_STORE_FAILED,
  MS_ERROR_KIND_WRONG_SECURITY_MODE,
  MS_ERROR_KIND_NO_INBOX,
} MsErrorKind;

/* A GError in this domain has an MsErrorKind as its code. */
#define MS_ERROR (ms_error_quark ())

GQuark      ms_error_quark            (void);
const char *ms_error_kind_to_string   (MsErrorKind  kind);
gboolean    ms_error_kind_from_string (const char  *str,
                                       MsErrorKind *kind);

G_END_DECLS
