/* ms-error-kind.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include "ms-error-kind.h"

/* Indexed by MsErrorKind; the strings are part of the CLI contract. */
static const char * const kind_names[] = {
  [MS_ERROR_KIND_NONE] = NULL,
  [MS_ERROR_KIND_AUTH_FAILED] = "auth-failed",
  [MS_ERROR_KIND_CLIENT_PASSWORD_REQUIRED] = "client-password-required",
  [MS_ERROR_KIND_SERVICE_DISABLED] = "service-disabled",
  [MS_ERROR_KIND_IP_DENIED] = "ip-denied",
  [MS_ERROR_KIND_UNSAFE_LOGIN] = "unsafe-login",
  [MS_ERROR_KIND_RATE_LIMITED] = "rate-limited",
  [MS_ERROR_KIND_ACCOUNT_UNKNOWN] = "account-unknown",
  [MS_ERROR_KIND_LOGIN_DISABLED] = "login-disabled",
  [MS_ERROR_KIND_TLS_CERTIFICATE] = "tls-certificate",
  [MS_ERROR_KIND_TLS_HANDSHAKE] = "tls-handshake",
  [MS_ERROR_KIND_DNS] = "dns",
  [MS_ERROR_KIND_CONNECT] = "connect",
  [MS_ERROR_KIND_TIMEOUT] = "timeout",
  [MS_ERROR_KIND_PROTOCOL] = "protocol",
  [MS_ERROR_KIND_CANCELLED] = "cancelled",
  [MS_ERROR_KIND_STORE_FAILED] = "store-failed",
  [MS_ERROR_KIND_WRONG_SECURITY_MODE] = "wrong-security-mode",
  [MS_ERROR_KIND_NO_INBOX] = "no-inbox",
};

G_DEFINE_QUARK (ms-error-quark, ms_error)

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == MS_ERROR_KIND_NO_INBOX + 1);

const char *
ms_error_kind_to_string (MsErrorKind kind)
{
  g_return_val_if_fail ((guint)kind < G_N_ELEMENTS (kind_names), NULL);

  return kind_names[kind];
}

gboolean
ms_error_kind_from_string (const char  *str,
                           MsErrorKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  if (str == NULL)
    return FALSE;

  for (guint i = 1; i < G_N_ELEMENTS (kind_names); i++)
    {
      if (g_str_equal (str, kind_names[i]))
        {
          *kind = (MsErrorKind)i;
          return TRUE;
        }
    }

  return FALSE;
}
